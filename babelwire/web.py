"""What both FastAPI apps share: construction, error handling, health, metrics and the database dependency."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

import psycopg
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp

from babelwire.api_keys import Scope
from babelwire.auth import OPEN_ROUTE_OPENAPI, require
from babelwire.db import close_pool, get_pool
from babelwire.health import Readiness, overall, readiness
from babelwire.logs import setup_logging
from babelwire.metrics import RequestMetricsMiddleware, install_metrics
from babelwire.parameters import refuse_control_characters
from babelwire.problems import install_problem_handlers, problem, problem_responses
from babelwire.settings import get_settings


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    close_pool()


class _MeasuredApp(FastAPI):
    """An app whose every request is counted by babelwire/metrics.py, outside all its middleware."""

    def build_middleware_stack(self) -> ASGIApp:
        return RequestMetricsMiddleware(super().build_middleware_stack(), self.state.metrics)


def create_app(title: str, description: str, scope: Scope) -> FastAPI:
    """Every route needs a key with `scope` (or admin), but /healthz, /readyz, /metrics (unless
    BABELWIRE_METRICS_REQUIRE_KEY) and the OpenAPI document."""
    # uvicorn has set up its logging before it imports the app: ours takes over from here.
    setup_logging()
    app = _MeasuredApp(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=_lifespan,
        responses=problem_responses(401, 403, 422, 429, 500, 503),
        # The key first: an outsider learns nothing of the parameters.
        dependencies=[require(scope), Depends(refuse_control_characters)],
    )
    install_problem_handlers(app)

    @app.get("/healthz", tags=["health"], summary="Liveness: the process answers", openapi_extra=OPEN_ROUTE_OPENAPI)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz", tags=["health"],
        summary="Readiness: PostgreSQL and the Redis broker answer (503 if not); `degraded` when the periodic re-enqueue is late",
        response_model=Readiness, responses=problem_responses(503), openapi_extra=OPEN_ROUTE_OPENAPI,
    )
    def readyz() -> Readiness | JSONResponse:
        checks = readiness(get_settings())
        status = overall(checks)
        if status == "unavailable":
            failing = [f"{name} {result}" for name, result in checks.items() if result != "ok"]
            # problem() adds Retry-After to every 503.
            return problem(503, f"not ready: {', '.join(failing)}", instance="/readyz", checks=checks)
        return Readiness(status=status, checks=checks)

    install_metrics(app)

    return app


def _connection() -> Iterator[psycopg.Connection]:
    """One pooled connection for the request, in one transaction committed when the route returns."""
    with get_pool().connection() as conn:
        yield conn


Connection = Annotated[psycopg.Connection, Depends(_connection)]
