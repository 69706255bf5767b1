"""Read API: jobs, articles (with their duplicates and translations) and translation groups."""

import re
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import HTTPException, Path, Query, Request, Response
from pydantic import BeforeValidator

from babelwire.language_filter import LANGUAGE_FILTER_DESCRIPTION, ValidLanguageFilter
from babelwire.parameters import MAX_ID, id_path, id_query, text_query
from babelwire.problems import problem_responses
from babelwire.schemas import PAGE_CURSOR_PATTERN, Article, ArticlePage, Group, Job
from babelwire.web import Connection, create_app
from services.api import queries, review
from services.api.changes import router as changes_router
from services.api.keys import router as api_keys_router
from services.api.reading import CONDITIONAL_RESPONSES, conditional
from services.api.reading import router as export_router
from services.api.stored_metrics import StoredDataCollector
from services.api.webhooks import router as webhooks_router

app = create_app(
    "Babelwire read API",
    "Clean, deduplicated articles and the translation groups that link one story's language versions.",
    scope="read",
)
app.include_router(api_keys_router)
app.include_router(changes_router)
app.include_router(export_router)
app.include_router(webhooks_router)
# Stored data and queue depth are counted here only, not by every API and worker process.
app.state.metrics.registry.register(StoredDataCollector())
review.install(app)  # HTML pages under /review for people; see services/api/review.py

NOT_FOUND = problem_responses(404)
SINGLE_RECORD = {**NOT_FOUND, **CONDITIONAL_RESPONSES}
RecordId = id_path("The record's id.")
ISO_8601 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")


def _iso_8601(value: object) -> object:
    """pydantic reads a datetime from a number of seconds since 1970 ("0.5") too: this parameter is an
    ISO 8601 date and time, as its OpenAPI `date-time` format says."""
    if isinstance(value, str) and not ISO_8601.match(value):
        raise ValueError("must be an ISO 8601 date and time, e.g. 2026-11-23T10:00:00Z")
    return value


JobId = Annotated[UUID, Path(description="The job id `POST /v1/jobs` answered with.", examples=["5b0c1f2e-8f0a-4d2b-9c61-0e4b8f6b2a10"])]


@app.get("/v1/jobs/{job_id}", response_model=Job, tags=["jobs"], summary="A job and a page of its files", responses=SINGLE_RECORD)
def get_job(
    job_id: JobId,
    conn: Connection,
    request: Request,
    files_limit: Annotated[int, Query(ge=1, le=10000, description="Files per page, in upload order.", examples=[1000])] = 1000,
    files_after: Annotated[
        str | None,
        Query(pattern=PAGE_CURSOR_PATTERN, description="The `files_next` cursor of the previous page.", examples=["999"]),
    ] = None,
) -> Response:
    job = queries.get_job(conn, job_id, files_after=_cursor(files_after), files_limit=files_limit)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return conditional(request, job)


@app.get("/v1/articles", response_model=ArticlePage, tags=["articles"], summary="Articles, oldest first")
def list_articles(
    conn: Connection,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.", examples=[100])] = 100,
    after: Annotated[
        str | None, Query(pattern=PAGE_CURSOR_PATTERN, description="The `next` cursor of the previous page.", examples=["1234"])
    ] = None,
    lang: Annotated[
        ValidLanguageFilter | None,
        Query(description=LANGUAGE_FILTER_DESCRIPTION, examples=["bn"]),
    ] = None,
    group_id: id_query(
        "Only this translation group's articles; a merged group's id stands for the group it was merged into."
    ) = None,
    source_domain: text_query(
        "Only articles whose canonical `source_url` has this host (lower-case, exact: "
        "`www.example.org` and `example.org` differ).",
        "vnexpress.net", min_length=1, max_length=253,
    ) = None,
    canonical: Annotated[
        bool | None,
        Query(description="`true`: only canonical articles; `false`: only near duplicates (`duplicate_of` set).", examples=[True]),
    ] = None,
    updated_since: Annotated[
        datetime | None,
        BeforeValidator(_iso_8601),
        Query(
            examples=["2026-11-23T10:00:00Z"],
            description="ISO 8601; only articles created, or whose group or duplicate status changed, at or "
            "after this time (`updated_at`). Without an offset it is UTC. Not a gap-free feed: "
            "follow `GET /v1/changes` for that.",
        ),
    ] = None,
) -> ArticlePage:
    if updated_since is not None and updated_since.tzinfo is None:
        updated_since = updated_since.replace(tzinfo=UTC)
    return queries.list_articles(
        conn, limit=limit, after=_cursor(after), language=lang, group_id=group_id,
        source_domain=source_domain.lower() if source_domain else None, canonical=canonical, updated_since=updated_since,
    )


@app.get("/v1/articles/{article_id}", response_model=Article, tags=["articles"], summary="One article", responses=SINGLE_RECORD)
def get_article(article_id: RecordId, conn: Connection, request: Request) -> Response:
    article = queries.get_article(conn, article_id)
    if article is None:
        raise HTTPException(404, f"no article {article_id}")
    return conditional(request, article)


@app.get("/v1/groups/{group_id}", response_model=Group, tags=["groups"], summary="A translation group", responses=SINGLE_RECORD)
def get_group(group_id: RecordId, conn: Connection, request: Request) -> Response:
    group = queries.get_group(conn, group_id)
    if group is None:
        raise HTTPException(404, f"no translation group {group_id}")
    return conditional(request, group)


def _cursor(after: str | None) -> int | None:
    if after is None:
        return None
    if not after.isascii() or not after.isdigit() or int(after) > MAX_ID:
        raise HTTPException(422, f"invalid cursor {after!r}: pass the `next` value of a previous page")
    return int(after)
