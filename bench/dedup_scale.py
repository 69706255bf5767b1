"""How the near-duplicate stage scales with the store: articles/s through the same store functions
the worker calls (neardup_index.sketch, then store.record_article in one transaction), with 10k,
100k and 1M articles already indexed, and the measuring process's peak memory at each size.

    .venv/bin/python bench/dedup_scale.py [--sizes 10000,100000,1000000] [--articles 200] [--rounds 3]

Uses DATABASE_URL's server (default postgresql://postgres@127.0.0.1:5432/test), in one database per
size that it creates, migrates and drops. The filler is generated text, short to bound disk, with
its real band keys, loaded with COPY. The sizes are measured in turns (`--rounds`), each turn in a
fresh process (like a worker started against a store of that size), on a mix of new articles of
realistic length, near duplicates of those and near duplicates of filler articles.
"""

import argparse
import multiprocessing
import os
import random
import statistics
import struct
import sys
import time
import uuid
from dataclasses import fields
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from babelwire.migrate import apply_migrations  # noqa: E402
from tests.integration.helpers import database_url  # noqa: E402

FILLER_WORDS = 30
FILLER_CHUNK = 10_000
VOCABULARY_SIZE = 60_000
_SYLLABLES = [c + v for c in "কখগচজটডতদনপবমরলসহ" for v in ("", "া", "ি", "ু", "ে", "ো")] + [
    c + v for c in "bcdfghjklmnprstvz" for v in "aeiou"
]


