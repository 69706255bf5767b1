"""End-to-end throughput and latency of the real stack on this machine (issue 8), with the ceilings
of the PostgreSQL and Redis it runs on.

    .venv/bin/python bench/end_to_end.py                                  # 2,000 articles, stored 0 and 10k
    .venv/bin/python bench/end_to_end.py --articles 5000 --stored 0,10000,100000 --mode batched,single,steady
    .venv/bin/python bench/end_to_end.py --articles 300 --stored 0 --profile batched   # + py-spy of the worker

One run, one command, on 127.0.0.1, stopping everything it started:

1. the stack of bench/load_test.py: embedded PostgreSQL and Redis (or a scratch database and a
   queue of their own on DATABASE_URL / REDIS_URL when both are set), migrations, a uvicorn ingest
   API, a uvicorn read API and a Celery worker (--worker-concurrency, default the setting's 2), rate
   limits off;
2. ceilings on that PostgreSQL and Redis: rows/s (and MB/s) of a COPY of article-sized rows into a
   scratch table, and no-op tasks/s through the broker (bench/noop_tasks.py: the project's Celery
   configuration, a worker of the same concurrency, tasks published one by one as the ingest API
   does);
3. for each --stored size (the store topped up to that many articles first by COPY, as
   bench/dedup_scale.py fills it: short filler texts with their real band keys) and each --mode,
   --articles new files (bench/e2e_corpus.py: 8-15 KB, real scripts, 10% near duplicates, 10% in
   translation pairs) uploaded to POST /v1/jobs:
     batched: --batch-size files per request, --upload-concurrency requests in flight;
     single:  one file per request, --single-concurrency requests in flight;
     steady:  one file per request paced at --steady-rate files/s (the p99 target's load);
   a file is visible when the read API shows its outcome: its article.created / article.duplicate
   change in GET /v1/changes (committed with the record, so readable then), or its job's
   job.finished for a file refused without an article. The feed is polled every --poll-interval
   seconds: one request per poll whatever the backlog, so the measuring costs the stack the same at
   any load (polling GET /v1/jobs/{id} per job would not). Latency = the poll answer that showed it
   minus the start of its upload request; articles/s = files / (last visible - first upload start).
   Afterwards every job (up to 300 of them) is read back with GET /v1/jobs/{id} and must be final;
4. the RSS of every process (APIs, worker main and children, redis-server; PostgreSQL as the PSS
   summed over its processes) sampled every --sample-every seconds during each run;
5. one table, with the ratio of each run's articles/s to the two ceilings.

--profile MODE adds one run of that mode (not in the table: py-spy takes CPU) that records the
worker's pool children with py-spy (wall clock, idle included, per thread) and prints where the
time inside the task goes: by stage, and the top functions inclusive and by own time.
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import psycopg
import redis
from psycopg.rows import dict_row

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.e2e_corpus import Corpus, CorpusFile  # noqa: E402
from bench.load_test import (  # noqa: E402
    Sampler,
    _merge_tree_names,
    _wait_for_worker_children,
    started_stack,
)
from tests.integration.helpers import stop_process  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
FEED_PAGE = 1000
STACK_PROCESSES = ("ingest-api", "read-api", "worker", "redis-server", "postgresql")


# ---------------------------------------------------------------- ceilings


def copy_ceiling(db_url: str, texts: list[str], rows: int) -> dict[str, float]:
    """COPY of `rows` article-sized rows (the corpus's texts, an articles-like row) into a scratch
    table, committed: what one client writing through COPY can reach."""
    table = f"bench_copy_{uuid.uuid4().hex[:8]}"
    data = [texts[i % len(texts)] for i in range(rows)]
    payload = sum(len(t.encode()) for t in data)
    with psycopg.connect(db_url) as conn:
        conn.execute(f"CREATE TABLE {table} (id bigint, language text, text text, content_hash bytea)")
        conn.commit()
        try:
            started = time.perf_counter()
            with conn.cursor() as cursor, cursor.copy(f"COPY {table} (id, language, text, content_hash) FROM STDIN") as copy:
                for number, text in enumerate(data):
                    copy.write_row((number, "bn", text, uuid.uuid4().bytes))
            conn.commit()
            seconds = time.perf_counter() - started
        finally:
            conn.execute(f"DROP TABLE {table}")
            conn.commit()
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds, "mb_per_s": payload / seconds / 1e6,
            "mean_row_bytes": payload / rows}


def noop_ceiling(db_url: str, redis_url: str, concurrency: int, tasks: int, workdir: Path) -> dict[str, float]:
    """No-op tasks/s through the same Redis: a worker of the configured concurrency on the
    project's Celery configuration (bench/noop_tasks.py), its own queue."""
    queue = f"babelwire-bench-noop-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": redis_url, "BABELWIRE_QUEUE": queue,
           "BABELWIRE_LOG_LEVEL": "WARNING"}
    log = (workdir / "noop-worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "bench.noop_tasks", "worker", "--concurrency", str(concurrency),
         "--hostname", f"{queue}@%h", "--loglevel", "WARNING"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_worker_children(worker, concurrency)
        done = subprocess.run([sys.executable, "-m", "bench.noop_tasks", str(tasks), "120"], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=180, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        stop_process(worker)
        log.close()
        redis.Redis.from_url(redis_url).delete(queue)
    result["tasks_per_s"] = result["done"] / result["total_s"]
    result["publish_per_s"] = result["tasks"] / result["publish_s"]
    return result


def text_core_ceiling(files: list[CorpusFile]) -> dict[str, float]:
    """The worker's pure work per article in one process, no database, no broker: the pipeline
    (decode, clean, identify), the near-duplicate sketch and the translation signals; CPU time."""
    from workers import neardup_index, translation_index
    from workers.pipeline.process import process_file

    process_file(files[0].content, files[0].name)  # models loaded outside the timing
    started = time.process_time()
    for corpus_file in files:
        draft = process_file(corpus_file.content, corpus_file.name)
        neardup_index.sketch(draft.text)
        translation_index.prepare(draft)
    seconds = time.process_time() - started
    return {"articles": len(files), "ms_per_article": 1000 * seconds / len(files), "per_core": len(files) / seconds}


# ---------------------------------------------------------------- the stored articles


def top_up(db_url: str, target: int) -> str:
    """Fills the store up to `target` articles with bench/dedup_scale.py's filler (COPY, index
    rebuilt, VACUUM ANALYZE). The articles of earlier runs count."""
    from bench.dedup_scale import grow_filler, vocabulary

    with psycopg.connect(db_url, row_factory=dict_row) as conn:
        have = conn.execute("SELECT count(*) AS n FROM articles").fetchone()["n"]
        if have >= target:
            return f"store has {have:,} articles"
        start = conn.execute(
            "SELECT greatest((SELECT max(id) FROM articles), (SELECT max(id) FROM job_files), 0) + 1 AS n"
        ).fetchone()["n"]
        job = str(uuid.uuid4())
        conn.execute("INSERT INTO jobs (id, total, status) VALUES (%s, %s, 'succeeded')", (job, target - have))
        conn.commit()
        timings = grow_filler(conn, start, start + target - have, job, vocabulary())
    return (f"store topped up from {have:,} to {target:,} articles: COPY {timings['copy_s']:.0f}s, "
            f"index {timings['index_s']:.0f}s, vacuum {timings['vacuum_s']:.0f}s")


# ---------------------------------------------------------------- a run


@dataclass
class Run:
    mode: str
    stored: int
    files: list[CorpusFile]
    per_request: int
    requests: list[tuple[str, float, int]] = field(default_factory=list)  # (job_id, started, files)
    upload_errors: list[str] = field(default_factory=list)
    seen_files: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # job -> visible times
    finished_jobs: dict[str, tuple[float, int]] = field(default_factory=dict)  # job -> (time, total)
    first_upload: float = 0.0
    last_upload_answer: float = 0.0
    uploads_done: bool = False
    timed_out: bool = False
    latencies: list[float] = field(default_factory=list)
    last_visible: float = 0.0
    memory: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    verification: str = ""
    outcomes: str = ""
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds during the run, by process (tree)
    wall: float = 0.0

    @property
    def uploaded(self) -> int:
        return sum(n for _, _, n in self.requests)

    @property
    def rate(self) -> float:
        return len(self.latencies) / (self.last_visible - self.first_upload) if self.latencies else 0.0

    def complete(self) -> bool:
        return self.uploads_done and all(job in self.finished_jobs for job, _, _ in self.requests)


async def feed_cursor(api: httpx.AsyncClient) -> str:
    """The end of the feed now: where a run starts following it."""
    cursor = "0-0"
    while True:
        page = (await api.get("/v1/changes", params={"after": cursor, "limit": FEED_PAGE})).raise_for_status().json()
        if not page["items"]:
            return page["next"]
        cursor = page["next"]


async def follow_feed(api: httpx.AsyncClient, cursor: str, run: Run, interval: float, deadline: float) -> None:
    while not run.complete():
        if time.monotonic() > deadline:
            run.timed_out = True
            return
        response = await api.get("/v1/changes", params={"after": cursor, "limit": FEED_PAGE})
        seen = time.monotonic()
        page = response.raise_for_status().json()
        for item in page["items"]:
            job = item["job_id"]
            if item["kind"] in ("article.created", "article.duplicate") and job:
                run.seen_files[job].append(seen)
            elif item["kind"] == "job.finished" and job:
                run.finished_jobs[job] = (seen, item["data"]["counts"]["total"])
        cursor = page["next"]
        if len(page["items"]) < FEED_PAGE:
            await asyncio.sleep(interval)


async def upload_all(ingest: httpx.AsyncClient, run: Run, args: argparse.Namespace) -> None:
    chunks = [run.files[i:i + run.per_request] for i in range(0, len(run.files), run.per_request)]
    in_flight = asyncio.Semaphore({"batched": args.upload_concurrency, "single": args.single_concurrency,
                                   "steady": args.steady_concurrency}[run.mode])
    run.first_upload = time.monotonic()

    async def send(chunk: list[CorpusFile]) -> None:
        async with in_flight:
            started = time.monotonic()
            try:
                response = await ingest.post(
                    "/v1/jobs", files=[("files", (f.name, f.content, "text/plain")) for f in chunk]
                )
            except httpx.HTTPError as error:
                run.upload_errors.append(f"{type(error).__name__}: {error}")
                return
            if response.status_code != 202:
                run.upload_errors.append(f"{response.status_code}: {response.text[:200]}")
                return
            run.requests.append((response.json()["job_id"], started, len(chunk)))
            run.last_upload_answer = max(run.last_upload_answer, time.monotonic())

    tasks = []
    for number, chunk in enumerate(chunks):
        if run.mode == "steady":  # paced: the n-th file starts at n / rate, late ones at once
            delay = run.first_upload + number * run.per_request / args.steady_rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(chunk)))
        else:
            tasks.append(asyncio.create_task(send(chunk)))
    await asyncio.gather(*tasks)
    run.uploads_done = True


