"""A bounded load test on 127.0.0.1: sustained uploads and reads against the real stack, with the
error rate and latency percentiles of each endpoint and the memory of every process over time.

    .venv/bin/python bench/load_test.py                       # 300 s; starts and stops its own stack
    .venv/bin/python bench/load_test.py --duration 600 --upload-rate 8 --read-rate 60
    .venv/bin/python bench/load_test.py --attach --ingest-url http://127.0.0.1:8000 \\
        --api-url http://127.0.0.1:8001 --key "$ADMIN_KEY" --pid ingest=1234 --pid api=1235 --pid worker=1236

Started stack: PostgreSQL and Redis from DATABASE_URL / REDIS_URL when both are set (a scratch
database and a queue of its own, dropped at the end), else embedded servers of its own
(babelwire.embedded, in a temporary directory) so that their memory is this test's alone; then a
uvicorn ingest API, a uvicorn read API and a Celery worker (--worker-concurrency children, with
beat), each a separate process. Rate limits are turned off in the started processes
(BABELWIRE_RATE_LIMIT_INGEST / _READ = 0) so that they do not shape the load; --keep-rate-limits
leaves the defaults on.

Load: --upload-rate files per second, in batches of 10 (prose in en/vi/ru as plain text and a
JSON en+vi pair sharing a URL, so translation groups form) and single files; --read-rate reads per
second spread over jobs (both APIs), article pages, article records, groups, the change feed and
the NDJSON export (of one language, so each export stays small). Requests are paced at those
rates by --concurrency client tasks (the bound on requests in flight); a slow server lowers the
rate rather than piling requests up.

Memory: every --sample-every seconds, the RSS of each API process, the worker's main process and
each of its children, redis-server, and PostgreSQL (the postmaster's RSS, and the PSS summed over
the postmaster and all its children, which counts shared buffers once). Printed at start, middle
and end, with the least-squares slope over the second half in MiB per minute and a verdict.
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.integration.helpers import (  # noqa: E402
    database_url,
    free_port,
    stop_process,
    wait_for_http,
)
from tests.texts import EN_WORDS, RU_WORDS, VI_WORDS, prose  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
BATCH_FILES = 10
# A process whose memory rises by more than this over the second half, and by more than
# GROWTH_FRACTION of its mid-run size, is called growing.
GROWTH_SLOPE_MIB_PER_MINUTE = 1.0
GROWTH_FRACTION = 0.05


# ---------------------------------------------------------------- the stack


@dataclass
class Stack:
    ingest_url: str
    api_url: str
    ingest_key: str
    read_key: str
    pids: dict[str, int]  # name -> pid of each process to measure (children are found each sample)
    redis_url: str | None = None
    database_url: str | None = None
    queue: str | None = None
    description: str = ""


@contextmanager
def started_stack(args: argparse.Namespace) -> Iterator[Stack]:
    """Servers, database, keys, two APIs and a worker; everything stopped and removed on exit."""
    from babelwire.api_keys import create_key
    from babelwire.embedded import local_services
    from babelwire.migrate import apply_migrations

    run_id = uuid.uuid4().hex[:8]
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="babelwire-load-")))
        machine = bool(os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"))
        if machine:
            server_url, redis_url = os.environ["DATABASE_URL"], os.environ["REDIS_URL"]
            name = f"babelwire_load_{run_id}"
            with psycopg.connect(server_url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            stack.callback(_drop_database, server_url, name)
            db_url = database_url(server_url, name)
            servers = f"PostgreSQL and Redis from DATABASE_URL / REDIS_URL (scratch database {name})"
        else:
            env_backup = {k: os.environ.pop(k) for k in ("DATABASE_URL", "REDIS_URL") if k in os.environ}
            urls = stack.enter_context(local_services(workdir / "data"))
            os.environ.update(env_backup)
            db_url, redis_url = urls["DATABASE_URL"], urls["REDIS_URL"]
            servers = "embedded PostgreSQL and Redis started for this run"
        apply_migrations(db_url)
        with psycopg.connect(db_url, row_factory=psycopg.rows.dict_row) as conn:
            ingest_key = create_key(conn, "load-ingest", ["ingest"]).secret
            read_key = create_key(conn, "load-read", ["read"]).secret
        queue = f"babelwire-load-{run_id}"
        env = {
            **os.environ, "DATABASE_URL": db_url, "REDIS_URL": redis_url, "BABELWIRE_QUEUE": queue,
            "BABELWIRE_LOG_LEVEL": "WARNING", "BABELWIRE_ALLOW_ANONYMOUS": "false",
        }
        if not args.keep_rate_limits:
            env.update(BABELWIRE_RATE_LIMIT_INGEST="0", BABELWIRE_RATE_LIMIT_READ="0")
        python = sys.executable
        ingest_port, api_port = free_port(), free_port()
        commands = {
            "ingest-api": [python, "-m", "uvicorn", "services.ingest.app:app", "--host", "127.0.0.1",
                           "--port", str(ingest_port), "--no-access-log"],
            "read-api": [python, "-m", "uvicorn", "services.api.app:app", "--host", "127.0.0.1",
                         "--port", str(api_port), "--no-access-log"],
            "worker": [python, "-m", "celery", "-A", "workers.app", "worker", "--beat",
                       "--schedule", str(workdir / "beat-schedule"), "--hostname", f"load-{run_id}@%h",
                       "--concurrency", str(args.worker_concurrency), "--loglevel", "WARNING"],
        }
        processes = {}
        for name, command in commands.items():
            log = stack.enter_context((workdir / f"{name}.log").open("wb"))
            process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
            stack.callback(stop_process, process)
            processes[name] = process
        wait_for_http(f"http://127.0.0.1:{ingest_port}/healthz", processes["ingest-api"])
        wait_for_http(f"http://127.0.0.1:{api_port}/healthz", processes["read-api"])
        _wait_for_worker_children(processes["worker"], args.worker_concurrency)
        pids = {name: process.pid for name, process in processes.items()}
        pids.update(_server_pids(db_url, redis_url))
        description = (
            f"{servers}; ingest API, read API (uvicorn, 1 process each) and a Celery worker "
            f"(concurrency {args.worker_concurrency}, with beat) started for this run; rate limits "
            + ("left at their settings" if args.keep_rate_limits else "OFF in these processes (BABELWIRE_RATE_LIMIT_*=0)")
        )
        yield Stack(
            f"http://127.0.0.1:{ingest_port}", f"http://127.0.0.1:{api_port}", ingest_key, read_key, pids,
            redis_url=redis_url, database_url=db_url, queue=queue, description=description,
        )


def _drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait_for_worker_children(worker: subprocess.Popen, concurrency: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(psutil.Process(worker.pid).children()) < concurrency:
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the worker did not start its children")
        time.sleep(0.2)
    time.sleep(2)  # let the pool's children finish importing before the first sample


def _server_pids(db_url: str, redis_url: str) -> dict[str, int]:
    """The postmaster (parent of our backend) and redis-server (its own INFO says its pid)."""
    with psycopg.connect(db_url) as conn:  # asked while the backend lives: it exits with the connection
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        pids = {"postgresql": psutil.Process(backend).ppid()}
    pids["redis-server"] = int(redis.Redis.from_url(redis_url).info("server")["process_id"])
    return pids


# ---------------------------------------------------------------- memory sampling


@dataclass
class MemorySeries:
    samples: dict[str, list[tuple[float, float]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, name: str, t: float, mib: float) -> None:
        self.samples[name].append((t, mib))


def _rss_mib(process: psutil.Process) -> float:
    return process.memory_info().rss / MIB


def _pss_mib(process: psutil.Process) -> float:
    try:
        return process.memory_full_info().pss / MIB
    except (psutil.AccessDenied, AttributeError):
        return process.memory_info().rss / MIB


def sample_once(pids: dict[str, int], series: MemorySeries, t: float) -> None:
    for name, pid in pids.items():
        try:
            root = psutil.Process(pid)
            if name == "postgresql":
                series.add("postgresql postmaster (RSS)", t, _rss_mib(root))
                tree = [root, *root.children(recursive=True)]
                series.add(f"postgresql all processes (PSS sum, {len(tree)} now)", t, sum(_pss_mib(p) for p in _alive(tree)))
                continue
            series.add(name, t, _rss_mib(root))
            for number, child in enumerate(sorted(root.children(recursive=True), key=lambda p: p.pid)):
                series.add(f"{name} child {number + 1} (pid {child.pid})", t, _rss_mib(child))
        except psutil.NoSuchProcess:
            series.add(f"{name} (gone)", t, 0.0)


def _alive(processes: list[psutil.Process]) -> Iterator[psutil.Process]:
    for process in processes:
        if process.is_running():
            yield process


def _merge_tree_names(series: MemorySeries) -> dict[str, list[tuple[float, float]]]:
    """The PostgreSQL tree's label carries its current process count: one row, the latest label."""
    merged: dict[str, list[tuple[float, float]]] = {}
    tree_label, tree_samples = None, []
    for name, samples in series.samples.items():
        if name.startswith("postgresql all processes"):
            tree_samples.extend(samples)
            tree_label = name
        else:
            merged[name] = samples
    if tree_label:
        merged["postgresql all processes (PSS sum)"] = sorted(tree_samples)
    return merged


