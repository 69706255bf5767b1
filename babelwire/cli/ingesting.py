"""`babelwire ingest PATH...`: upload files, folders and archives to the ingest API in batches (one
job per batch), show progress while the workers process them, then a summary per language.

Exit status: 0 every file was stored (created or duplicate), 1 some failed or were not processed
in time, 2 a usage or connection error (nothing wrong with the files)."""

import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import httpx

from babelwire.cli.client import (
    check,
    connect,
    default_ingest_url,
    fail,
    key_option,
    unreachable,
    url_option,
)
from babelwire.display import visible

FINAL_JOB_STATES = {"succeeded", "partially_failed", "failed"}
NO_LANGUAGE = "-"
"""The summary row of files with no language: those that failed before one was detected."""


@dataclass(frozen=True)
class Upload:
    path: Path
    name: str
    """The name the job records: the path below the folder given, or the file's own name."""
    size: int


def collect(paths: Iterable[Path]) -> list[Upload]:
    """Every file to send, in a stable order. Folders are walked; hidden files and folders (a dot
    first) are skipped; archives are sent as they are, for the API to expand."""
    uploads: list[Upload] = []
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                below = found.relative_to(path)
                if found.is_file() and not any(part.startswith(".") for part in below.parts):
                    uploads.append(Upload(found, below.as_posix(), found.stat().st_size))
        elif path.is_file():
            uploads.append(Upload(path, path.name, path.stat().st_size))
    return uploads


def batches(uploads: list[Upload], max_files: int, max_bytes: int) -> Iterator[list[Upload]]:
    """Consecutive runs of at most `max_files` files and `max_bytes` bytes (a larger file goes alone)."""
    batch: list[Upload] = []
    size = 0
    for upload in uploads:
        if batch and (len(batch) == max_files or size + upload.size > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(upload)
        size += upload.size
    if batch:
        yield batch


@dataclass
class Tally:
    created: int = 0
    duplicates: int = 0
    failed: int = 0
    pending: int = 0


def tally_by_language(files: Iterable[dict[str, Any]]) -> dict[str, Tally]:
    """Per language (a job file's `language`), how many files made an article, repeated one, failed
    or are still waiting."""
    tallies: dict[str, Tally] = {}
    for file in files:
        tally = tallies.setdefault(file.get("language") or NO_LANGUAGE, Tally())
        if file["status"] == "created":
            tally.created += 1
        elif file["status"] == "duplicate":
            tally.duplicates += 1
        elif file["status"] == "failed":
            tally.failed += 1
        else:
            tally.pending += 1
    return dict(sorted(tallies.items(), key=lambda item: (item[0] == NO_LANGUAGE, item[0])))


def summary_table(tallies: dict[str, Tally]) -> list[str]:
    total = Tally(*(sum(getattr(t, field) for t in tallies.values()) for field in ("created", "duplicates", "failed", "pending")))
    columns = ["created", "duplicates", "failed"] + (["pending"] if total.pending else [])
    rows = [["language", *columns]]
    rows += [[language, *(str(getattr(t, c)) for c in columns)] for language, t in tallies.items()]
    rows.append(["total", *(str(getattr(total, c)) for c in columns)])
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns) + 1)]
    return [
        "  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in rows
    ]


class Progress:
    """A progress bar on a terminal; elsewhere (a pipe, a CI log) a plain line each time the count
    moves, since a bar redrawn with carriage returns makes no sense there."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.bar = None
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=total, label="processing", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        else:
            click.echo(f"processing: 0/{total} files", err=True)

    def update(self, done: int) -> None:
        if done <= self.done:
            return
        if self.bar is not None:
            self.bar.update(done - self.done)
        else:
            click.echo(f"processing: {done}/{self.total} files", err=True)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@url_option("BABELWIRE_INGEST_URL", default_ingest_url, "ingest API")
@key_option
@click.option("--batch-size", type=click.IntRange(min=1), default=100, show_default=True, help="Files per upload (one job each).")
@click.option(
    "--batch-bytes", type=click.IntRange(min=1), default=64 * 1024 * 1024, show_default=True,
    help="Bytes per upload; a larger file goes alone.",
)
@click.option("--timeout", type=click.FloatRange(min=0), default=3600, show_default=True, help="Seconds to wait for the workers.")
@click.option("--poll-interval", type=click.FloatRange(min=0.05), default=0.5, show_default=True, hidden=True)
def ingest(
    paths: tuple[Path, ...], url: str, key: str | None, batch_size: int, batch_bytes: int, timeout: float,
    poll_interval: float,
) -> None:
    """Upload PATHs (files, folders, zip / tar archives) in batches, show progress while the
    workers process them, then print created / duplicates / failed per language.

    Exit status: 0 all stored, 1 some file failed or was not processed within --timeout,
    2 a usage or connection error."""
    uploads = collect(paths)
    if not uploads:
        fail("no files to upload under " + ", ".join(map(str, paths)))
    try:
        with connect(url, key) as client:
            job_ids = _upload(client, list(batches(uploads, batch_size, batch_bytes)))
            jobs = _wait(client, job_ids, timeout, poll_interval)
    except httpx.TransportError as error:
        unreachable(url, error)
    files = [file for job in jobs for file in job["files"]]
    for line in summary_table(tally_by_language(files)):
        click.echo(line)
    failed = [file for file in files if file["status"] == "failed"]
    for file in failed:
        click.echo(f"failed: {visible(file['name'])}: {visible(file['error'] or '')}")
    unfinished = sum(1 for job in jobs if job["status"] not in FINAL_JOB_STATES)
    if unfinished:
        click.echo(f"babelwire: {unfinished} job(s) not finished after {timeout:g}s: " + ", ".join(
            job["job_id"] for job in jobs if job["status"] not in FINAL_JOB_STATES), err=True)
    sys.exit(1 if failed or unfinished else 0)


def _upload(client: httpx.Client, batched: list[list[Upload]]) -> list[str]:
    job_ids = []
    for number, batch in enumerate(batched, 1):
        handles = [upload.path.open("rb") for upload in batch]
        try:
            response = client.post(
                "/v1/jobs",
                files=[("files", (u.name, handle, "application/octet-stream")) for u, handle in zip(batch, handles)],
            )
        finally:
            for handle in handles:
                handle.close()
        check(response, f"upload {number} of {len(batched)} ({len(batch)} files) refused")
        accepted = response.json()
        job_ids.append(accepted["job_id"])
        click.echo(f"uploaded {number}/{len(batched)}: job {accepted['job_id']}, {accepted['files']} file(s)", err=True)
    return job_ids


def _wait(client: httpx.Client, job_ids: list[str], timeout: float, poll_interval: float) -> list[dict[str, Any]]:
    """Polls the jobs until all are finished or the timeout passes; returns their last state."""
    jobs: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout
    progress: Progress | None = None
    try:
        while True:
            for job_id in job_ids:
                if job_id not in jobs or jobs[job_id]["status"] not in FINAL_JOB_STATES:
                    response = client.get(f"/v1/jobs/{job_id}")
                    check(response, f"reading job {job_id}")
                    jobs[job_id] = response.json()
            if progress is None:
                progress = Progress(sum(job["counts"]["total"] for job in jobs.values()))
            progress.update(sum(job["counts"]["processed"] for job in jobs.values()))
            if all(job["status"] in FINAL_JOB_STATES for job in jobs.values()) or time.monotonic() > deadline:
                return [jobs[job_id] for job_id in job_ids]
            time.sleep(poll_interval)
    finally:
        if progress is not None:
            progress.close()