async def measure(stack, run: Run, args: argparse.Namespace) -> None:  # noqa: ANN001
    timeout = httpx.Timeout(args.request_timeout)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with (
        httpx.AsyncClient(base_url=stack.ingest_url, headers={"Authorization": f"Bearer {stack.ingest_key}"},
                          timeout=timeout, limits=limits) as ingest,
        httpx.AsyncClient(base_url=stack.api_url, headers={"Authorization": f"Bearer {stack.read_key}"},
                          timeout=timeout) as api,
    ):
        cursor = await feed_cursor(api)
        deadline = time.monotonic() + args.run_timeout
        follower = asyncio.create_task(follow_feed(api, cursor, run, args.poll_interval, deadline))
        await upload_all(ingest, run, args)
        await follower
        # Each file's latency: its per-file change, or (refused files) its job's job.finished.
        for job, started, count in run.requests:
            times = sorted(run.seen_files.get(job, []))
            if job in run.finished_jobs:
                times += [run.finished_jobs[job][0]] * max(0, count - len(times))
            run.latencies.extend(t - started for t in times[:count])
            run.last_visible = max([run.last_visible, *times])
        run.verification = await verify(api, run)


async def verify(api: httpx.AsyncClient, run: Run) -> str:
    """Reads the jobs back from the read API (all of them, or 300 spread over the run)."""
    jobs = [job for job, _, _ in run.requests]
    sample = jobs if len(jobs) <= 300 else jobs[:: max(1, len(jobs) // 300)]
    final, files_final, files = 0, 0, 0
    for job in sample:
        body = (await api.get(f"/v1/jobs/{job}", params={"files_limit": 1000})).raise_for_status().json()
        final += body["status"] in ("succeeded", "partially_failed", "failed")
        files += len(body["files"])
        files_final += sum(f["status"] in ("created", "duplicate", "failed") for f in body["files"])
    return f"GET /v1/jobs/{{id}}: {final}/{len(sample)} jobs final, {files_final}/{files} of their files final"


def outcome_summary(db_url: str, run: Run) -> str:
    jobs = [job for job, _, _ in run.requests]
    with psycopg.connect(db_url, row_factory=dict_row) as conn:
        rows = conn.execute(
            """SELECT f.status, split_part(f.name, '-', 1) AS kind, count(*) AS n, count(a.group_id) AS grouped
               FROM job_files f LEFT JOIN articles a ON a.id = f.article_id
               WHERE f.job_id = ANY(%s::uuid[]) GROUP BY 1, 2""",
            (jobs,),
        ).fetchall()
    by = defaultdict(int)
    for row in rows:
        by[(row["kind"], row["status"])] += row["n"]
        by[(row["kind"], "grouped")] += row["grouped"]
    sent = Counter(f.kind for f in run.files)
    return (f"outcomes: distinct {sent['distinct']} sent -> created {by[('article', 'created')]}, "
            f"duplicate {by[('article', 'duplicate')]}, failed {by[('article', 'failed')]}; "
            f"near duplicates {sent['near_duplicate']} sent -> duplicate {by[('near', 'duplicate')]}, "
            f"created {by[('near', 'created')]}; translation-pair files {sent['translation']} sent -> "
            f"in a group {by[('pair', 'grouped')]}, created {by[('pair', 'created')]}")


# ---------------------------------------------------------------- profiling


class Profiler:
    """py-spy on each child of the worker (wall clock: --idle), stopped with SIGINT."""

    def __init__(self, worker_pid: int, directory: Path, rate: int) -> None:
        self.processes: list[tuple[subprocess.Popen, Path]] = []
        for child in psutil.Process(worker_pid).children():
            output = directory / f"py-spy-{child.pid}.txt"
            command = [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(child.pid), "--format",
                       "raw", "--output", str(output), "--rate", str(rate), "--nonblocking", "--idle", "--threads"]
            self.processes.append((subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), output))

    def stop(self) -> list[Path]:
        outputs = []
        for process, output in self.processes:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if output.exists():
                outputs.append(output)
        return outputs


FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")
STAGES = [  # (label, function, file ending): inclusive time under the task
    ("load the file (SELECT content)", "load_pending_file", "workers/store.py"),
    ("pipeline: decode, clean, identify (process_file)", "process_file", "workers/pipeline/process.py"),
    ("near-dup sketch (MinHash, band keys)", "sketch", "workers/neardup_index.py"),
    ("translation signals and keys (prepare)", "prepare", "workers/translation_index.py"),
    ("store.record_article (transaction body)", "record_article", "workers/store.py"),
    ("  find_canonical (candidates + verify)", "find_canonical", "workers/neardup_index.py"),
    ("  link_article (translation candidates)", "link_article", "workers/translation_index.py"),
    ("  index_article (band rows)", "index_article", "workers/neardup_index.py"),
    ("transaction enter/commit (babelwire.db)", "transaction", "babelwire/db.py"),
    ("waiting for PostgreSQL (psycopg wait, every query)", "wait", "psycopg/connection.py"),
    ("log line (describe_decision + log)", "describe_decision", "workers/logs.py"),
]


def _is_task(function: str, path: str) -> bool:
    return function in {"process_file", "process_files"} and path.endswith("workers/tasks.py")


def _frames(stack: str) -> list[tuple[str, str]]:
    frames = []
    for frame in stack.split(";"):
        match = FRAME.match(frame)
        frames.append((match["function"], match["file"]) if match else (frame, ""))
    return frames


def profile_summary(outputs: list[Path], rate: int, articles: int, top: int = 20) -> list[str]:
    """Where the time of the threads that ran tasks went (py-spy --threads: the psycopg pool's own
    threads and the beat process never run one and are left out)."""
    total = in_task = 0
    threads_used = 0
    stage = Counter()
    inclusive: Counter = Counter()
    own: Counter = Counter()
    for output in outputs:
        by_thread: dict[str, list[tuple[list[tuple[str, str]], int]]] = defaultdict(list)
        for line in output.read_text(errors="replace").splitlines():
            stack, _, count_text = line.rpartition(" ")
            if not count_text.isdigit():
                continue
            thread, _, rest = stack.partition(";")
            by_thread[thread].append((_frames(rest), int(count_text)))
        for stacks in by_thread.values():
            if not any(_is_task(fn, path) for frames, _ in stacks for fn, path in frames):
                continue
            threads_used += 1
            for frames, count in stacks:
                total += count
                task_at = next((i for i, (fn, path) in enumerate(frames) if _is_task(fn, path)), None)
                if task_at is None:
                    continue
                in_task += count
                inner = frames[task_at:]
                keys = set(inner)
                for label, function, ending in STAGES:
                    if any(fn == function and path.endswith(ending) for fn, path in keys):
                        stage[label] += count
                for fn, path in keys:
                    inclusive[f"{fn} ({_short(path)})"] += count
                fn, path = inner[-1]
                own[f"{fn} ({_short(path)})"] += count
    if not in_task:
        return [f"profile: {total} samples, none inside the task"]
    per_article = in_task / rate / articles * 1000
    lines = [f"py-spy, wall clock (--idle), {rate} Hz, the task-running thread of {threads_used} pool children: {total} samples, "
             f"{in_task} ({100 * in_task / total:.1f}%) inside the file tasks, the rest waiting for a task or in "
             f"Celery's loop (receive, acknowledge); {per_article:.1f} ms of task time per article ({articles} articles)",
             "time inside the task by stage (% of task samples, ms per article; nested stages indented):"]
    lines += [f"  {100 * stage[label] / in_task:5.1f}%  {stage[label] / rate / articles * 1000:6.1f} ms  {label}"
              for label, _, _ in STAGES]
    lines.append(f"top {top} functions inside the task, inclusive:")
    lines += [f"  {100 * n / in_task:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    lines.append(f"top {top} functions inside the task, own time (the innermost frame):")
    lines += [f"  {100 * n / in_task:5.1f}%  {name}" for name, n in own.most_common(top)]
    return lines


def _short(path: str) -> str:
    for marker in ("site-packages/", "/main/", "lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


# ---------------------------------------------------------------- report


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))] if ordered else float("nan")


