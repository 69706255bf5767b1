"""Prometheus metrics of the two APIs, served at GET /metrics in the text exposition format (or
OpenMetrics when the scraper asks for it).

Each app keeps a registry of its own, so two apps in one process (the tests) never mix their
counts. Requests are labelled by route *template* (`/v1/jobs/{job_id}`), never by the raw path: a
label value per job id would grow without bound. Counts live in the process: under uvicorn
`--workers N` each process counts its own share and a scrape reaches one of them (run one process
per container, or prometheus_client's multiprocess mode as the workers do)."""

import time

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
)
from prometheus_client.exposition import choose_encoder
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from babelwire.auth import OPEN_ROUTE_OPENAPI
from babelwire.settings import get_settings

UNMATCHED_ROUTE = "unmatched"
"""The route label of a request no route matched (a 404 for any path): one value, whatever was asked."""
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class HttpMetrics:
    """The request metrics of one app, in its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        # The process's CPU, memory, open files and GC, as the default registry would have them.
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)
        self.requests = Counter(
            "babelwire_http_requests", "HTTP requests answered, by method, route template and status code.",
            ["method", "route", "status"], registry=self.registry,
        )
        self.duration = Histogram(
            "babelwire_http_request_duration_seconds",
            "Time from a request's arrival to the end of its response, by method and route template.",
            ["method", "route"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.body_bytes = Counter(
            "babelwire_http_request_body_bytes",
            "Request body bytes read, by method and route template (POST /v1/jobs on the ingest API: the upload bytes).",
            ["method", "route"], registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float, body_bytes: int) -> None:
        method = method if method in KNOWN_METHODS else "OTHER"
        self.requests.labels(method, route, str(status)).inc()
        self.duration.labels(method, route).observe(seconds)
        if body_bytes:
            self.body_bytes.labels(method, route).inc(body_bytes)

    def exposition(self, accept: str | None) -> Response:
        encode, content_type = choose_encoder(accept or "")
        return Response(encode(self.registry), media_type=content_type)


class RequestMetricsMiddleware:
    """Plain ASGI, outside every other middleware, so that requests refused by a middleware (413
    before the body is read) and unhandled errors (500) are counted too."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before it starts a response
        body_bytes = 0

        async def counting_receive() -> Message:
            nonlocal body_bytes
            message = await receive()
            if message["type"] == "http.request":
                body_bytes += len(message.get("body", b""))
            return message

        async def status_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, counting_receive, status_send)
        finally:
            # FastAPI puts the matched route in the (shared) scope while routing.
            route = getattr(scope.get("route"), "path", None) or UNMATCHED_ROUTE
            self.metrics.observe(scope["method"], route, status, time.perf_counter() - started, body_bytes)


def install_metrics(app: FastAPI) -> HttpMetrics:
    """GET /metrics on `app`; the caller wraps the app's middleware stack in RequestMetricsMiddleware."""
    metrics = HttpMetrics()
    app.state.metrics = metrics

    @app.get(
        "/metrics",
        tags=["health"],
        summary="Metrics in the Prometheus text format",
        response_class=Response,
        responses={200: {"content": {"text/plain": {}}, "description": "The Prometheus exposition."}},
        openapi_extra=None if get_settings().metrics_require_key else OPEN_ROUTE_OPENAPI,
    )
    def prometheus_metrics(request: Request) -> Response:
        return metrics.exposition(request.headers.get("accept"))

    return metrics
