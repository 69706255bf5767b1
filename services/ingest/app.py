"""Ingest API: `POST /v1/jobs` stores every accepted file in PostgreSQL in the transaction that
creates its job, then enqueues one task per file after the commit."""

import logging
import re
from dataclasses import replace
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, HTTPException, Path, Request, Response, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from babelwire import jobs
from babelwire.db import transaction
from babelwire.problems import problem, problem_responses
from babelwire.schemas import Job, JobAccepted
from babelwire.settings import Settings, get_settings
from babelwire.web import Connection, create_app
from services.ingest import archives
from services.ingest.uploads import MAX_NAME_CHARS, UploadRoute
from workers.pipeline.formats import split_records
from workers.queueing import dispatch

log = logging.getLogger(__name__)

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")

app = create_app(
    "Babelwire ingest API",
    "Upload article files; each upload becomes a job whose files are cleaned, deduplicated and "
    "linked to their translations by the workers.",
    scope="ingest",
)


class RequestBodyLimit:
    """A body over max_request_bytes is 413: refused before a byte of it is read when its
    Content-Length says so, and, when it declares no length (chunked), as soon as the bytes read
    pass the limit, so that leaving the header out buys a sender nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = get_settings().max_request_bytes
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            refusal = problem(413, f"the request body is {declared} bytes; the limit is {limit}", instance=scope["path"])
            await refusal(scope, receive, send)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the body parsing: FastAPI passes an HTTPException on to the
                    # problem handlers, so it answers as every other 413 does.
                    raise HTTPException(413, f"the request body is over {limit} bytes; that is the limit")
            return message

        await self.app(scope, counted_receive, send)


app.add_middleware(RequestBodyLimit)
uploads = APIRouter(route_class=UploadRoute)  # the form read with the service's limits


class UploadForm(BaseModel):
    # Forbidden in the document too (additionalProperties: false): UploadRoute names such parts.
    model_config = ConfigDict(extra="forbid")

    files: list[UploadFile] = Field(
        min_length=1,
        description="Article files (text, HTML, JSON or NDJSON, or zip / tar / tar.gz archives of them, "
        "or a gzip of one file); repeat the part for many.",
    )


@uploads.post(
    "/v1/jobs",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobAccepted,
    tags=["jobs"],
    summary="Upload one or more article files as a new job",
    responses=problem_responses(400, 413),  # 400: a body that cannot be parsed as multipart
)
def create_job(request: Request, response: Response, form: Annotated[UploadForm, File()]) -> JobAccepted:
    files = form.files
    settings = get_settings()  # the file count and name lengths were checked as the form was read (uploads.py)
    budget = archives.ExpansionBudget(settings)  # one for every archive of this request
    try:
        incoming = [
            record for upload in files for record in _records(_read(upload, settings.max_file_bytes), settings, budget)
        ]
    except archives.RequestOverLimit as over:
        raise HTTPException(413, str(over)) from None
    incoming = [replace(record, name=storable_name(record.name)) for record in incoming]
    if len(incoming) > settings.max_records_per_request:
        raise HTTPException(
            413, f"{len(incoming)} articles in one request; the limit is {settings.max_records_per_request}"
        )
    with transaction() as conn:
        job_id, queued = jobs.create_job(conn, incoming)
    dispatch(queued)
    log.info(
        "job %s accepted: %d file(s), %d queued, %d refused at the door",
        job_id, len(incoming), len(queued), len(incoming) - len(queued), extra={"job_id": str(job_id)},
    )
    status_url = str(request.url_for("get_job", job_id=job_id))
    response.headers["Location"] = status_url
    return JobAccepted(job_id=job_id, status_url=status_url, files=len(incoming))


app.include_router(uploads)


@app.get(
    "/v1/jobs/{job_id}",
    response_model=Job,
    tags=["jobs"],
    summary="A job's progress and the outcome of each of its files",
    responses=problem_responses(404),
)
def get_job(
    job_id: Annotated[UUID, Path(description="The job id `POST /v1/jobs` answered with.", examples=["5b0c1f2e-8f0a-4d2b-9c61-0e4b8f6b2a10"])],
    conn: Connection,
) -> Job:
    job = jobs.get_job(conn, job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return job


def _read(upload: UploadFile, limit: int) -> jobs.IncomingFile:
    name = upload.filename or "unnamed"
    content = upload.file.read(limit + 1)
    if len(content) > limit:
        upload.file.seek(0, 2)
        size = upload.file.tell()
        return jobs.IncomingFile(name, None, size, error=f"file is {size} bytes; the limit is {limit}")
    return jobs.IncomingFile(name, content, len(content))


def storable_name(name: str) -> str:
    """A file name as the job shows it: control characters (a NUL, which PostgreSQL text cannot
    hold, and line breaks) written as escapes, undecodable characters replaced, and at most
    MAX_NAME_CHARS long. A sender chooses names freely, in the upload and inside archives."""
    name = name.encode("utf-8", "replace").decode("utf-8")
    name = CONTROL_CHARACTERS.sub(lambda found: f"\\x{ord(found.group()):02x}", name)
    return name if len(name) <= MAX_NAME_CHARS else name[: MAX_NAME_CHARS - 1] + "…"


def _records(
    incoming: jobs.IncomingFile, settings: Settings, budget: archives.ExpansionBudget
) -> list[jobs.IncomingFile]:
    """An archive holds many files and an NDJSON file many articles: each member, then each
    record, becomes a file of its own (`archive.zip/feed.ndjson#line`), so one bad member or
    record fails alone and every other one is kept."""
    if incoming.content is None:
        return [incoming]
    return [
        record
        for member in archives.expand(incoming.name, incoming.content, settings, budget)
        for record in _split(member)
    ]


def _split(incoming: jobs.IncomingFile) -> list[jobs.IncomingFile]:
    if incoming.content is None:
        return [incoming]
    return [
        jobs.IncomingFile(name, content, len(content))
        for name, content in split_records(incoming.name, incoming.content)
    ]
