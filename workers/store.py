"""What the worker reads and writes in PostgreSQL for one file. Each public function runs inside
the caller's transaction; a file's outcome, its article, its group and its job's counters are
committed together or not at all."""

from dataclasses import dataclass
from typing import Literal

import psycopg
from psycopg.types.json import Jsonb

from babelwire.changes import record_change
from babelwire.jobs import count_finished_files
from workers import neardup_index, translation_index
from workers.pipeline.process import ArticleDraft

FileStatus = Literal["created", "duplicate", "failed"]


@dataclass(frozen=True)
class PendingFile:
    id: int
    job_id: str
    name: str
    content: bytes


@dataclass(frozen=True)
class Outcome:
    status: FileStatus
    article_id: int | None = None
    duplicate_of: int | None = None
    group_id: int | None = None
    error: str | None = None
    similarity: float | None = None  # a duplicate's similarity to its canonical article
    language: str | None = None
    link_score: float | None = None  # the best score of the links that put a new article in its group
    linked_to: int | None = None  # the article of that best link


def load_pending_file(conn: psycopg.Connection, file_id: int) -> PendingFile | None:
    row = conn.execute(
        "SELECT id, job_id, name, content FROM job_files WHERE id = %s AND status = 'queued'",
        (file_id,),
    ).fetchone()
    if row is None:
        return None
    return PendingFile(row["id"], str(row["job_id"]), row["name"], bytes(row["content"]))


def queued_files(conn: psycopg.Connection, file_ids: list[int]) -> list[tuple[int, str]]:
    """(file, job) of those still queued, in the order asked, each once; their contents are not
    read here (a batch of large files would not fit in memory at once)."""
    rows = conn.execute(
        "SELECT id, job_id FROM job_files WHERE id = ANY(%s) AND status = 'queued'", (file_ids,)
    ).fetchall()
    job_of = {row["id"]: str(row["job_id"]) for row in rows}
    return [(file_id, job_of.pop(file_id)) for file_id in file_ids if file_id in job_of]


def record_article(
    conn: psycopg.Connection,
    file_id: int,
    draft: ArticleDraft,
    sketch: neardup_index.Sketch | None = None,
    links: translation_index.LinkMaterial | None = None,
) -> Outcome | None:
    """Stores the article, or finds the article it duplicates exactly or nearly, and links a new
    canonical article to the other language versions of its story. None when another run of the
    same task got there first. `sketch` is neardup_index.sketch(draft.text) and `links`
    translation_index.prepare(draft), best made before the transaction; made here when not given."""
    job_id = _claim(conn, file_id)
    if job_id is None:
        return None
    sketch = sketch or neardup_index.sketch(draft.text)
    # Held until commit: every worker storing an article that shares a band with this one waits,
    # so of two near duplicates stored at the same moment the second sees the first.
    neardup_index.lock_bands(conn, sketch)
    # The unique hash decides between concurrent workers: the loser's insert waits for the
    # winner's commit, does nothing, and then sees the winner's row.
    inserted = conn.execute(
        """INSERT INTO articles (file_id, language, script, language_confidence, languages_mixed,
                                 paragraph_languages, title, lead, text, paragraphs, captions, images,
                                 source_url, published_at, content_hash)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
           ON CONFLICT (content_hash) DO NOTHING
           RETURNING id""",
        (
            file_id,
            draft.language,
            draft.script,
            draft.language_confidence,
            draft.languages_mixed,
            Jsonb([{"paragraph": p.index, "language": p.code, "confidence": p.confidence} for p in draft.paragraph_languages]),
            draft.title,
            draft.lead,
            draft.text,
            Jsonb([{"kind": p.kind, "text": p.text} for p in draft.paragraphs]),
            list(draft.captions),
            list(draft.images),
            draft.source_url,
            draft.published_at,
            draft.content_hash,
        ),
    ).fetchone()
    if inserted is None:
        canonical = conn.execute(
            """SELECT coalesce(duplicate_of, id) AS id, coalesce(duplicate_similarity, 1.0) AS similarity
               FROM articles WHERE content_hash = %s""",
            (draft.content_hash,),
        ).fetchone()
        outcome = Outcome(
            "duplicate", duplicate_of=canonical["id"], similarity=canonical["similarity"], language=draft.language
        )
        _record_duplicate(conn, file_id, job_id, outcome, "exact")
    else:
        article_id = inserted["id"]
        near = neardup_index.find_canonical(conn, draft.text, sketch)
        if near.duplicate_of is not None:
            # A near duplicate keeps its own row (its text differs) but is never indexed and never
            # founds or joins a translation group: its canonical stands for it.
            conn.execute(
                "UPDATE articles SET duplicate_of = %s, duplicate_similarity = %s WHERE id = %s",
                (near.duplicate_of, near.similarity, article_id),
            )
            outcome = Outcome(
                "duplicate", article_id=article_id, duplicate_of=near.duplicate_of, similarity=near.similarity,
                language=draft.language,
            )
            _record_duplicate(conn, file_id, job_id, outcome, "near")
        else:
            neardup_index.index_article(conn, article_id, sketch)
            linked = translation_index.link_article(conn, article_id, links or translation_index.prepare(draft))
            best = max(linked.links, key=lambda link: link.score, default=None)
            outcome = Outcome(
                "created", article_id=article_id, group_id=linked.group_id, language=draft.language,
                link_score=best.score if best else None, linked_to=best.article_id if best else None,
            )
            record_change(
                conn, "article.created", article_id=article_id, group_id=linked.group_id, job_id=job_id,
                data={"file_id": file_id, "language": draft.language},
            )
    _finish(conn, file_id, job_id, outcome)
    return outcome


