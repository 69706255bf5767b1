"""Readiness: can this process reach PostgreSQL and the Redis broker right now? Both are checked
at once on fresh connections (a pooled one could hide a server that refuses new connections), each
bounded by short timeouts, and the answer never waits longer than
BABELWIRE_READINESS_TIMEOUT_SECONDS: a load balancer's probe must not hang on a dead dependency.

The database check also reads the periodic tasks' heartbeat (babelwire/periodic_runs.py): the
re-enqueue last run within BABELWIRE_PERIODIC_STALE_AFTER_SECONDS, or not. A stale heartbeat means
beat or every worker is missing; this API can still serve and accept, so it makes the answer
`degraded` (200), not 503: taking the API out of a load balancer would not bring beat back."""

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from typing import Literal

import psycopg
import redis
from pydantic import BaseModel, ConfigDict

from babelwire.outages import OutageLog
from babelwire.periodic_runs import REQUEUE, seconds_since_run
from babelwire.settings import Settings

log = logging.getLogger(__name__)

CheckResult = Literal["ok", "failed", "timeout", "stale", "never", "unknown"]
"""ok, failed (refused, unknown host, error) or timeout for a dependency; for `periodic`: ok,
stale (last run too long ago), never (no run recorded) or unknown (the database did not answer)."""
ESSENTIAL = ("database", "broker")
"""The checks whose failure makes the answer 503; any other one only makes it `degraded`."""
# Checks outlive a probe that gave up on them only until their own timeouts end; a few threads
# are enough for probes a few seconds apart.
_checks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readiness")
# Probes come every few seconds: a missing beat is logged once, not on each of them.
_periodic = OutageLog(log, "readiness: the periodic re-enqueue (beat and a worker)")


class Readiness(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [
            {"status": "ready", "checks": {"database": "ok", "broker": "ok", "periodic": "ok"}},
            {"status": "degraded", "checks": {"database": "ok", "broker": "ok", "periodic": "stale"}},
        ]}
    )
    status: Literal["ready", "degraded"]
    checks: dict[str, CheckResult]


def check_database(settings: Settings, timeout: float) -> CheckResult:
    """Raises when the database cannot be reached; else the periodic heartbeat's result, read on
    the same connection (one connection per probe, not two)."""
    # connect_timeout is whole seconds (libpq's minimum is 2); the caller's deadline is what bounds the probe.
    with psycopg.connect(
        settings.database_url, connect_timeout=max(2, round(timeout)), autocommit=True,
        options=f"-c statement_timeout={int(timeout * 1000)}",
    ) as conn:
        conn.execute("SELECT 1").fetchone()
        try:
            age = seconds_since_run(conn, REQUEUE)
        except psycopg.errors.UndefinedTable:
            return "never"  # migrations not applied yet: nothing can have run
    if age is None:
        return "never"
    return "ok" if age <= settings.periodic_stale_after else "stale"


def check_broker(settings: Settings, timeout: float) -> None:
    client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


def readiness(settings: Settings) -> dict[str, CheckResult]:
    """Each check's result (see CheckResult): `database`, `broker` and `periodic`."""
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
    database = futures["database"]
    results["periodic"] = database.result() if results["database"] == "ok" else "unknown"
    for name, result in results.items():
        if result == "timeout":
            log.warning("readiness: %s did not answer within %ss", name, timeout)
    if results["periodic"] == "ok":
        _periodic.succeeded()
    elif results["periodic"] in ("stale", "never"):
        _periodic.failed(
            f"no run for over {settings.periodic_stale_after:.0f}s" if results["periodic"] == "stale" else "no run recorded"
        )
    return results


def overall(checks: dict[str, CheckResult]) -> Literal["ready", "degraded", "unavailable"]:
    if any(checks[name] != "ok" for name in ESSENTIAL):
        return "unavailable"
    return "ready" if all(result == "ok" for result in checks.values()) else "degraded"