class Sampler(threading.Thread):
    def __init__(self, pids: dict[str, int], every: float) -> None:
        super().__init__(daemon=True)
        self.pids, self.every = pids, every
        self.series = MemorySeries()
        self.started = time.monotonic()
        self.stop = threading.Event()

    def run(self) -> None:
        while True:
            sample_once(self.pids, self.series, time.monotonic() - self.started)
            if self.stop.wait(self.every):
                sample_once(self.pids, self.series, time.monotonic() - self.started)
                return


# ---------------------------------------------------------------- the load


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_examples: dict[str, str] = field(default_factory=dict)
    files_uploaded: int = 0

    def record(self, endpoint: str, seconds: float, error: str | None) -> None:
        self.latencies[endpoint].append(seconds)
        if error:
            self.errors[endpoint] += 1
            self.error_examples.setdefault(endpoint, error)


@dataclass
class Known:
    """Ids seen in responses, for reads of records that exist (bounded: the newest few thousand)."""

    jobs: deque = field(default_factory=lambda: deque(maxlen=2000))
    articles: deque = field(default_factory=lambda: deque(maxlen=5000))
    groups: deque = field(default_factory=lambda: deque(maxlen=2000))
    cursors: deque = field(default_factory=lambda: deque(maxlen=200))


def text_file(rng: random.Random) -> tuple[str, bytes]:
    language, words = rng.choice([("en", EN_WORDS), ("en", EN_WORDS), ("vi", VI_WORDS), ("ru", RU_WORDS)])
    return f"{language}-{uuid.uuid4().hex[:8]}.txt", prose(words, sentences=rng.randint(4, 10)).encode()


