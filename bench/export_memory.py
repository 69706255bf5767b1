"""Memory and speed of the streaming NDJSON export (GET /v1/export/articles.ndjson): fills a scratch
database with N canonical articles (COPY, short texts, pairs in two-language groups), starts the read
API under uvicorn on 127.0.0.1, streams the export through httpx, and prints the server's resident
memory before, its peak during (sampled, and the kernel's high-water mark) and rows/s.

    .venv/bin/python bench/export_memory.py [--articles 50000]

Uses DATABASE_URL's server (default postgresql://postgres@127.0.0.1:5432/test), in a database it
creates, migrates and drops. The server runs with BABELWIRE_ALLOW_ANONYMOUS=true (no keys needed).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from babelwire.migrate import apply_migrations  # noqa: E402
from tests.integration.helpers import database_url, free_port, stop_process, wait_for_http  # noqa: E402
from tests.texts import EN_WORDS, VI_WORDS, prose  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def fill(url: str, articles: int) -> None:
    """One job, one file per article, articles in pairs (en, vi) sharing a group."""
    rng = random.Random(1)
    job_id = uuid.uuid4()
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO jobs (id, total) VALUES (%s, %s)", (job_id, articles))
        groups = [r[0] for r in conn.execute(
            "INSERT INTO translation_groups SELECT FROM generate_series(1, %s) RETURNING id", (articles // 2,)
        ).fetchall()]
        with conn.cursor().copy("COPY job_files (job_id, position, name, size, status) FROM STDIN") as copy:
            for i in range(articles):
                copy.write_row((job_id, i, f"{i}.txt", 100, "created"))
        file_ids = [r[0] for r in conn.execute("SELECT id FROM job_files ORDER BY position").fetchall()]
        columns = "file_id, language, text, source_url, content_hash, group_id, title, paragraphs"
        with conn.cursor().copy(f"COPY articles ({columns}) FROM STDIN") as copy:
            for i, file_id in enumerate(file_ids):
                language, words = ("en", EN_WORDS) if i % 2 == 0 else ("vi", VI_WORDS)
                text = prose(words, sentences=2)
                copy.write_row((
                    file_id, language, text, f"https://site{i % 50}.example.org/story-{i // 2}",
                    rng.randbytes(32), groups[i // 2] if i // 2 < len(groups) else None, text[:40],
                    json.dumps([{"kind": "body", "text": text}]),
                ))
        conn.execute("UPDATE job_files f SET article_id = a.id FROM articles a WHERE a.file_id = f.id")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE articles")


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def stream(base: str, pid: int, params: dict[str, str]) -> tuple[int, int, float, int]:
    """Lines, bytes, seconds, and the highest RSS sampled (KiB) while the export streamed."""
    peak, done = [rss_kib(pid)], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak.append(rss_kib(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines = size = 0
    started = time.perf_counter()
    with httpx.stream("GET", f"{base}/v1/export/articles.ndjson", params=params, timeout=600) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            json.loads(line)
            lines += 1
            size += len(line) + 1
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return lines, size, elapsed, max(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=50_000)
    args = parser.parse_args()

    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"babelwire_bench_export_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = database_url(server, name)
    process = None
    try:
        apply_migrations(url)
        started = time.perf_counter()
        fill(url, args.articles)
        print(f"filled {args.articles} articles in {time.perf_counter() - started:.1f}s")

        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "BABELWIRE_ALLOW_ANONYMOUS": "true"}
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "services.api.app:app", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "warning"],
            cwd=REPO, env=env,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/healthz", process)
        # Warm up: imports, the pool and one small export, so "before" is the server at rest.
        stream(base, process.pid, {"lang": "xx"})
        httpx.get(f"{base}/v1/articles", params={"limit": 10}, timeout=30).raise_for_status()
        before = rss_kib(process.pid)
        print(f"server RSS before: {before / 1024:.1f} MiB")
        for params in ({"limit_note": "all"}, {"lang": "vi"}, {"min_languages": "2"}, {}):
            params.pop("limit_note", None)
            lines, size, elapsed, peak = stream(base, process.pid, params)
            print(
                f"export {params or 'all'}: {lines} lines, {size / 2**20:.1f} MiB in {elapsed:.2f}s "
                f"= {lines / elapsed:,.0f} rows/s; server RSS peak sampled {peak / 1024:.1f} MiB "
                f"(+{(peak - before) / 1024:.1f} MiB over before)"
            )
        print(
            f"server RSS after: {rss_kib(process.pid) / 1024:.1f} MiB; "
            f"high-water mark (VmHWM) over the whole run: {rss_kib(process.pid, 'VmHWM') / 1024:.1f} MiB"
        )
    finally:
        if process is not None:
            stop_process(process)
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
