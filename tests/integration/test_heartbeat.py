"""Beat's heartbeat, end to end: /readyz says `degraded` (still 200) while no worker has run the
periodic re-enqueue that beat sends (a worker without beat is not enough), `ready` once one has,
and `degraded` again once beat and its worker are gone for longer than
BABELWIRE_PERIODIC_STALE_AFTER_SECONDS; the read API's /metrics gives the last run's time."""

import time
import uuid
from pathlib import Path

import httpx
import psycopg

from tests.integration.helpers import start_worker, stop_process
from tests.integration.test_metrics import _serve, parse, value

STALE_AFTER_SECONDS = 4.0
GAUGE = "babelwire_periodic_last_run_timestamp_seconds"


def _readyz(base: str) -> tuple[int, dict]:
    response = httpx.get(f"{base}/readyz", timeout=10)
    return response.status_code, response.json()


def _until(base: str, periodic: str, timeout: float) -> tuple[int, dict]:
    deadline = time.monotonic() + timeout
    while True:
        status, body = _readyz(base)
        if body["checks"]["periodic"] == periodic or time.monotonic() > deadline:
            return status, body
        time.sleep(0.25)


def _gauge(base: str) -> float:
    return value(parse(httpx.get(f"{base}/metrics", timeout=10).text), GAUGE, task="requeue_waiting_files")


def test_readyz_is_degraded_without_a_periodic_run_and_ready_with_one(scratch_database: str, tmp_path: Path):
    env = {
        "DATABASE_URL": scratch_database,
        "BABELWIRE_QUEUE": f"babelwire-heartbeat-{uuid.uuid4().hex[:8]}",
        "BABELWIRE_REQUEUE_INTERVAL_SECONDS": "1",
        "BABELWIRE_PERIODIC_STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS),
    }
    api, base = _serve("services.api.app:app", env, tmp_path / "api.log")
    try:
        # A worker without beat: nothing sends the periodic tasks, so nothing records a run.
        worker = start_worker(f"heartbeat-nobeat-{uuid.uuid4().hex[:6]}", 1, tmp_path / "nobeat.log", env, beat=False)
        try:
            time.sleep(STALE_AFTER_SECONDS)
            without_beat = _readyz(base)
            gauge_without_beat = _gauge(base)
        finally:
            stop_process(worker)

        worker = start_worker(f"heartbeat-beat-{uuid.uuid4().hex[:6]}", 1, tmp_path / "beat.log", env)
        try:
            with_beat = _until(base, "ok", timeout=30)
            gauge_with_beat = _gauge(base)
            with psycopg.connect(scratch_database) as conn:
                now = conn.execute("SELECT extract(epoch FROM now())::float8").fetchone()[0]
        finally:
            stop_process(worker)
        stopped = time.monotonic()
        gone = _until(base, "stale", timeout=STALE_AFTER_SECONDS + 10)
        stale_after = time.monotonic() - stopped
        with psycopg.connect(scratch_database) as conn:
            age = conn.execute("SELECT extract(epoch FROM now() - ran_at)::float8 FROM periodic_runs").fetchone()[0]
    finally:
        stop_process(api)

    assert without_beat == (200, {"status": "degraded", "checks": {"database": "ok", "broker": "ok", "periodic": "never"}})
    assert gauge_without_beat == 0.0  # no sample at all until a run is recorded
    assert with_beat == (200, {"status": "ready", "checks": {"database": "ok", "broker": "ok", "periodic": "ok"}})
    assert now - 5 < gauge_with_beat <= now + 1, (gauge_with_beat, now)
    assert gone == (200, {"status": "degraded", "checks": {"database": "ok", "broker": "ok", "periodic": "stale"}})
    assert stale_after < STALE_AFTER_SECONDS + 3, f"stale only {stale_after:.1f}s after the worker stopped"
    assert STALE_AFTER_SECONDS < age < STALE_AFTER_SECONDS + 3, age
    print(
        f"/readyz said stale when the last run was {age:.1f}s old (threshold {STALE_AFTER_SECONDS:.0f}s), "
        f"{stale_after:.1f}s after beat's worker had stopped"
    )

    # Probes every quarter second: the API logged the missing beat once per episode, not per probe.
    log = (tmp_path / "api.log").read_text(errors="replace")
    assert log.count("periodic re-enqueue (beat and a worker): unavailable") == 2, log[-3000:]
    assert log.count("periodic re-enqueue (beat and a worker): available again") == 1, log[-3000:]