def json_pair() -> list[tuple[str, bytes]]:
    """One story in en and vi under one URL: the linker puts them in a translation group."""
    url = f"https://load.example.org/story/{uuid.uuid4().hex}"
    return [
        (f"pair-{language}.json", json.dumps({"text": prose(words), "url": url, "language": language}).encode())
        for language, words in (("en", EN_WORDS), ("vi", VI_WORDS))
    ]


class Pacer:
    """Hands out start times at `rate` per second to whichever client task asks next."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next = time.monotonic()
        self.lock = asyncio.Lock()

    async def wait(self, cost: float = 1.0) -> None:
        async with self.lock:
            now = time.monotonic()
            self.next = max(self.next, now - 1.0)  # after a stall, no burst of more than a second's worth
            start = self.next
            self.next += self.interval * cost
        if start > now:
            await asyncio.sleep(start - now)


async def run_load(stack: Stack, args: argparse.Namespace, results: Results, deadline: float) -> None:
    rng = random.Random(args.seed)
    known = Known()
    # An idle connection must be dropped by the client before uvicorn drops it (5 s keep-alive),
    # else a request sent on it as the server closes it fails as "Server disconnected".
    limits = httpx.Limits(keepalive_expiry=2.0)
    ingest = httpx.AsyncClient(base_url=stack.ingest_url, headers={"Authorization": f"Bearer {stack.ingest_key}"},
                               timeout=args.timeout, limits=limits)
    api = httpx.AsyncClient(base_url=stack.api_url, headers={"Authorization": f"Bearer {stack.read_key}"},
                            timeout=args.timeout, limits=limits)
    uploads, reads = Pacer(args.upload_rate), Pacer(args.read_rate)

    async def call(endpoint: str, client: httpx.AsyncClient, method: str, url: str, **kwargs) -> httpx.Response | None:
        started = time.monotonic()
        try:
            if method == "STREAM":
                async with client.stream("GET", url, **kwargs) as response:
                    async for _ in response.aiter_bytes():
                        pass
            else:
                response = await client.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            results.record(endpoint, time.monotonic() - started, f"{type(error).__name__}: {error}")
            return None
        ok = response.status_code < 400
        results.record(endpoint, time.monotonic() - started, None if ok else f"{response.status_code}: {response.text[:200]}")
        return response if ok else None

    async def upload() -> None:
        if rng.random() < 0.3:
            files = [text_file(rng) for _ in range(BATCH_FILES - 2)] + json_pair()
            endpoint = f"POST /v1/jobs ({BATCH_FILES} files)"
        else:
            files, endpoint = [text_file(rng)], "POST /v1/jobs (1 file)"
        await uploads.wait(cost=len(files))
        if time.monotonic() >= deadline:
            return
        response = await call(endpoint, ingest, "POST", "/v1/jobs",
                              files=[("files", (name, content, "application/octet-stream")) for name, content in files])
        if response is not None:
            results.files_uploaded += len(files)
            known.jobs.append(response.json()["job_id"])

    async def read() -> None:
        await reads.wait()
        if time.monotonic() >= deadline:
            return
        choice = rng.random()
        if choice < 0.20 and known.jobs:
            response = await call("GET /v1/jobs/{id} (ingest)", ingest, "GET", f"/v1/jobs/{rng.choice(known.jobs)}")
            if response is not None:
                known.articles.extend(f["article_id"] for f in response.json()["files"] if f["article_id"])
        elif choice < 0.30 and known.jobs:
            await call("GET /v1/jobs/{id} (read)", api, "GET", f"/v1/jobs/{rng.choice(known.jobs)}")
        elif choice < 0.50:
            params = {"limit": 50}
            if known.articles and rng.random() < 0.8:
                params["after"] = str(rng.choice(known.articles))
            response = await call("GET /v1/articles", api, "GET", "/v1/articles", params=params)
            if response is not None:
                for item in response.json()["items"]:
                    known.articles.append(item["id"])
                    if item["group_id"]:
                        known.groups.append(item["group_id"])
        elif choice < 0.75 and known.articles:
            await call("GET /v1/articles/{id}", api, "GET", f"/v1/articles/{rng.choice(known.articles)}")
        elif choice < 0.85 and known.groups:
            await call("GET /v1/groups/{id}", api, "GET", f"/v1/groups/{rng.choice(known.groups)}")
        elif choice < 0.96:
            params = {"limit": 100}
            if known.cursors and rng.random() < 0.9:
                params["after"] = rng.choice(known.cursors)
            response = await call("GET /v1/changes", api, "GET", "/v1/changes", params=params)
            if response is not None and response.json()["next"]:
                known.cursors.append(response.json()["next"])
        else:
            await call("GET /v1/export/articles.ndjson?lang=ru", api, "STREAM", "/v1/export/articles.ndjson",
                       params={"lang": "ru"})

    async def client_task(number: int) -> None:
        # A fixed share of the tasks upload, the rest read: each waits its turn at its pacer.
        action = upload if number < args.upload_tasks else read
        while time.monotonic() < deadline:
            await action()

    try:
        await asyncio.gather(*(client_task(n) for n in range(args.concurrency)))
    finally:
        await ingest.aclose()
        await api.aclose()


# ---------------------------------------------------------------- the report


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def slope_per_minute(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MiB), in MiB per minute."""
    if len(samples) < 2:
        return 0.0
    xs, ys = [t for t, _ in samples], [m for _, m in samples]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return 60 * sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread if spread else 0.0


