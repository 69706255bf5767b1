"""Workers killed with SIGKILL in the middle of a batch of thousands of files, several times, while
uploads go on: every accepted file ends processed exactly once and every job reaches a final status.

Everything is the test's own: a scratch database, a queue, a real ingest API process, one beat
process (as in docker-compose: never killed) and worker processes that the test kills two ways:
- a prefork child: Celery's pool replaces it, and the message of the task it was running is
  rejected back to the queue (task_acks_late + task_reject_on_worker_lost);
- a whole worker (main process and children): the messages it had taken stay unacknowledged in
  Redis until the visibility timeout (an hour); only the periodic re-enqueue brings those files back.
"""

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest
import redis

from tests.integration.helpers import (
    REPO,
    free_port,
    start_worker,
    stop_process,
    wait_for_http,
)
from tests.texts import EN_WORDS, VI_WORDS, prose

UPLOADS = 40
FILES_PER_UPLOAD = 50
EXACT_COPIES = 10  # files whose bytes repeat another file's, under another name
NEAR_COPIES = 10  # files one word away from another file
STORIES = UPLOADS * FILES_PER_UPLOAD - EXACT_COPIES - NEAR_COPIES
UPLOAD_PAUSE_SECONDS = 0.5  # spreads the uploads over the kills
HELD_BACK_UPLOADS = 4  # sent once the kills are over: the batch outlasts them however fast it runs
WORKERS = 2
CHILDREN_PER_WORKER = 2
# (what, which of the two worker slots): each kind three times, all while uploads still come in.
# Children die in slot 0, whole workers in slot 1: a pool notices a dead child only within seconds
# (billiard polls) and then hands the lost task's message back, which killing that whole worker
# first would prevent (the re-enqueue would still save the file, but the test could not tell).
KILLS = (("child", 0), ("worker", 1), ("child", 0), ("worker", 1), ("child", 0), ("worker", 1))
FILES_BETWEEN_KILLS = 100
REQUEUE_AFTER_SECONDS = 3
RECEIVED = re.compile(r"Task babelwire\.process_files?\[([0-9a-f-]+)\] received")
FINISHED = re.compile(r"Task babelwire\.process_files?\[([0-9a-f-]+)\] (?:succeeded|retry)")
LOST_CHILD = "WorkerLostError('Worker exited prematurely: signal 9"
# Each round resends every file that waited longer than the delay, so behind a backlog of a
# thousand files a round of 1000 (the default) floods the queue with copies that each cost a
# no-op task; the oldest sends go first, so the files a dead worker took still come back first.
REQUEUE_BATCH = 100
FINAL_TIMEOUT_SECONDS = 150  # the jobs are final within about 60 s of the last upload here


@dataclass(frozen=True)
class Upload:
    files: list[tuple[str, bytes]]


@dataclass(frozen=True)
class Kill:
    kind: str
    at: datetime  # the database's clock, to compare with processed_at
    done: int  # files with an outcome when it happened
    queued: int  # accepted files still waiting
    uploading: bool


def story(words: list[str], key: str) -> str:
    return f"{prose(words, 8)}\n\n{prose(words, 8)}\n\nSource: https://news.example/{key}\n"


def near_copy(text: str) -> str:
    """The same story with one word of its second paragraph changed (the cleaner may take a short
    first paragraph for the title, which is not part of the compared body)."""
    first, second, rest = text.split("\n\n", 2)
    words = second.split(" ")
    words[5] = "changed" if words[5] != "changed" else "altered"
    return "\n\n".join([first, " ".join(words), rest])


