"""Faults made real: a file that fails on every attempt inside a real worker (a poison file), and a
read API whose only pooled connection is stuck behind a lock."""

import os
import re
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
import redis

from tests.integration.helpers import POISON_FILE, REPO, bearer, free_port, poison_trigger, start_worker, stop_process, wait_for_http
from tests.texts import VI_WORDS, prose

MAX_RETRIES = 3
BACKOFF_MAX_SECONDS = 2
POISON = POISON_FILE
POISON_MESSAGE = "poison file refused by the fault test"
POISON_TRIGGER = poison_trigger(POISON_MESSAGE)
LOG_LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): \w+/[^\]]+\] (.*)$")


def story(key: str) -> bytes:
    return f"{prose(VI_WORDS)}\n\n{prose(VI_WORDS)}\n\nNguồn: https://news.example/{key}\n".encode()


@pytest.mark.parametrize("sent_as", ["one task per file", "one task for all"])
def test_a_poison_file_is_retried_with_backoff_then_failed_without_blocking_the_others(
    scratch_database: str, tmp_path: Path, sent_as: str
):
    from babelwire.jobs import IncomingFile, create_job
    from workers.app import PROCESS_FILE, PROCESS_FILES, celery_app

    queue = f"babelwire-faults-{uuid.uuid4().hex[:8]}"
    log_path = tmp_path / "worker.log"
    with psycopg.connect(scratch_database, autocommit=True, row_factory=psycopg.rows.dict_row) as db:
        db.execute(POISON_TRIGGER)
        # One worker child: a retry that blocked its process would hold up every other file.
        worker = start_worker(
            f"faults-{uuid.uuid4().hex[:6]}", concurrency=1, log_path=log_path,
            extra_env={
                # A database and queue of its own: the session worker's re-enqueue never sees these files.
                "DATABASE_URL": scratch_database,
                "BABELWIRE_QUEUE": queue,
                "BABELWIRE_TASK_MAX_RETRIES": str(MAX_RETRIES),
                "BABELWIRE_TASK_RETRY_BACKOFF_MAX_SECONDS": str(BACKOFF_MAX_SECONDS),
                "BABELWIRE_REQUEUE_AFTER_SECONDS": "3600",
            },
        )
        try:
            files = [IncomingFile(POISON, story("poison"), 0)] + [
                IncomingFile(f"good-{n}.txt", story(f"good-{n}"), 0) for n in range(4)
            ]
            with db.transaction():
                job_id, file_ids = create_job(db, files)
            poison_id, good_ids = file_ids[0], file_ids[1:]
            if sent_as == "one task per file":
                for file_id in file_ids:  # the poison file first: the others queue behind it
                    celery_app.send_task(PROCESS_FILE, args=[file_id], queue=queue)
            else:  # as an upload's files go out: the poison file first in the batch
                celery_app.send_task(PROCESS_FILES, args=[file_ids], queue=queue)

            job = _wait_for_final_job(db, job_id, timeout=60)
            rows = {r["id"]: r for r in db.execute(
                "SELECT id, status, error, processed_at, article_id FROM job_files WHERE job_id = %s", (job_id,)
            ).fetchall()}
        finally:
            stop_process(worker)
            db.execute("DROP TRIGGER IF EXISTS refuse_poison ON job_files; DROP FUNCTION IF EXISTS refuse_poison()")
            redis.Redis.from_url(os.environ["REDIS_URL"]).delete(queue)

    assert job["status"] == "partially_failed", job
    assert (job["total"], job["processed"], job["created"], job["failed"]) == (5, 5, 4, 1), job

    poison = rows[poison_id]
    assert poison["status"] == "failed" and poison["article_id"] is None
    assert poison["error"].startswith(f"processing failed after {MAX_RETRIES + 1} attempts: "), poison["error"]
    assert POISON_MESSAGE in poison["error"], poison["error"]
    assert _articles_of(scratch_database, poison_id) == 0  # every failed attempt rolled back

    for file_id in good_ids:
        assert rows[file_id]["status"] == "created", rows[file_id]
        # Sent after the poison file, done before it gave up: nobody waited for its retries.
        assert rows[file_id]["processed_at"] < poison["processed_at"]

    log = log_path.read_text(errors="replace")
    attempts = _poison_attempts(log, poison_id)
    assert len(attempts) == MAX_RETRIES + 1, attempts
    # The worker has one child. While the poison file waits out its first backoff (never 0 s),
    # that child is free and stores the other files: they are all done before the wait ends.
    failed_at, countdown = attempts[0]
    assert countdown >= 1, attempts
    done = [_logged_at(log, rf"file {file_id}: created ") for file_id in good_ids]
    assert max(done) < failed_at + timedelta(seconds=countdown), (attempts, done)
    for number, ((at, countdown), (next_at, _)) in enumerate(zip(attempts, attempts[1:])):
        # The capped exponential backoff, equal jitter: at most min(cap, 2**retries) seconds...
        assert 1 <= countdown <= min(BACKOFF_MAX_SECONDS, 2**number), attempts
        # ...and the next attempt came no earlier than the countdown said.
        assert (next_at - at).total_seconds() >= countdown - 0.01, attempts