def verdict(mid: float, end: float, slope: float) -> str:
    if slope <= GROWTH_SLOPE_MIB_PER_MINUTE:
        return "flat" if abs(slope) < 0.1 else ("steady" if slope > 0 else "shrinking")
    if end - mid <= GROWTH_FRACTION * mid:
        return "slight rise (within 5% of mid)"
    return "GROWING"


def print_report(results: Results, series: dict[str, list[tuple[float, float]]], load_start: float,
                 load_end: float, footer: list[str]) -> None:
    elapsed = load_end - load_start
    print(f"\nrequests over {elapsed:.0f} s of load")
    header = f"{'endpoint':<42}{'requests':>9}{'errors':>8}{'error %':>9}{'req/s':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    print(header)
    print("-" * len(header))
    everything: list[float] = []
    total_errors = 0
    for endpoint in sorted(results.latencies):
        values = sorted(results.latencies[endpoint])
        everything.extend(values)
        errors = results.errors.get(endpoint, 0)
        total_errors += errors
        print(f"{endpoint:<42}{len(values):>9}{errors:>8}{100 * errors / len(values):>9.2f}{len(values) / elapsed:>7.1f}"
              + "".join(f"{1000 * percentile(values, q):>9.1f}" for q in (0.5, 0.95, 0.99)) + f"{1000 * values[-1]:>9.1f}")
    everything.sort()
    if everything:
        print("-" * len(header))
        print(f"{'all':<42}{len(everything):>9}{total_errors:>8}{100 * total_errors / len(everything):>9.2f}"
              f"{len(everything) / elapsed:>7.1f}" + "".join(f"{1000 * percentile(everything, q):>9.1f}" for q in (0.5, 0.95, 0.99))
              + f"{1000 * everything[-1]:>9.1f}")
    for endpoint, example in sorted(results.error_examples.items()):
        print(f"  first error on {endpoint}: {example}")

    mid_time = load_start + elapsed / 2
    print(f"\nmemory, MiB (sampled every few seconds; start = load start, mid = {elapsed / 2:.0f} s in, end = load end;"
          " slope = least squares over the second half)")
    header = f"{'process':<48}{'start':>8}{'mid':>8}{'end':>8}{'peak':>8}{'slope MiB/min':>15}  verdict"
    print(header)
    print("-" * len(header))

    def at(samples: list[tuple[float, float]], t: float) -> float:
        return min(samples, key=lambda s: abs(s[0] - t))[1]

    for name, samples in series.items():
        during = [s for s in samples if load_start - 1 <= s[0] <= load_end + 1]
        if not during:
            continue
        second_half = [s for s in during if s[0] >= mid_time]
        start, mid, end = at(during, load_start), at(during, mid_time), at(during, load_end)
        slope = slope_per_minute(second_half)
        print(f"{name:<48}{start:>8.1f}{mid:>8.1f}{end:>8.1f}{max(m for _, m in during):>8.1f}{slope:>15.2f}  {verdict(mid, end, slope)}")
    print(f"  verdict: flat/steady when the second-half slope is at most {GROWTH_SLOPE_MIB_PER_MINUTE} MiB/min; "
          f"GROWING when above it and the end is more than {GROWTH_FRACTION:.0%} over the middle")
    for line in footer:
        print(line)


