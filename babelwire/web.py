"""What both FastAPI apps share: construction, error handling, health and the database dependency."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

import psycopg
from fastapi import Depends, FastAPI

from babelwire.api_keys import Scope
from babelwire.auth import require
from babelwire.db import close_pool, get_pool
from babelwire.problems import install_problem_handlers, problem_responses


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    close_pool()


def create_app(title: str, description: str, scope: Scope) -> FastAPI:
    """Every route needs a key with `scope` (or admin), but /healthz and the OpenAPI document."""
    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=_lifespan,
        responses=problem_responses(401, 403, 422, 500, 503),
        dependencies=[require(scope)],
    )
    install_problem_handlers(app)

    @app.get("/healthz", tags=["health"], summary="Liveness: the process answers")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _connection() -> Iterator[psycopg.Connection]:
    """One pooled connection for the request, in one transaction committed when the route returns."""
    with get_pool().connection() as conn:
        yield conn


Connection = Annotated[psycopg.Connection, Depends(_connection)]