def _articles_of(url: str, file_id: int) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM articles WHERE file_id = %s", (file_id,)).fetchone()[0]


def _wait_for_final_job(db: psycopg.Connection, job_id: uuid.UUID, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = db.execute("SELECT * FROM jobs WHERE id = %s", (job_id,)).fetchone()
        if job["finished_at"] is not None:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} not finished after {timeout}s: {job}")
        time.sleep(0.2)


def _logged_at(log: str, pattern: str) -> datetime:
    """When the worker logged the first line matching `pattern`."""
    for line in log.splitlines():
        if (match := LOG_LINE.match(line)) and re.search(pattern, match[2]):
            return datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f")
    raise AssertionError(f"no log line matches {pattern!r}")


def _poison_attempts(log: str, file_id: int) -> list[tuple[datetime, int]]:
    """Each failed attempt of the file in the worker's log: when it failed, and the countdown to
    the next (-1 for the last, which gave up)."""
    failed = re.compile(rf"file {file_id}: attempt (\d+) failed .*; retrying in (\d+)s$")
    gave_up = re.compile(rf"file {file_id}: giving up after (\d+) attempts")
    attempts: list[tuple[datetime, int]] = []
    for line in log.splitlines():
        if not (match := LOG_LINE.match(line)):
            continue
        at, message = datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f"), match[2]
        if m := failed.search(message):
            assert int(m[1]) == len(attempts) + 1, line
            attempts.append((at, int(m[2])))
        elif m := gave_up.search(message):
            assert int(m[1]) == len(attempts) + 1, line
            attempts.append((at, -1))
    return attempts


@pytest.fixture
def one_connection_api(database: str, tmp_path: Path):
    """The read API in a process of its own with a pool of one connection and a 1 s wait for it."""
    port = free_port()
    with (tmp_path / "api.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "services.api.app:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "BABELWIRE_DB_POOL_MIN": "1", "BABELWIRE_DB_POOL_MAX": "1",
                 "BABELWIRE_DB_POOL_TIMEOUT_SECONDS": "1"},
        )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process)


def test_an_exhausted_pool_answers_503_quickly_and_recovers(one_connection_api: str, database: str):
    url, headers = one_connection_api, bearer("read")
    assert httpx.get(f"{url}/v1/articles?limit=1", headers=headers, timeout=10).status_code == 200

    stuck: dict[str, httpx.Response] = {}
    with psycopg.connect(database) as locker:
        # Held by another session: a job read takes the API's only connection and waits on it.
        locker.execute("LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE")
        reader = threading.Thread(
            target=lambda: stuck.update(r=httpx.get(f"{url}/v1/jobs/{uuid.uuid4()}", headers=headers, timeout=30))
        )
        reader.start()
        try:
            _wait_for_lock_waiter(database, locker.info.backend_pid, timeout=10)
            started = time.monotonic()
            busy = httpx.get(f"{url}/v1/articles?limit=1", headers=headers, timeout=10)
            elapsed = time.monotonic() - started
        finally:
            locker.rollback()  # releases the lock
            reader.join(timeout=30)

    assert busy.status_code == 503, busy.text
    assert busy.headers["content-type"].startswith("application/problem+json")
    assert busy.json()["status"] == 503
    assert int(busy.headers["retry-after"]) > 0
    assert elapsed < 2.5, f"answered after {elapsed:.2f}s"
    # The stuck request finishes once the lock goes, and the pool serves again.
    assert not reader.is_alive() and stuck["r"].status_code == 404, stuck
    assert httpx.get(f"{url}/v1/articles?limit=1", headers=headers, timeout=10).status_code == 200


def _wait_for_lock_waiter(database: str, locker_pid: int, timeout: float) -> None:
    """Until another session waits on a lock of the locked table (the API's stuck request)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(database, autocommit=True) as observer:
        while not observer.execute(
            """SELECT 1 FROM pg_locks WHERE relation = 'jobs'::regclass AND NOT granted AND pid <> %s""",
            (locker_pid,),
        ).fetchone():
            assert time.monotonic() < deadline, "the API's request never waited on the lock"
            time.sleep(0.05)