def make_uploads() -> tuple[list[Upload], list[tuple[str, str]], list[tuple[str, str]]]:
    """The uploads, and the (original name, copy name) pairs of exact and of near copies."""
    texts = [story(EN_WORDS if n % 2 else VI_WORDS, uuid.uuid4().hex) for n in range(STORIES)]
    names = [f"story-{n:04d}.txt" for n in range(STORIES)]
    files = list(zip(names, (t.encode() for t in texts)))
    exact = [(names[n], f"exact-copy-of-{n:04d}.txt") for n in range(0, EXACT_COPIES * 97, 97)]
    near = [(names[n], f"near-copy-of-{n:04d}.txt") for n in range(50, 50 + NEAR_COPIES * 89, 89)]
    files += [(copy, texts[names.index(original)].encode()) for original, copy in exact]
    files += [(copy, near_copy(texts[names.index(original)]).encode()) for original, copy in near]
    # Copies land in other uploads than their originals, and race them or come much later.
    random.Random(7).shuffle(files)
    assert len({name for name, _ in files}) == len(files) == UPLOADS * FILES_PER_UPLOAD
    uploads = [Upload(files[n : n + FILES_PER_UPLOAD]) for n in range(0, len(files), FILES_PER_UPLOAD)]
    return uploads, exact, near


