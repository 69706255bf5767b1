"""The multipart form of `POST /v1/jobs`, read with the service's own limits and answered with its
own messages (issue 16).

FastAPI reads a form with Starlette's defaults (1,000 files, 1,000 fields), which came before
the service's check: more than 1,000 parts got 400 "Too many files" whatever
BABELWIRE_MAX_FILES_PER_REQUEST said, and a part header over python-multipart's 4 KiB line limit
(a 5,000-character file name) failed the whole upload with "Invalid multipart data.". UploadRoute
hands the route a request whose form() passes the settings' limits to the parser and turns its
refusals into the service's 413 problems; it also refuses parts the route would silently drop."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from python_multipart.multipart import DEFAULT_MAX_HEADER_SIZE
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from babelwire.settings import get_settings

FILES_PART = "files"
MAX_NAME_CHARS = 1024
"""The longest file name an upload may give (the service's limit, checked here: 413 beyond it).
Names inside archives are not refused for length: they are shown cut to this length."""
MAX_FIELD_BYTES = 1024 * 1024
"""A form part that is not a file (Starlette's default, stated): files are read as files."""
SHOWN_UNKNOWN_PARTS = 10


class UploadRequest(Request):
    """A request whose form is parsed with the settings' limits, then checked."""

    def form(self, **_: Any) -> Coroutine[Any, Any, FormData]:  # type: ignore[override]
        return self._checked_form()

    async def _checked_form(self) -> FormData:
        limit = get_settings().max_files_per_request
        try:
            form = await super().form(max_files=limit, max_fields=limit, max_part_size=MAX_FIELD_BYTES)
        except StarletteHTTPException as refused:  # what Starlette's form parsing raises (FastAPI's is a subclass)
            raise _own_refusal(refused, limit) from None
        try:
            check_parts(form)
        except HTTPException:
            await form.close()
            raise
        return form


class UploadRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def upload_handler(request: Request) -> Response:
            return await handler(UploadRequest(request.scope, request.receive))

        return upload_handler


def check_parts(form: FormData) -> None:
    """Every part is a file named `files` whose file name is within MAX_NAME_CHARS."""
    unknown = list(dict.fromkeys(name for name, _ in form.multi_items() if name != FILES_PART))
    if unknown:
        shown = ", ".join(repr(_printable(name)[:100]) for name in unknown[:SHOWN_UNKNOWN_PARTS])
        more = f" and {len(unknown) - SHOWN_UNKNOWN_PARTS} more" if len(unknown) > SHOWN_UNKNOWN_PARTS else ""
        raise HTTPException(
            422, f"unknown form part(s) {shown}{more}: send each file as a part named {FILES_PART!r}; nothing was stored"
        )
    for upload in form.getlist(FILES_PART):
        if isinstance(upload, UploadFile) and len(upload.filename or "") > MAX_NAME_CHARS:
            raise HTTPException(
                413, f"a file name of {len(upload.filename or '')} characters; the limit is {MAX_NAME_CHARS}; nothing was stored"
            )


def _own_refusal(refused: StarletteHTTPException, limit: int) -> StarletteHTTPException:
    """The parser's refusal, said as the service's limit it stands for (others unchanged)."""
    detail = str(refused.detail)
    if detail.startswith("Too many files"):
        return HTTPException(
            413, f"more than {limit} files in one request; the limit is {limit} (BABELWIRE_MAX_FILES_PER_REQUEST)"
        )
    if detail.startswith("Too many fields"):
        return HTTPException(413, f"more than {limit} form fields in one request; the limit is {limit}")
    if "Maximum header size exceeded" in _causes(refused):
        return HTTPException(
            413,
            f"a part's header is over {DEFAULT_MAX_HEADER_SIZE} bytes: file names may have at most "
            f"{MAX_NAME_CHARS} characters; nothing was stored",
        )
    return refused


def _causes(error: BaseException) -> str:
    """The messages of what led to `error` (Starlette keeps python-multipart's as the cause)."""
    messages, seen = [], set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        messages.append(str(cause))
        cause = cause.__cause__ or cause.__context__
    return " | ".join(messages)


def _printable(name: str) -> str:
    return name.encode("unicode_escape").decode("ascii")