def processing_summary(stack: Stack) -> list[str]:
    if not stack.database_url:
        return []
    with psycopg.connect(stack.database_url) as conn:
        counts = dict(conn.execute("SELECT status, count(*) FROM job_files GROUP BY status").fetchall())
        articles, grouped = conn.execute("SELECT count(*), count(group_id) FROM articles").fetchone()
        # PostgreSQL's memory rises as its shared buffers fill with the growing data, up to this bound.
        size, shared_buffers = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())), current_setting('shared_buffers')"
        ).fetchone()
    queued = redis.Redis.from_url(stack.redis_url).llen(stack.queue) if stack.queue else None
    done = ", ".join(f"{status} {count}" for status, count in sorted(counts.items()))
    return [f"files by status at the end: {done}; articles {articles} ({grouped} in translation groups); "
            f"messages left in the broker queue: {queued}",
            f"PostgreSQL: database size {size} at the end, shared_buffers {shared_buffers}"]


def wait_for_drain(stack: Stack, timeout: float) -> float:
    """Seconds until no file is queued or running (at most `timeout`)."""
    started = time.monotonic()
    if not stack.database_url:
        return 0.0
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        while time.monotonic() - started < timeout:
            pending = conn.execute("SELECT count(*) FROM job_files WHERE status IN ('queued', 'running')").fetchone()[0]
            if pending == 0:
                break
            time.sleep(1)
    return time.monotonic() - started