def vocabulary(seed: int = 7) -> list[str]:
    """Made-up words in Bengali and Latin script: enough of them that random texts share no shingles."""
    rng = random.Random(seed)
    words: set[str] = set()
    while len(words) < VOCABULARY_SIZE:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def random_text(rng: random.Random, vocab: list[str], words: int, paragraphs: int = 1) -> str:
    per = max(1, words // paragraphs)
    return "\n\n".join(" ".join(rng.choices(vocab, k=per)) for _ in range(paragraphs))


# --- filler --------------------------------------------------------------------------------------


def _filler_chunk(args: tuple[int, int, int]) -> tuple[bytes, bytes, bytes]:
    """COPY data for articles [first, first + count): job_files and articles as text, bands binary."""
    from workers import neardup_index
    from workers.pipeline.fingerprint import content_hash

    first, count, job_seed = args
    vocab = _VOCAB
    rng = random.Random(first * 7919 + job_seed)
    files, articles, bands = [], [], []
    row = struct.Struct(">hiqiq")
    for article_id in range(first, first + count):
        text = random_text(rng, vocab, FILLER_WORDS)
        files.append(f"{article_id}\t{_FILLER_JOB}\t{article_id}\tfiller-{article_id}\t{len(text)}\tcreated\n")
        articles.append(f"{article_id}\t{article_id}\tbn\t{text}\t\\\\x{content_hash(text).hex()}\n")
        for key in neardup_index.sketch(text).band_keys:
            bands.append(row.pack(2, 8, key, 8, article_id))
    return "".join(files).encode(), "".join(articles).encode(), b"".join(bands)


_VOCAB: list[str] = []
_FILLER_JOB = ""


def _init_filler(vocab: list[str], job: str) -> None:
    global _VOCAB, _FILLER_JOB
    _VOCAB, _FILLER_JOB = vocab, job


def grow_filler(conn: psycopg.Connection, start: int, end: int, job: str, vocab: list[str]) -> dict[str, float]:
    """Adds filler articles with ids [start, end) and their band rows. The band index is dropped
    and rebuilt around the bulk load (as any bulk load would); the measured phase then uses it as
    the worker does, row by row."""
    timings: dict[str, float] = {}
    began = time.perf_counter()
    index_def = conn.execute(
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'article_bands' AND indexname = 'article_bands_lookup'"
    ).fetchone()["indexdef"]
    conn.execute("DROP INDEX article_bands_lookup")
    chunks = [(first, min(FILLER_CHUNK, end - first), 1) for first in range(start, end, FILLER_CHUNK)]
    with multiprocessing.get_context("fork").Pool(2, initializer=_init_filler, initargs=(vocab, job)) as pool:
        for files, articles, bands in pool.imap(_filler_chunk, chunks):
            with conn.cursor() as cur:
                with cur.copy("COPY job_files (id, job_id, position, name, size, status) FROM STDIN") as copy:
                    copy.write(files)
                with cur.copy("COPY articles (id, file_id, language, text, content_hash) FROM STDIN") as copy:
                    copy.write(articles)
                with cur.copy("COPY article_bands (band_key, article_id) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0) + bands + struct.pack(">h", -1))
            conn.commit()
    timings["copy_s"] = time.perf_counter() - began
    began = time.perf_counter()
    conn.execute("SET maintenance_work_mem = '1GB'")
    conn.execute(index_def)
    conn.execute("SELECT setval(pg_get_serial_sequence('articles', 'id'), (SELECT max(id) FROM articles))")
    conn.execute("SELECT setval(pg_get_serial_sequence('job_files', 'id'), (SELECT max(id) FROM job_files))")
    conn.commit()
    timings["index_s"] = time.perf_counter() - began
    began = time.perf_counter()
    conn.autocommit = True
    conn.execute("VACUUM ANALYZE article_bands")  # what autovacuum does to an insert-only table
    conn.execute("VACUUM ANALYZE articles")
    conn.execute("VACUUM ANALYZE job_files")  # else autovacuum does it during the next measured run
    conn.autocommit = False
    timings["vacuum_s"] = time.perf_counter() - began
    return timings


# --- measurement (a fresh process per size) ------------------------------------------------------


def _draft(text: str):
    """An ArticleDraft of whatever shape the store takes (the contract gained fields in issue 3)."""
    from workers.pipeline.article import Paragraph
    from workers.pipeline.fingerprint import content_hash
    from workers.store import ArticleDraft

    values = {
        "text": text, "title": None, "lead": None,
        "paragraphs": tuple(Paragraph("body", p) for p in text.split("\n\n")),
        "captions": (), "images": [], "source_url": None, "language": "bn", "script": "Beng",
        "language_confidence": 0.99, "languages_mixed": False, "published_at": None,
        "content_hash": content_hash(text),
    }
    accepted = {f.name for f in fields(ArticleDraft) if f.init}
    return ArticleDraft(**{k: v for k, v in values.items() if k in accepted})


def _edit(rng: random.Random, text: str, vocab: list[str]) -> str:
    """A near duplicate: a paragraph dropped when there are several, a few typos, a new footer."""
    paragraphs = [p.split(" ") for p in text.split("\n\n")]
    if len(paragraphs) > 3:
        del paragraphs[rng.randrange(1, len(paragraphs))]
    for _ in range(max(1, sum(map(len, paragraphs)) // 100)):
        words = rng.choice(paragraphs)
        position = rng.randrange(len(words))
        words[position] = words[position][:-1] + "x"
    return "\n\n".join(" ".join(words) for words in paragraphs) + "\n\n" + " ".join(rng.choices(vocab, k=3))


def _vm_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def measure(
    url: str, size: int, filler_ranges: list[range], articles: int, seed: int, queue: "multiprocessing.Queue"
) -> None:
    from babelwire.jobs import IncomingFile, create_job
    from workers import neardup_index, store

    rng = random.Random(seed)
    vocab = vocabulary()
    with psycopg.connect(url, row_factory=dict_row) as conn:
        # The work list, untimed: new articles of realistic length, near duplicates of them, and
        # near duplicates of filler articles.
        new_count = articles // 2
        near_new = articles * 3 // 10
        near_filler = articles - new_count - near_new
        originals = [random_text(rng, vocab, 360, paragraphs=6) for _ in range(new_count)]
        filler_ids = [rng.choice(rng.choice(filler_ranges)) for _ in range(near_filler)]
        filler = [r["text"] for r in conn.execute("SELECT text FROM articles WHERE id = ANY(%s)", (filler_ids,))]
        work: list[tuple[str, str]] = [("new", t) for t in originals]
        for text in rng.sample(originals, near_new):
            work.insert(rng.randrange(work.index(("new", text)) + 1, len(work) + 1), ("near", _edit(rng, text, vocab)))
        for text in filler:
            work.insert(rng.randrange(len(work) + 1), ("near", _edit(rng, text, vocab)))
        warmup = [("new", random_text(rng, vocab, 360, paragraphs=6)) for _ in range(20)]
        work = warmup + work
        job_id, file_ids = create_job(conn, [IncomingFile(f"m{i}.txt", b"x", 1) for i in range(len(work))])
        conn.commit()

        rss_before = _vm_kib("VmRSS")
        seconds: list[float] = []
        db_seconds: list[float] = []
        outcomes = {"created": 0, "duplicate": 0}
        expected_near = 0
        for position, ((kind, text), file_id) in enumerate(zip(work, file_ids)):
            draft = _draft(text)
            began = time.perf_counter()
            sketch = neardup_index.sketch(draft.text)
            in_db = time.perf_counter()
            with conn.transaction():
                outcome = store.record_article(conn, file_id, draft, sketch)
            ended = time.perf_counter()
            if position >= len(warmup):
                seconds.append(ended - began)
                db_seconds.append(ended - in_db)
                outcomes[outcome.status] += 1
                expected_near += kind == "near"
        queue.put({
            "seconds": seconds, "db_seconds": db_seconds,
            "created": outcomes["created"], "duplicates": outcomes["duplicate"], "expected_near": expected_near,
            "rss_before_kib": rss_before, "rss_after_kib": _vm_kib("VmRSS"), "peak_rss_kib": _vm_kib("VmHWM"),
        })


def relation_sizes(conn: psycopg.Connection) -> str:
    row = conn.execute(
        """SELECT pg_size_pretty(pg_relation_size('article_bands')) AS heap,
                  pg_size_pretty(pg_relation_size('article_bands_lookup')) AS idx,
                  (SELECT count(*) FROM article_bands) AS band_rows"""
    ).fetchone()
    return f"article_bands {row['band_rows']:,} rows: heap {row['heap']}, index {row['idx']}"


def _measure_in_fresh_process(url: str, size: int, filler: range, articles: int, seed: int) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=measure, args=(url, size, [filler], articles, seed, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--articles", type=int, default=200, help="measured articles per size and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    run = uuid.uuid4().hex[:8]
    urls = {size: database_url(server, f"babelwire_bench_{run}_{size}") for size in sizes}
    try:
        vocab = vocabulary()
        for size, url in urls.items():
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"')
            apply_migrations(url)
            with psycopg.connect(url, row_factory=dict_row) as conn:
                job = str(uuid.uuid4())
                conn.execute("INSERT INTO jobs (id, total) VALUES (%s, %s)", (job, size))
                conn.commit()
                timings = grow_filler(conn, 1, size + 1, job, vocab)
                print(f"store of {size:>9,}: filled in {timings['copy_s']:.0f}s + index {timings['index_s']:.0f}s"
                      f" + vacuum {timings['vacuum_s']:.0f}s; {relation_sizes(conn)}", flush=True)

        # One store per size, measured in turns, so that whatever else the machine does at the
        # time weighs on every size alike. Each turn is a fresh process, like a worker starting.
        results: dict[int, list[dict]] = {size: [] for size in sizes}
        for round_number in range(args.rounds):
            order = sizes[round_number % len(sizes):] + sizes[: round_number % len(sizes)]
            for size in order:
                seed = round_number * 1_000_003 + size
                results[size].append(
                    _measure_in_fresh_process(urls[size], size, range(1, size + 1), args.articles, seed)
                )

        summary: dict[int, dict[str, float]] = {}
        for size in sizes:
            seconds = [t for r in results[size] for t in r["seconds"]]
            in_db = [t for r in results[size] for t in r["db_seconds"]]
            summary[size] = {"mean": 1000 * statistics.fmean(seconds), "median": 1000 * statistics.median(seconds)}
            rounds_ms = ", ".join(f"{1000 * statistics.fmean(r['seconds']):.2f}" for r in results[size])
            print(
                f"{size:>9,} stored: {len(seconds)} articles in {sum(seconds):.2f}s = {len(seconds) / sum(seconds):.1f} articles/s;"
                f" per article mean {summary[size]['mean']:.2f} ms (rounds {rounds_ms}), median {summary[size]['median']:.2f},"
                f" p95 {1000 * sorted(seconds)[int(0.95 * len(seconds))]:.2f}; in the transaction mean"
                f" {1000 * statistics.fmean(in_db):.2f} ms; created {sum(r['created'] for r in results[size])},"
                f" duplicates {sum(r['duplicates'] for r in results[size])}"
                f" (near duplicates sent {sum(r['expected_near'] for r in results[size])});"
                f" worker peak RSS {max(r['peak_rss_kib'] for r in results[size]) / 1024:.0f} MiB"
                f" (RSS {max(r['rss_before_kib'] for r in results[size]) / 1024:.0f} MiB before the first article,"
                f" {max(r['rss_after_kib'] for r in results[size]) / 1024:.0f} MiB after the last)",
                flush=True,
            )
        small, large = sizes[0], sizes[-1]
        print(
            f"cost per article with {large:,} stored vs {small:,}: {summary[large]['mean'] / summary[small]['mean']:.2f}x"
            f" (mean), {summary[large]['median'] / summary[small]['median']:.2f}x (median); worker peak RSS"
            f" {max(r['peak_rss_kib'] for r in results[small]) / 1024:.0f} MiB ->"
            f" {max(r['peak_rss_kib'] for r in results[large]) / 1024:.0f} MiB"
        )
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            for url in urls.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


if __name__ == "__main__":
    main()