# Above the suite's 300 s: a failing run's bounded waits add up to more, and its cleanup must run.
@pytest.mark.timeout(480)
def test_workers_killed_mid_batch_lose_and_double_nothing(scratch_database: str, tmp_path: Path):
    from babelwire.api_keys import create_key
    from workers import neardup_index
    from workers.pipeline import neardup
    from workers.pipeline.process import process_file

    uploads, exact, near = make_uploads()
    contents = {name: content for upload in uploads for name, content in upload.files}
    threshold = neardup_index.config().threshold
    for original, copy in near:  # the data is what it claims: each near copy is near its original
        similarity = neardup.similarity(process_file(contents[original]).text, process_file(contents[copy]).text)
        assert threshold + 0.05 <= similarity < 1, (original, similarity)

    queue = f"babelwire-kills-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": scratch_database,
        "BABELWIRE_QUEUE": queue,
        "BABELWIRE_REQUEUE_AFTER_SECONDS": str(REQUEUE_AFTER_SECONDS),
        "BABELWIRE_REQUEUE_INTERVAL_SECONDS": "1",
        "BABELWIRE_REQUEUE_BATCH": str(REQUEUE_BATCH),
        "BABELWIRE_LOG_FORMAT": "plain",  # the test reads the workers' lines in Celery's format
    }
    db = psycopg.connect(scratch_database, autocommit=True, row_factory=psycopg.rows.dict_row)
    key = create_key(db, "worker-kills", ["ingest"]).secret
    processes: list[subprocess.Popen] = []
    killed_pids: list[int] = []
    accepted: list[str] = []
    upload_errors: list[BaseException] = []
    kills: list[Kill] = []
    stranded = -1
    started = time.monotonic()
    starter = ThreadPoolExecutor(max_workers=WORKERS)
    kills_done = threading.Event()
    starting: list[Future[subprocess.Popen]] = []

    def start(number: int) -> Future[subprocess.Popen]:
        starting.append(starter.submit(_start, env, _worker_log(tmp_path, number)))
        return starting[-1]

    try:
        port = free_port()
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "services.ingest.app:app", "--host", "127.0.0.1", "--port", str(port)],
                cwd=REPO, env=env, stdout=(tmp_path / "ingest.log").open("wb"), stderr=subprocess.STDOUT,
            )
        )
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "workers.app", "beat", "--loglevel", "INFO",
                 "--schedule", str(tmp_path / "beat-schedule")],
                cwd=REPO, env=env, stdout=(tmp_path / "beat.log").open("wb"), stderr=subprocess.STDOUT,
            )
        )
        # Workers start in threads (a start takes seconds): a replacement comes up while the
        # next kill strikes the other worker.
        workers = [start(n) for n in range(WORKERS)]
        worker_numbers = list(range(WORKERS))
        wait_for_http(f"http://127.0.0.1:{port}/healthz", processes[0])

        def upload_all() -> None:
            client = httpx.Client(
                base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"}, timeout=60
            )
            try:
                with client:
                    for number, upload in enumerate(uploads):
                        if number == UPLOADS - HELD_BACK_UPLOADS:
                            kills_done.wait(timeout=180)
                        parts = [("files", (name, content, "text/plain")) for name, content in upload.files]
                        response = client.post("/v1/jobs", files=parts)
                        assert response.status_code == 202, response.text
                        accepted.append(response.json()["job_id"])
                        time.sleep(UPLOAD_PAUSE_SECONDS)
            except BaseException as error:  # reported by the test thread
                upload_errors.append(error)

        uploader = threading.Thread(target=upload_all, daemon=True)
        uploader.start()

        done_at_last_kill = 0
        dead_children: list[tuple[Path, str]] = []  # each with the line saying its pool saw it die
        for number, (kind, victim) in enumerate(KILLS):
            worker = workers[victim].result(timeout=120)
            state = _wait_for_progress(db, done_at_last_kill + FILES_BETWEEN_KILLS, timeout=60)
            if kind == "child":
                target = [_busy_child(worker)]
                log = _worker_log(tmp_path, worker_numbers[victim])
                dead_children.append((log, f"pid:{target[0].pid} exited with 'signal 9"))
            else:
                target = [psutil.Process(worker.pid), *psutil.Process(worker.pid).children(recursive=True)]
            for process in target:
                process.send_signal(signal.SIGKILL)
                killed_pids.append(process.pid)
            kills.append(Kill(kind, state["now"], state["done"], state["queued"], uploader.is_alive()))
            done_at_last_kill = state["done"]
            if kind == "worker":
                worker.wait(timeout=10)
                workers[victim] = start(WORKERS + number)
                worker_numbers[victim] = WORKERS + number
        for log, line in dead_children:
            _wait_for_line(log, line, timeout=30)
        kills_done.set()
        print(f"kills after {time.monotonic() - started:.1f}s: {kills}")

        uploader.join(timeout=120)
        assert not uploader.is_alive(), "uploads did not finish"
        assert not upload_errors, upload_errors
        assert len(accepted) == UPLOADS
        _wait_for_final_jobs(db, accepted, FINAL_TIMEOUT_SECONDS)
        print(f"all {UPLOADS} jobs final after {time.monotonic() - started:.1f}s")
        # The copies the re-enqueue sent, and the messages rejected back behind them, are read too.
        _wait_for_empty_queue(queue, timeout=60)

        files = db.execute(
            "SELECT id, job_id, name, status, article_id, duplicate_of, processed_at FROM job_files"
        ).fetchall()
        articles = db.execute("SELECT id, file_id, duplicate_of, content_hash FROM articles").fetchall()
        jobs = db.execute("SELECT * FROM jobs").fetchall()
        changes = {
            row["kind"]: row["n"]
            for row in db.execute("SELECT kind, count(*) AS n FROM changes GROUP BY kind").fetchall()
        }
    finally:
        kills_done.set()
        for future in starting:
            try:
                processes.append(future.result(timeout=120))
            except Exception:  # a start that failed has killed its own process
                pass
        starter.shutdown()
        for process in reversed(processes):
            if process.poll() is None:
                stop_process(process)
        for pid in killed_pids:  # a killed worker's orphans, should any have outlived it
            try:
                psutil.Process(pid).kill()
            except psutil.NoSuchProcess:
                pass
        db.close()
        stranded = _forget_queue(queue)
    lost, redelivered = _tasks_lost_with_children(
        [log.read_text(errors="replace") for log in tmp_path.glob("worker-*.log")]
    )
    print(f"tasks lost with a killed child: {len(lost)}, delivered again: {len(lost & redelivered)}; "
          f"messages stranded with killed workers: {stranded}")

    # Every accepted file has its outcome, none failed, and a file's outcome is recorded once.
    assert len(files) == UPLOADS * FILES_PER_UPLOAD
    statuses = {f["status"] for f in files}
    assert statuses <= {"created", "duplicate"}, [f for f in files if f["status"] not in ("created", "duplicate")][:5]
    by_name = {f["name"]: f for f in files}
    created = [f for f in files if f["status"] == "created"]
    assert len(created) == STORIES, (len(created), STORIES)

    # One article per text: one per story, plus the near copies' own rows; none made twice.
    assert len(articles) == STORIES + NEAR_COPIES, len(articles)
    assert len({a["file_id"] for a in articles}) == len(articles)
    assert sum(a["duplicate_of"] is None for a in articles) == STORIES
    article_of_file = {a["file_id"]: a for a in articles}
    for f in files:
        if f["article_id"] is not None:
            assert article_of_file[f["id"]]["id"] == f["article_id"], f
        else:
            assert f["status"] == "duplicate" and f["id"] not in article_of_file, f
    for pairs, match in ((exact, "exact"), (near, "near")):
        for original, copy in pairs:
            a, b = by_name[original], by_name[copy]
            assert sorted([a["status"], b["status"]]) == ["created", "duplicate"], (match, a, b)
            canonical, duplicate = (a, b) if a["status"] == "created" else (b, a)
            assert duplicate["duplicate_of"] == canonical["article_id"], (match, canonical, duplicate)
            assert (duplicate["article_id"] is None) == (match == "exact"), (match, duplicate)

    # Every job is final, its counters add up and agree with its files.
    assert len(jobs) == UPLOADS
    files_of_job: dict = {}
    for f in files:
        files_of_job.setdefault(f["job_id"], []).append(f["status"])
    for job in jobs:
        outcomes = files_of_job[job["id"]]
        assert job["status"] == "succeeded" and job["finished_at"] is not None, job
        assert job["total"] == job["processed"] == FILES_PER_UPLOAD == len(outcomes), job
        assert (job["created"], job["duplicates"], job["failed"]) == (
            outcomes.count("created"), outcomes.count("duplicate"), 0
        ), job
    # The change feed saw each outcome once.
    assert changes.get("article.created") == STORIES, changes
    assert changes.get("article.duplicate") == EXACT_COPIES + NEAR_COPIES, changes
    assert changes.get("job.finished") == UPLOADS, changes

    # The kills struck in the middle of the batch, with uploads still coming in.
    assert len(kills) == len(KILLS)
    assert all(kill.done > 0 and kill.queued > 0 and kill.uploading for kill in kills), kills
    # A child killed in a task had that task's message rejected back to the queue; a whole worker
    # killed left the messages it had taken unacknowledged in Redis (every live worker gives its
    # own back when stopped), so only the re-enqueue could have brought those files back.
    # (Each task lost with a child came back as the same message, without waiting for the re-enqueue.)
    assert lost, "no child was killed in the middle of a task"
    assert lost <= redelivered, f"tasks lost with a killed child and never delivered again: {lost - redelivered}"
    assert stranded >= sum(kind == "worker" for kind, _ in KILLS), stranded
    after_last_kill = sum(f["processed_at"] > kills[-1].at for f in files)
    print(f"{len(files)} files, {len(articles)} articles; processed after the last kill: {after_last_kill}")
    assert after_last_kill >= HELD_BACK_UPLOADS * FILES_PER_UPLOAD


