"""The review page: server-rendered HTML over the read API's own queries, for a person checking
what the pipeline made. Recent jobs with their progress, a job's files, an article with its
duplicates, and a translation group's language versions side by side with each link's evidence.

No build step: Jinja2 templates (autoescaped) and one small script that reloads pages showing
work in progress. A browser cannot send `Authorization: Bearer`, so a reviewer pastes a read key
into /review/login once; it is kept in an HttpOnly, SameSite=Strict cookie limited to /review,
which babelwire.auth accepts on these pages only."""

from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from uuid import UUID

from fastapi import APIRouter, FastAPI, Form, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.exceptions import HTTPException as StarletteHTTPException

from babelwire.api_keys import scopes_of
from babelwire.auth import CHALLENGE, REVIEW_COOKIE, REVIEW_PREFIX
from babelwire.db import get_pool
from babelwire.display import visible
from babelwire.parameters import id_path
from babelwire.settings import get_settings
from babelwire.web import Connection
from services.api import queries

HERE = Path(__file__).resolve().parent
RECENT_JOBS = 50
JOB_FILES_PER_PAGE = 500
EXCERPT_CHARACTERS = 700
REFRESH_SECONDS = 3
"""How often a page showing unfinished jobs reloads itself."""
COOKIE_MAX_AGE_SECONDS = 12 * 3600
RUNNING_STATES = frozenset({"queued", "running"})

PAGE_HEADERS = {
    # Everything the pages load is their own: a stray script in a stored article could not run
    # even if escaping ever failed.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",  # pages behind a key stay out of shared and back/forward caches
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=True,  # every value is escaped, whatever the template's name
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

router = APIRouter(prefix=REVIEW_PREFIX, include_in_schema=False)
RecordId = id_path("The record's id.")


def install(app: FastAPI) -> None:
    """Add the pages, their static files and HTML error pages (for /review paths only: the JSON
    API keeps its problem+json errors) to the read API."""
    app.include_router(router)
    app.mount(f"{REVIEW_PREFIX}/static", StaticFiles(directory=HERE / "static"), name="review-static")
    problem_for_http = app.exception_handlers[StarletteHTTPException]
    problem_for_validation = app.exception_handlers[RequestValidationError]

    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if not is_review_path(request.url.path):
            return await problem_for_http(request, error)
        detail = error.detail if isinstance(error.detail, str) else None
        return error_page(request, error.status_code, detail, headers=error.headers)

    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        if not is_review_path(request.url.path):
            return await problem_for_validation(request, error)
        return error_page(request, 404, "there is no such page: the address names no record")

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)


def is_review_path(path: str) -> bool:
    return path == REVIEW_PREFIX or path.startswith(REVIEW_PREFIX + "/")


# Pages


