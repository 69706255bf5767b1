"""Rate limits per API key, on real uvicorn processes sharing the real Redis: settings are read
when a process starts, so each test starts its own read API processes with a tiny limit, on a
scratch database holding keys made for the test."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import psycopg

from babelwire.api_keys import create_key
from tests.integration.helpers import REPO, free_port, stop_process, wait_for_http

LIMIT = 5
WINDOW_SECONDS = 4
TINY_LIMIT = f"{LIMIT}/{WINDOW_SECONDS} seconds"


def make_keys(database: str, *names: str) -> dict[str, dict[str, str]]:
    with psycopg.connect(database, row_factory=psycopg.rows.dict_row) as conn:
        return {name: {"Authorization": f"Bearer {create_key(conn, name, ['read']).secret}"} for name in names}


@contextmanager
def read_apis(database: str, log_dir: Path, count: int = 1, redis_url: str | None = None) -> Iterator[list[str]]:
    """`count` read API processes on free ports with the tiny limit; yields their base URLs."""
    env = {
        **os.environ, "DATABASE_URL": database, "BABELWIRE_RATE_LIMIT_READ": TINY_LIMIT,
        "REDIS_URL": redis_url or os.environ["REDIS_URL"], "BABELWIRE_LOG_FORMAT": "plain",
    }
    with ExitStack() as stack:
        bases = []
        for number in range(count):
            port = free_port()
            log = stack.enter_context((log_dir / f"api{number}.log").open("wb"))
            process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "services.api.app:app", "--host", "127.0.0.1", "--port", str(port)],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
            stack.callback(stop_process, process)
            base = f"http://127.0.0.1:{port}"
            wait_for_http(f"{base}/healthz", process)
            bases.append(base)
        yield bases


def get(base: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.get(f"{base}/v1/articles", headers=headers, timeout=10)


def assert_refused(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 429
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= WINDOW_SECONDS
    assert response.headers["RateLimit-Limit"] == str(LIMIT)
    assert response.headers["RateLimit-Remaining"] == "0"
    return retry_after


def test_a_key_over_its_limit_is_refused_alone_until_its_window_passes(scratch_database: str, tmp_path: Path) -> None:
    keys = make_keys(scratch_database, "a", "b")
    with read_apis(scratch_database, tmp_path) as [base]:
        started = time.monotonic()
        assert [get(base, keys["a"]).status_code for _ in range(LIMIT)] == [200] * LIMIT
        retry_after = assert_refused(get(base, keys["a"]))
        assert time.monotonic() - started < WINDOW_SECONDS, "too slow to show the limit within one window"
        # Another key has a count of its own.
        assert [get(base, keys["b"]).status_code for _ in range(LIMIT)] == [200] * LIMIT
        assert get(base, keys["a"]).status_code == 429  # still refused within its window
        time.sleep(retry_after + 0.5)
        # The moving window may have let in only the oldest hits: one request must pass.
        response = get(base, keys["a"])
        if response.status_code == 429:
            time.sleep(int(response.headers["Retry-After"]) + 0.5)
            response = get(base, keys["a"])
        assert response.status_code == 200, response.text


def test_every_api_process_shares_one_count_per_key(scratch_database: str, tmp_path: Path) -> None:
    keys = make_keys(scratch_database, "shared")
    with read_apis(scratch_database, tmp_path, count=2) as [first, second]:
        statuses = [get(first if n % 2 == 0 else second, keys["shared"]).status_code for n in range(LIMIT)]
        assert statuses == [200] * LIMIT
        # Neither process alone has seen LIMIT requests, yet both refuse the next ones.
        assert_refused(get(first, keys["shared"]))
        assert_refused(get(second, keys["shared"]))


def test_without_redis_the_api_keeps_answering_and_limits_in_memory(scratch_database: str, tmp_path: Path) -> None:
    keys = make_keys(scratch_database, "outage")
    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with read_apis(scratch_database, tmp_path, redis_url=closed) as [base]:
        started = time.monotonic()
        assert [get(base, keys["outage"]).status_code for _ in range(LIMIT)] == [200] * LIMIT
        assert_refused(get(base, keys["outage"]))
        assert time.monotonic() - started < WINDOW_SECONDS
    log = (tmp_path / "api0.log").read_text(errors="replace")
    assert log.count("Redis unreachable") == 1, log
