"""Readiness: can this process reach PostgreSQL and the Redis broker right now? Both are checked
at once on fresh connections (a pooled one could hide a server that refuses new connections), each
bounded by short timeouts, and the answer never waits longer than
BABELWIRE_READINESS_TIMEOUT_SECONDS: a load balancer's probe must not hang on a dead dependency."""

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from typing import Literal

import psycopg
import redis
from pydantic import BaseModel, ConfigDict

from babelwire.settings import Settings

log = logging.getLogger(__name__)

CheckResult = Literal["ok", "failed", "timeout"]
# Checks outlive a probe that gave up on them only until their own timeouts end; a few threads
# are enough for probes a few seconds apart.
_checks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readiness")


class Readiness(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "ready", "checks": {"database": "ok", "broker": "ok"}}]}
    )
    status: Literal["ready"]
    checks: dict[str, CheckResult]


def check_database(settings: Settings, timeout: float) -> None:
    # connect_timeout is whole seconds (libpq's minimum is 2); the caller's deadline is what bounds the probe.
    with psycopg.connect(
        settings.database_url, connect_timeout=max(2, round(timeout)), autocommit=True,
        options=f"-c statement_timeout={int(timeout * 1000)}",
    ) as conn:
        conn.execute("SELECT 1").fetchone()


def check_broker(settings: Settings, timeout: float) -> None:
    client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


def readiness(settings: Settings) -> dict[str, CheckResult]:
    """Each dependency's result: `ok`, `failed` (refused, unknown host, error) or `timeout`."""
    timeout = settings.readiness_timeout_seconds
    futures = {
        "database": _checks.submit(check_database, settings, timeout),
        "broker": _checks.submit(check_broker, settings, timeout),
    }
    wait_for(futures.values(), timeout=timeout)
    results: dict[str, CheckResult] = {}
    for name, future in futures.items():
        if not future.done():
            results[name] = "timeout"
        elif (error := future.exception()) is not None:
            # The reason goes to the log only: the probe is open and the error names hosts and ports.
            log.warning("readiness: %s unreachable: %r", name, error)
            results[name] = "failed"
        else:
            results[name] = "ok"
    for name, result in results.items():
        if result == "timeout":
            log.warning("readiness: %s did not answer within %ss", name, timeout)
    return results