def memory_peaks(run: Run) -> dict[str, float]:
    peaks = {}
    for name, samples in run.memory.items():
        if samples:
            peaks[name] = max(m for _, m in samples)
    return peaks


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """User + system CPU so far of each named process and all its descendants, of this process
    (the uploads and the feed polling), and of the whole machine (every CPU, busy time). A
    descendant that has exited (a PostgreSQL backend or autovacuum worker) counts through its
    parent's reaped-children times, so a difference of two readings loses nothing."""
    spent: dict[str, float] = {}
    for name, pid in pids.items():
        try:
            root = psutil.Process(pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        total = 0.0
        for process in tree:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system + times.children_user + times.children_system
        spent[name] = total
    mine = psutil.Process().cpu_times()
    spent["bench (uploads, polling)"] = mine.user + mine.system
    machine = psutil.cpu_times()
    spent["machine"] = machine.user + machine.nice + machine.system + machine.irq + machine.softirq + getattr(machine, "steal", 0.0)
    return spent


def print_report(runs: list[Run], copy: dict, noop: dict, text: dict, workers: int, footer: list[str]) -> None:
    print(f"\nceilings: COPY {copy['rows']:,} rows of {copy['mean_row_bytes'] / 1000:.1f} KB: {copy['rows_per_s']:,.0f} rows/s, "
          f"{copy['mb_per_s']:.1f} MB/s; no-op Celery tasks: {noop['tasks_per_s']:,.0f} tasks/s through the broker "
          f"({noop['done']}/{noop['tasks']} in {noop['total_s']:.1f}s; publishing alone {noop['publish_per_s']:,.0f}/s)")
    text_ceiling = text["per_core"] * workers
    print(f"text core (pipeline + sketch + translation signals, no I/O): {text['ms_per_article']:.1f} ms CPU per article,"
          f" {text['per_core']:.0f} articles/s per core, x {workers} worker processes = {text_ceiling:.0f} articles/s")
    header = (f"{'mode':<8}{'stored':>10}{'N':>7}{'files/req':>10}{'seconds':>9}{'art/s':>8}{'p50 ms':>9}{'p95 ms':>9}"
              f"{'p99 ms':>9}{'max ms':>9}{'/COPY':>8}{'/no-op':>8}{'/text':>7}")
    print(header)
    print("-" * len(header))
    for run in runs:
        seconds = run.last_visible - run.first_upload
        print(f"{run.mode:<8}{run.stored:>10,}{len(run.latencies):>7}{run.per_request:>10}{seconds:>9.1f}{run.rate:>8.1f}"
              + "".join(f"{1000 * percentile(run.latencies, q):>9.0f}" for q in (0.5, 0.95, 0.99, 1.0))
              + f"{run.rate / copy['rows_per_s']:>8.3f}{run.rate / noop['tasks_per_s']:>8.3f}{run.rate / text_ceiling:>7.2f}")
    print("\npeak RSS per process during each run, MiB (PostgreSQL: PSS summed over its processes); worker children: peak"
          " each, and RSS at the run's first -> last sample")
    for run in runs:
        peaks = memory_peaks(run)
        main = [f"{name} {peaks[name]:.0f}" for name in ("ingest-api", "read-api", "worker", "redis-server") if name in peaks]
        main += [f"postgresql {peaks[name]:.0f}" for name in peaks if name.startswith("postgresql all")]
        children = [
            f"{samples[0][1]:.0f}->{samples[-1][1]:.0f} (peak {max(m for _, m in samples):.0f})"
            for name, samples in sorted(run.memory.items()) if name.startswith("worker child") and samples
        ]
        print(f"  {run.mode} stored {run.stored:,}: " + ", ".join(main) + "; worker children " + ", ".join(children))
    print(f"\nCPU per article during each run, ms (process trees; machine = busy time of all {psutil.cpu_count()} CPUs)")
    for run in runs:
        if run.cpu and run.latencies:
            busy = run.cpu.get("machine", 0.0) / (run.wall * psutil.cpu_count()) if run.wall else 0.0
            parts = ", ".join(f"{name} {1000 * seconds / len(run.latencies):.1f}" for name, seconds in run.cpu.items())
            print(f"  {run.mode} stored {run.stored:,}: {parts}; CPUs {100 * busy:.0f}% busy")
    print("\nper run:")
    for run in runs:
        problems = []
        if run.timed_out:
            problems.append(f"TIMED OUT: {len(run.latencies)} of {run.uploaded} files visible")
        if run.upload_errors:
            problems.append(f"{len(run.upload_errors)} upload errors, first: {run.upload_errors[0]}")
        accepting = run.last_upload_answer - run.first_upload
        print(f"  {run.mode} stored {run.stored:,}: {run.uploaded} files in {len(run.requests)} requests, all answered"
              f" {accepting:.1f}s after the first ({run.uploaded / accepting:.0f} files/s accepted); "
              f"{run.verification}; {run.outcomes}" + ("; " + "; ".join(problems) if problems else ""))
    print_targets(runs)
    for line in footer:
        print(line)


def print_targets(runs: list[Run]) -> None:
    """Issue 8's targets on this machine, against what was measured."""
    def best(mode: str, stored: int | None = None) -> Run | None:
        chosen = [r for r in runs if r.mode == mode and (stored is None or r.stored == stored) and r.latencies]
        return max(chosen, key=lambda r: r.rate) if chosen else None

    print("\ntargets (issue 8):")
    for mode, target in (("batched", 1000), ("single", 200)):
        run = best(mode)
        if run:
            print(f"  {mode} >= {target} articles/s: best {run.rate:.1f} at {run.stored:,} stored "
                  f"-> {'met' if run.rate >= target else f'NOT met ({target / run.rate:.0f}x short)'}")
    steady = [r for r in runs if r.mode == "steady" and r.latencies]
    if steady:
        worst = max(percentile(r.latencies, 0.99) for r in steady)
        print(f"  steady: p99 upload-to-visible <= 1 s: worst p99 {1000 * worst:.0f} ms -> {'met' if worst <= 1 else 'NOT met'}"
              " (at the --steady-rate used)")
    for mode in ("batched", "single", "steady"):
        small, large = best(mode, 10_000), best(mode, 1_000_000)
        if small and large:
            ratio = small.rate / large.rate
            print(f"  {mode}: throughput at 1M stored within 1.3x of 10k: {ratio:.2f}x slower -> {'met' if ratio <= 1.3 else 'NOT met'}")
    # From the end of the first run (a child's first task loads the language model) to the end of the last.
    first, last = runs[0].memory, runs[-1].memory
    children = [name for name in first if name.startswith("worker child") and first[name] and last.get(name)]
    if len(runs) > 1 and children:
        growth = [last[name][-1][1] - first[name][-1][1] for name in children]
        print("  worker memory flat: RSS of each worker child (pool children and beat) from the end of the first run to"
              " the end of the last: " + ", ".join(f"{first[n][-1][1]:.1f}->{last[n][-1][1]:.1f} MiB" for n in children)
              + f" (largest rise {max(growth):+.1f} MiB over {sum(r.uploaded for r in runs[1:]):,} files)")


# ---------------------------------------------------------------- main


_MAIN_PID = os.getpid()


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    # `timeout` or `kill` end the run like Ctrl-C does: the stack's servers are stopped on the way out.
    if os.getpid() != _MAIN_PID:
        # A forked helper (the filler's process pool, which its pool ends with SIGTERM) inherits
        # this handler: it must die at once, as it would without one, not unwind holding a lock.
        os._exit(128 + signum)
    raise SystemExit(128 + signum)


def main() -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000, help="files uploaded per run (default 2000)")
    parser.add_argument("--stored", default="0,10000", help="store sizes to run at, ascending (e.g. 0,10000,100000,1000000)")
    parser.add_argument("--mode", default="batched,single,steady", help="batched, single, steady (comma-separated)")
    parser.add_argument("--batch-size", type=int, default=100, help="batched: files per request")
    parser.add_argument("--upload-concurrency", type=int, default=2, help="batched: requests in flight")
    parser.add_argument("--single-concurrency", type=int, default=8, help="single: requests in flight")
    parser.add_argument("--steady-rate", type=float, default=100.0, help="steady: files per second")
    parser.add_argument("--steady-concurrency", type=int, default=64, help="steady: most requests in flight")
    parser.add_argument("--poll-interval", type=float, default=0.05, help="seconds between change-feed polls")
    parser.add_argument("--sample-every", type=float, default=1.0, help="seconds between memory samples")
    parser.add_argument("--worker-concurrency", type=int, default=None, help="default: BABELWIRE_WORKER_CONCURRENCY's setting")
    parser.add_argument("--copy-rows", type=int, default=5000, help="rows in the COPY ceiling")
    parser.add_argument("--noop-tasks", type=int, default=5000, help="tasks in the broker ceiling")
    parser.add_argument("--run-timeout", type=float, default=600.0, help="seconds a run may take before it is cut short")
    parser.add_argument("--request-timeout", type=float, default=120.0)
    parser.add_argument("--profile", choices=["batched", "single", "steady"],
                        help="after the measured runs, one more run of that mode with py-spy on the worker's children")
    parser.add_argument("--profile-dir", help="keep py-spy's raw stacks (collapsed format) in this directory")
    parser.add_argument("--profile-rate", type=int, default=100, help="py-spy samples per second")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    modes = args.mode.split(",")
    sizes = sorted(int(s) for s in args.stored.split(","))
    if args.worker_concurrency is None:
        from babelwire.settings import get_settings

        args.worker_concurrency = get_settings().worker_concurrency
    stack_args = argparse.Namespace(keep_rate_limits=False, worker_concurrency=args.worker_concurrency)

    corpus = Corpus()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="babelwire-e2e-") as scratch, started_stack(stack_args) as stack:
        workdir = Path(scratch)
        print(f"Babelwire end to end on 127.0.0.1: {args.articles} files per run, stored {sizes}, modes {modes}")
        print(f"stack: {stack.description}")
        print(f"machine: {psutil.cpu_count()} CPUs, load average {'/'.join(f'{v:.2f}' for v in os.getloadavg())} at start",
              flush=True)
        sample_texts = [f.content.decode() for f in corpus.files(500, seed=args.seed * 1000 + 999)]
        copy = copy_ceiling(stack.database_url, sample_texts, args.copy_rows)
        print(f"ceiling COPY: {copy['rows_per_s']:,.0f} rows/s, {copy['mb_per_s']:.1f} MB/s", flush=True)
        noop = noop_ceiling(stack.database_url, stack.redis_url, args.worker_concurrency, args.noop_tasks, workdir)
        print(f"ceiling no-op tasks: {noop['tasks_per_s']:,.0f} tasks/s", flush=True)
        text = text_core_ceiling(corpus.files(300, seed=args.seed * 1000 + 998))
        print(f"text core, one process: {text['ms_per_article']:.1f} ms CPU per article = {text['per_core']:.0f} articles/s"
              " per core", flush=True)
        def one_run(size: int, mode: str, profile: bool) -> tuple[Run, list[str]]:
            files = corpus.files(args.articles, seed=args.seed * 1_000_003 + len(runs) + 1000 * profile)
            run = Run(mode, size, files, args.batch_size if mode == "batched" else 1)
            profiler = Profiler(stack.pids["worker"], workdir, args.profile_rate) if profile else None
            lines: list[str] = []
            sampler = Sampler(stack.pids, args.sample_every)
            sampler.start()
            began = time.monotonic() - sampler.started
            cpu_before = cpu_seconds(stack.pids)
            try:
                asyncio.run(measure(stack, run, args))
            finally:
                ended = time.monotonic() - sampler.started
                cpu_after = cpu_seconds(stack.pids)
                run.cpu = {name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after}
                run.wall = ended - began
                sampler.stop.set()
                sampler.join()
                if profiler:
                    outputs = profiler.stop()
                    if args.profile_dir:  # the raw stacks, e.g. for flamegraph.pl or speedscope
                        Path(args.profile_dir).mkdir(parents=True, exist_ok=True)
                        for output in outputs:
                            shutil.copy(output, args.profile_dir)
                    lines = profile_summary(outputs, args.profile_rate, run.uploaded)
            run.memory = {name: [s for s in samples if began - 1 <= s[0] <= ended + 1]
                          for name, samples in _merge_tree_names(sampler.series).items()}
            run.outcomes = outcome_summary(stack.database_url, run)
            print(f"  {mode} at {size:,} stored{' (profiled)' if profile else ''}: {run.rate:.1f} articles/s, p99 "
                  f"{1000 * percentile(run.latencies, 0.99):.0f} ms", flush=True)
            return run, lines

        for size in sizes:
            print(top_up(stack.database_url, size), flush=True)
            for mode in modes:
                runs.append(one_run(size, mode, profile=False)[0])
        footer = [f"machine load average at end {'/'.join(f'{v:.2f}' for v in os.getloadavg())}"]
        print_report(runs, copy, noop, text, args.worker_concurrency, footer)
        if args.profile:
            # A run of its own, after the measured ones: py-spy's sampling takes CPU from the stack.
            profiled, profile_lines = one_run(sizes[-1], args.profile, profile=True)
            print(f"\nprofile: an extra {args.profile} run of {profiled.uploaded} files at {sizes[-1]:,}+ stored, under "
                  f"py-spy ({profiled.rate:.1f} articles/s, not in the table)")
            print("\n".join(profile_lines))
    print("stack stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