@router.get("", response_class=HTMLResponse)
def jobs_page(request: Request, conn: Connection) -> HTMLResponse:
    jobs = queries.recent_jobs(conn, limit=RECENT_JOBS)
    running = any(job.status in RUNNING_STATES for job in jobs)
    return page(request, "jobs.html", jobs=jobs, limit=RECENT_JOBS, refresh=REFRESH_SECONDS if running else None)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(
    request: Request,
    conn: Connection,
    job_id: UUID,
    files_after: Annotated[int | None, Query(ge=-1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    job = queries.get_job(conn, job_id, files_after=files_after, files_limit=JOB_FILES_PER_PAGE)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    refresh = REFRESH_SECONDS if job.status in RUNNING_STATES else None
    return page(request, "job.html", job=job, refresh=refresh)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, conn: Connection, article_id: RecordId) -> HTMLResponse:
    article = queries.get_article(conn, article_id)
    if article is None:
        raise HTTPException(404, f"no article {article_id}")
    return page(request, "article.html", article=article)


@router.get("/groups/{group_id}", response_class=HTMLResponse)
def group_page(request: Request, conn: Connection, group_id: RecordId) -> HTMLResponse:
    group = queries.get_group(conn, group_id)
    if group is None:
        raise HTTPException(404, f"no translation group {group_id}")
    # A group holds one version per language, so a handful of reads.
    versions = [article for member in group.articles if (article := queries.get_article(conn, member.id))]
    language_of = {article.id: article.language for article in versions}
    return page(request, "group.html", group=group, asked=group_id, versions=versions, language_of=language_of)


# Signing in: the key goes from a form into a cookie that only /review paths send and accept.


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = REVIEW_PREFIX) -> HTMLResponse:  # noqa: A002 (the form's field)
    return page(request, "login.html", next=safe_next(next), problem=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    key: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=2000)] = REVIEW_PREFIX,  # noqa: A002
) -> Response:
    if not same_origin(request):
        raise HTTPException(403, "the sign-in form was sent from another site")
    key = key.strip()
    with get_pool().connection() as conn:
        scopes = scopes_of(conn, key) if key else None
    if scopes is None or not scopes & {"read", "admin"}:
        problem = "unknown or revoked API key" if scopes is None else "this key lacks the 'read' scope"
        return page(request, "login.html", status_code=401, next=safe_next(next), problem=problem, headers=CHALLENGE)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        REVIEW_COOKIE, key, max_age=COOKIE_MAX_AGE_SECONDS, path=REVIEW_PREFIX,
        httponly=True, samesite="strict", secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    if not same_origin(request):
        raise HTTPException(403, "the sign-out form was sent from another site")
    response = RedirectResponse(f"{REVIEW_PREFIX}/login", status_code=303)
    response.delete_cookie(REVIEW_COOKIE, path=REVIEW_PREFIX, httponly=True, samesite="strict")
    return response


def same_origin(request: Request) -> bool:
    """Browsers send Origin with every form POST; one from another site (or `null`) is refused, so
    no other page can sign a visitor in with a key of its choosing. A client that sends no Origin
    is not a browser on another site."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == request.headers.get("host")


def safe_next(target: str) -> str:
    """Only a review page of this server: never an open redirect to another site."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//") or "\\" in target or not is_review_path(parts.path):
        return REVIEW_PREFIX
    return target


# Rendering


def page(
    request: Request,
    template: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    context.setdefault("refresh", None)
    html = templates.get_template(template).render(
        anonymous=get_settings().allow_anonymous,
        signed_in=REVIEW_COOKIE in request.cookies,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers={**PAGE_HEADERS, **(headers or {})})


def error_page(request: Request, status: int, detail: str | None, headers: dict[str, str] | None = None) -> HTMLResponse:
    return page(
        request, "error.html", status_code=status, headers=headers,
        status=status, title=HTTPStatus(status).phrase, detail=detail,
        sign_in=status in (401, 403), next=safe_next(request.url.path), problem=None,
    )


def excerpt(text: str | None, characters: int = EXCERPT_CHARACTERS) -> str:
    """The text's start: whole paragraphs when they fill most of the room, else cut at a word."""
    if not text or len(text) <= characters:
        return text or ""
    cut = text[:characters]
    paragraph_end = cut.rfind("\n\n")
    if paragraph_end >= characters // 2:
        return cut[:paragraph_end] + "\n\n…"
    return cut[: cut.rfind(" ")].rstrip() + " …" if " " in cut else cut + "…"


EVIDENCE_ORDER = ("source_url", "images", "numbers", "names", "words", "length")
"""The strongest signals first; any other key the linker adds follows, in its stored order."""


def evidence_signals(evidence: dict[str, Any]) -> list[tuple[str, Any]]:
    """The signals of a link's evidence, without its score (the page shows that beside the link)."""
    rank = {name: index for index, name in enumerate(EVIDENCE_ORDER)}
    signals = [(name, value) for name, value in evidence.items() if name != "score"]
    return sorted(signals, key=lambda item: rank.get(item[0], len(rank)))


def number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"


def percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 0


templates.filters.update(excerpt=excerpt, number=number, when=when, visible=visible)  # visible: file names
templates.globals.update(percent=percent, prefix=REVIEW_PREFIX, evidence_signals=evidence_signals)