def _worker_log(tmp_path: Path, number: int) -> Path:
    return tmp_path / f"worker-{number}.log"


def _start(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    return start_worker(
        f"kills-{uuid.uuid4().hex[:8]}", concurrency=CHILDREN_PER_WORKER, log_path=log_path, extra_env=env, beat=False
    )


def _wait_for_line(log_path: Path, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in log_path.read_text(errors="replace"):
        assert time.monotonic() < deadline, f"{log_path.name} never said {text!r} within {timeout}s"
        time.sleep(0.1)


def _tasks_lost_with_children(logs: list[str]) -> tuple[set[str], set[str]]:
    """From the workers' logs: the tasks that were running in a child when it was killed, and the
    tasks received more than once. A task was lost with a child when its worker received it before
    the child's death and did not finish it before that death, nor after it unless it received
    the task again first (the lost message can come back to the same worker)."""
    lost: set[str] = set()
    receipts_of: dict[str, int] = {}
    for log in logs:
        lines = log.splitlines()
        received: dict[str, list[int]] = {}
        finished: dict[str, list[int]] = {}
        for n, line in enumerate(lines):
            if m := RECEIVED.search(line):
                received.setdefault(m[1], []).append(n)
            elif m := FINISHED.search(line):
                finished.setdefault(m[1], []).append(n)
        for task_id, numbers in received.items():
            receipts_of[task_id] = receipts_of.get(task_id, 0) + len(numbers)
        for death in (n for n, line in enumerate(lines) if LOST_CHILD in line):
            for task_id, numbers in received.items():
                first = numbers[0]
                if first > death or any(first < n < death for n in finished.get(task_id, [])):
                    continue
                finish = min((n for n in finished.get(task_id, []) if n > death), default=None)
                again = min((n for n in numbers if n > death), default=None)
                if finish is None or (again is not None and again < finish):
                    lost.add(task_id)
    return lost, {task_id for task_id, count in receipts_of.items() if count > 1}


def _busy_child(worker: subprocess.Popen) -> psutil.Process:
    """A pool child of the worker caught running (in a task, most likely), else any of them."""
    children = psutil.Process(worker.pid).children()
    assert children, f"worker {worker.pid} has no pool children"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for child in children:
            try:
                if child.status() == psutil.STATUS_RUNNING:
                    return child
            except psutil.NoSuchProcess:
                pass
        time.sleep(0.005)
    return random.choice(children)


def _wait_for_progress(db: psycopg.Connection, done: int, timeout: float) -> dict:
    """Until at least `done` files have an outcome while others still wait; the counts then."""
    deadline = time.monotonic() + timeout
    while True:
        state = db.execute(
            """SELECT clock_timestamp() AS now,
                      count(*) FILTER (WHERE status <> 'queued') AS done,
                      count(*) FILTER (WHERE status = 'queued') AS queued
               FROM job_files"""
        ).fetchone()
        if state["done"] >= done and state["queued"] > 0:
            return state
        assert time.monotonic() < deadline, f"no progress to {done} files within {timeout}s: {state}"
        time.sleep(0.1)


def _wait_for_final_jobs(db: psycopg.Connection, job_ids: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        waiting = db.execute(
            "SELECT count(*) AS n FROM job_files WHERE job_id = ANY(%s::uuid[]) AND status = 'queued'", (job_ids,)
        ).fetchone()["n"]
        unfinished = db.execute(
            "SELECT count(*) AS n FROM jobs WHERE id = ANY(%s::uuid[]) AND finished_at IS NULL", (job_ids,)
        ).fetchone()["n"]
        if unfinished == 0:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"{unfinished} job(s) not final after {timeout}s; {waiting} file(s) still queued")
        time.sleep(0.5)


def _wait_for_empty_queue(queue: str, timeout: float) -> None:
    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    deadline = time.monotonic() + timeout
    while (left := broker.llen(queue)) > 0:
        assert time.monotonic() < deadline, f"{left} message(s) still in the queue after {timeout}s"
        time.sleep(0.2)


def _forget_queue(queue: str) -> int:
    """Drops the queue and the messages killed workers left unacknowledged in Redis (the hour-late
    restore would otherwise put them back into a queue nobody reads); returns how many those were."""
    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    broker.delete(queue)
    stranded = 0
    for tag, payload in broker.hscan_iter("unacked"):
        try:
            _, _, routing_key = json.loads(payload)
        except (ValueError, TypeError):
            continue
        if routing_key == queue:
            broker.hdel("unacked", tag)
            broker.zrem("unacked_index", tag)
            stranded += 1
    return stranded
