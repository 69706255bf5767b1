"""Every error either API returns is `application/problem+json` (RFC 9457)."""

import logging
from http import HTTPStatus
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from starlette.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


def problem(status: int, detail: str | None = None, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    headers = {**(headers or {}), **({"Retry-After": "5"} if status == 503 else {})}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problems a route can answer with."""
    from babelwire.schemas import Problem

    return {s: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": HTTPStatus(s).phrase} for s in statuses}


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_problem(request: Request, error: HTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, str) else None
        return problem(error.status_code, detail, headers=error.headers, instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def validation_problem(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in error.errors()
        ]
        summary = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return problem(422, summary, instance=request.url.path, errors=errors)

    async def database_unavailable(request: Request, error: Exception) -> JSONResponse:
        # No pooled connection in time, or the server down, restarting or cut off mid-request: a
        # 503 the client can retry, never a 500. (A request cut off inside its commit cannot know
        # whether the commit landed; a retried upload is then at worst stored twice and its copy
        # recorded as a duplicate.)
        log.warning("database unavailable for %s: %r", request.url.path, error)
        return problem(503, "the database is unavailable; try again shortly", instance=request.url.path)

    for database_error in (PoolTimeout, psycopg.OperationalError, psycopg.InterfaceError):
        app.add_exception_handler(database_error, database_unavailable)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "internal error", instance=request.url.path)
