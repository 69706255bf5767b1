"""The real stack for integration tests: a fresh PostgreSQL database with the migrations applied,
the Redis broker on a queue of this run's own, a real Celery worker process, and the two FastAPI
apps. The servers come from DATABASE_URL / REDIS_URL (`make test` starts embedded ones when unset)."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from babelwire.migrate import apply_migrations
from tests.integration.helpers import API_KEYS, bearer, database_url, start_worker, stop_process

if "DATABASE_URL" not in os.environ or "REDIS_URL" not in os.environ:
    pytest.exit("integration tests need DATABASE_URL and REDIS_URL: run them with `make test`", returncode=2)

RUN_ID = uuid.uuid4().hex[:10]
SERVER_URL = os.environ["DATABASE_URL"]
TEST_DATABASE = f"babelwire_test_{RUN_ID}"
SEPARATE_WORKER_PROCESSES = 4


# The apps and the Celery app read their settings on import: point them at this run's database
# and queue before any test module imports them.
os.environ["DATABASE_URL"] = database_url(SERVER_URL, TEST_DATABASE)
os.environ["BABELWIRE_QUEUE"] = f"babelwire-test-{RUN_ID}"
os.environ["BABELWIRE_REQUEUE_AFTER_SECONDS"] = "3"
os.environ["BABELWIRE_REQUEUE_INTERVAL_SECONDS"] = "1"
# Reconciliation of translation groups within seconds, not minutes (test_translation_links.py).
os.environ["BABELWIRE_RELINK_DELAY_SECONDS"] = "0.5"
os.environ["BABELWIRE_RELINK_INTERVAL_SECONDS"] = "0.5"
# Webhook retries within a test's patience: first retry after about 0.3-0.6 s, then doubling.
os.environ["BABELWIRE_WEBHOOK_RETRY_BASE_SECONDS"] = "0.6"
os.environ["BABELWIRE_WEBHOOK_DISPATCH_INTERVAL_SECONDS"] = "1"
# The tests' webhook receivers listen on 127.0.0.1 over http: allowed here as an operator would
# allow a receiver on premises (by default both are refused; see babelwire/webhook_targets.py).
os.environ["BABELWIRE_WEBHOOK_ALLOW_HTTP"] = "true"
os.environ["BABELWIRE_WEBHOOK_ALLOWED_HOSTS"] = "127.0.0.1"
# The session's keys make many requests in bursts: rate limits stay on (counted in Redis) but high.
os.environ["BABELWIRE_RATE_LIMIT_INGEST"] = "100000/minute"
os.environ["BABELWIRE_RATE_LIMIT_READ"] = "100000/minute"
# The re-enqueue runs every second here; on a busy 2-core machine a tick can be late by more than
# the default four intervals, and /readyz must not call the session's beat dead for that.
os.environ["BABELWIRE_PERIODIC_STALE_AFTER_SECONDS"] = "30"



@pytest.fixture(scope="session")
def server_url() -> str:
    """The PostgreSQL server's URL, for tests that make databases of their own."""
    return SERVER_URL


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[str]:
    with psycopg.connect(SERVER_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{TEST_DATABASE}"')
    apply_migrations(os.environ["DATABASE_URL"])
    _make_keys(os.environ["DATABASE_URL"])
    yield os.environ["DATABASE_URL"]
    from babelwire.db import close_pool

    close_pool()
    with psycopg.connect(SERVER_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{TEST_DATABASE}" WITH (FORCE)')


def _make_keys(url: str) -> None:
    from babelwire.api_keys import SCOPES, create_key

    with psycopg.connect(url, row_factory=psycopg.rows.dict_row) as conn:
        for scope in SCOPES:
            API_KEYS[scope] = create_key(conn, f"tests-{scope}", [scope]).secret


@pytest.fixture(scope="session")
def worker(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One real worker process with four children and the periodic re-enqueue; yields its log."""
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    process = start_worker(f"test-{RUN_ID}", concurrency=4, log_path=log_path)
    yield log_path
    stop_process(process)
    import redis

    queue = os.environ["BABELWIRE_QUEUE"]
    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(queue, f"{queue}.periodic")


@pytest.fixture(scope="session")
def ingest(worker: Path):
    from fastapi.testclient import TestClient

    from services.ingest.app import app

    with TestClient(app, headers=bearer("ingest")) as client:
        yield client


@pytest.fixture(scope="session")
def api(database: str):
    from fastapi.testclient import TestClient

    from services.api.app import app

    with TestClient(app, headers=bearer("read")) as client:
        yield client


@pytest.fixture(scope="module")
def separate_workers(database: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[None]:
    """Four separate Celery worker processes, each with its own hostname and one child, for the
    tests that race work across processes."""
    module = request.module.__name__.rsplit(".", 1)[-1]
    processes = []
    try:
        for number in range(SEPARATE_WORKER_PROCESSES):
            log_path = tmp_path_factory.mktemp(f"{module}-worker-{number}") / "worker.log"
            processes.append(
                start_worker(
                    f"{module}{number}-{uuid.uuid4().hex[:6]}", concurrency=1, log_path=log_path,
                    # Every file is sent once: no re-enqueue of slow ones while the test runs.
                    extra_env={"BABELWIRE_REQUEUE_AFTER_SECONDS": "3600"},
                )
            )
        yield
    finally:
        for process in processes:
            stop_process(process)


@pytest.fixture(scope="module")
def poster(separate_workers: None):
    """An ingest client whose uploads the separate workers process."""
    from fastapi.testclient import TestClient

    from services.ingest.app import app

    with TestClient(app, headers=bearer("ingest")) as client:
        yield client


@pytest.fixture
def scratch_database(server_url: str) -> Iterator[str]:
    """An empty database of its own with the migrations applied, dropped afterwards."""
    name = f"babelwire_scratch_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = database_url(server_url, name)
    apply_migrations(url)
    yield url
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db(database: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(database, autocommit=True, row_factory=psycopg.rows.dict_row) as conn:
        yield conn