def record_rejection(conn: psycopg.Connection, file_id: int, error: str) -> Outcome | None:
    job_id = _claim(conn, file_id)
    if job_id is None:
        return None
    outcome = Outcome("failed", error=error)
    _finish(conn, file_id, job_id, outcome)
    return outcome


def waiting_file_ids(conn: psycopg.Connection, older_than_seconds: float, limit: int) -> list[int]:
    rows = conn.execute(
        """SELECT id FROM job_files
           WHERE status = 'queued'
             AND coalesce(enqueued_at, accepted_at) < now() - make_interval(secs => %s)
           ORDER BY coalesce(enqueued_at, accepted_at)
           LIMIT %s""",
        (older_than_seconds, limit),
    ).fetchall()
    return [row["id"] for row in rows]


def _claim(conn: psycopg.Connection, file_id: int) -> str | None:
    """Locks the file's row; a second run of the same task waits here, then finds it done."""
    row = conn.execute(
        "SELECT job_id, status FROM job_files WHERE id = %s FOR UPDATE", (file_id,)
    ).fetchone()
    if row is None or row["status"] != "queued":
        return None
    return row["job_id"]


def _record_duplicate(
    conn: psycopg.Connection, file_id: int, job_id: str, outcome: Outcome, match: Literal["exact", "near"]
) -> None:
    """An exact copy has no article of its own (`article_id` null); a near one has its own row."""
    record_change(
        conn, "article.duplicate", article_id=outcome.article_id, job_id=job_id,
        data={"file_id": file_id, "duplicate_of": outcome.duplicate_of, "similarity": outcome.similarity, "match": match},
    )


def _finish(conn: psycopg.Connection, file_id: int, job_id: str, outcome: Outcome) -> None:
    conn.execute(
        """UPDATE job_files
           SET status = %s, article_id = %s, duplicate_of = %s, duplicate_similarity = %s, error = %s,
               processed_at = now()
           WHERE id = %s""",
        (outcome.status, outcome.article_id, outcome.duplicate_of, outcome.similarity, outcome.error, file_id),
    )
    count_finished_files(
        conn,
        job_id,
        created=int(outcome.status == "created"),
        duplicates=int(outcome.status == "duplicate"),
        failed=int(outcome.status == "failed"),
    )
