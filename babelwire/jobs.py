"""Jobs and their files in PostgreSQL: created by the ingest API, read by both APIs."""

from dataclasses import dataclass
from uuid import UUID, uuid4

import psycopg

from babelwire.changes import record_change
from babelwire.schemas import Job, JobCounts, JobFile


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content: bytes | None
    """None when the file was refused at the door; `error` then says why."""
    size: int
    error: str | None = None


def create_job(conn: psycopg.Connection, files: list[IncomingFile]) -> tuple[UUID, list[int]]:
    """Stores the job and every file's bytes in the caller's transaction. Returns the job id and
    the ids of the files to process (refused files are recorded as failed straight away)."""
    job_id = uuid4()
    refused = sum(1 for f in files if f.error is not None)
    conn.execute("INSERT INTO jobs (id, total) VALUES (%s, %s)", (job_id, len(files)))
    with conn.cursor() as cursor:
        cursor.executemany(
            """INSERT INTO job_files (job_id, position, name, size, content, status, error, processed_at)
               VALUES (%s, %s, %s, %s, %s, %s, %s, CASE WHEN %s THEN now() END)
               RETURNING id, status""",
            [
                (job_id, position, f.name, f.size, f.content, "failed" if f.error else "queued", f.error, f.error is not None)
                for position, f in enumerate(files)
            ],
            returning=True,
        )
        queued: list[int] = []
        while True:
            row = cursor.fetchone()
            if row is not None and row["status"] == "queued":
                queued.append(row["id"])
            if not cursor.nextset():
                break
    if refused:
        count_finished_files(conn, str(job_id), failed=refused)
    return job_id, queued


def get_job(conn: psycopg.Connection, job_id: UUID) -> Job | None:
    job = conn.execute("SELECT * FROM jobs WHERE id = %s", (job_id,)).fetchone()
    if job is None:
        return None
    files = conn.execute(
        """SELECT f.id, f.name, f.status, f.article_id, f.duplicate_of, a.language, f.error
           FROM job_files f LEFT JOIN articles a ON a.id = coalesce(f.article_id, f.duplicate_of)
           WHERE f.job_id = %s ORDER BY f.position""",
        (job_id,),
    ).fetchall()
    return Job(
        job_id=job["id"],
        status=job["status"],
        counts=JobCounts(**{k: job[k] for k in ("total", "processed", "created", "duplicates", "failed")}),
        files=[JobFile(**f) for f in files],
        created_at=job["created_at"],
        finished_at=job["finished_at"],
    )


def count_finished_files(
    conn: psycopg.Connection, job_id: str, *, created: int = 0, duplicates: int = 0, failed: int = 0
) -> None:
    """Adds finished files to the job's counters and settles its status when the last one is in.
    One UPDATE, so concurrent workers finishing the same job's files never lose a count; it is the
    last statement of the transaction, so the job row stays locked only for the commit. The call
    that brings in the last file records `job.finished` in the same transaction."""
    settled = conn.execute(
        """UPDATE jobs SET
             processed = processed + %(n)s,
             created = created + %(created)s,
             duplicates = duplicates + %(duplicates)s,
             failed = failed + %(failed)s,
             status = CASE
               WHEN processed + %(n)s < total THEN 'running'
               WHEN failed + %(failed)s = 0 THEN 'succeeded'
               WHEN failed + %(failed)s = total THEN 'failed'
               ELSE 'partially_failed' END,
             finished_at = CASE WHEN processed + %(n)s = total THEN now() END
           WHERE id = %(job_id)s
           RETURNING status, finished_at, total, processed, created, duplicates, failed""",
        {
            "n": created + duplicates + failed,
            "created": created,
            "duplicates": duplicates,
            "failed": failed,
            "job_id": job_id,
        },
    ).fetchone()
    if settled is not None and settled["finished_at"] is not None and created + duplicates + failed > 0:
        record_change(
            conn,
            "job.finished",
            job_id=job_id,
            data={"status": settled["status"], "counts": {k: settled[k] for k in JobCounts.model_fields}},
        )