# ---------------------------------------------------------------- main


def attached_stack(args: argparse.Namespace) -> Stack:
    key = args.key or os.environ.get("BABELWIRE_LOAD_KEY", "")
    pids = dict((name, int(pid)) for name, pid in (item.split("=", 1) for item in args.pid))
    return Stack(args.ingest_url, args.api_url, key, key, pids, description="attached to a running stack")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of load (default 300)")
    parser.add_argument("--concurrency", type=int, default=8, help="client tasks, the bound on requests in flight")
    parser.add_argument("--upload-tasks", type=int, default=2, help="how many of the client tasks upload")
    parser.add_argument("--upload-rate", type=float, default=5.0, help="files uploaded per second")
    parser.add_argument("--read-rate", type=float, default=40.0, help="read requests per second")
    parser.add_argument("--sample-every", type=float, default=5.0, help="seconds between memory samples")
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    parser.add_argument("--drain", type=float, default=120.0, help="seconds to wait after the load for queued files")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep-rate-limits", action="store_true", help="leave the rate limits on in the started APIs")
    parser.add_argument("--attach", action="store_true", help="use a running stack instead of starting one")
    parser.add_argument("--ingest-url", default="http://127.0.0.1:8000")
    parser.add_argument("--api-url", default="http://127.0.0.1:8001")
    parser.add_argument("--key", help="--attach: a key with ingest and read (or admin) scope; or BABELWIRE_LOAD_KEY")
    parser.add_argument("--pid", action="append", default=[], help="--attach: NAME=PID of a process to measure (repeat)")
    args = parser.parse_args()
    if args.upload_tasks >= args.concurrency:
        parser.error("--upload-tasks must leave some client tasks to read")

    context: Callable = (lambda: _nullcontext(attached_stack(args))) if args.attach else (lambda: started_stack(args))
    with context() as stack:
        print(f"Babelwire load test on 127.0.0.1: {args.duration:.0f} s, {args.concurrency} client tasks "
              f"({args.upload_tasks} uploading at {args.upload_rate:g} files/s, {args.concurrency - args.upload_tasks} "
              f"reading at {args.read_rate:g} req/s), memory sampled every {args.sample_every:g} s")
        print(f"stack: {stack.description}")
        print("processes measured: " + ", ".join(f"{name} pid {pid}" for name, pid in stack.pids.items()))
        print(f"machine: {psutil.cpu_count()} CPUs, load average {'/'.join(f'{v:.2f}' for v in os.getloadavg())} at start")
        sys.stdout.flush()
        sampler = Sampler(stack.pids, args.sample_every)
        sampler.start()
        results = Results()
        time.sleep(min(args.sample_every, 2))
        load_start = time.monotonic() - sampler.started
        deadline = time.monotonic() + args.duration
        try:
            asyncio.run(run_load(stack, args, results, deadline))
        finally:
            load_end = time.monotonic() - sampler.started
            drained = wait_for_drain(stack, args.drain)
            sampler.stop.set()
            sampler.join()
        footer = [
            f"uploaded {results.files_uploaded} files in {args.duration:.0f} s; the queue drained {drained:.0f} s after the load"
            + (" (not fully: see below)" if drained >= args.drain else ""),
            *processing_summary(stack),
            f"machine load average at end {'/'.join(f'{v:.2f}' for v in os.getloadavg())}",
        ]
        print_report(results, _merge_tree_names(sampler.series), load_start, load_end, footer)
    print("stack stopped" if not args.attach else "done")
    return 0


@contextmanager
def _nullcontext(value):  # noqa: ANN001, ANN202
    yield value


if __name__ == "__main__":
    sys.exit(main())
