"""Read-side queries: rows from PostgreSQL into the shared record schemas."""

from collections.abc import Iterator
from datetime import datetime
from uuid import UUID

import psycopg

from babelwire.db import get_pool
from babelwire.language_filter import parse_language_filter
from babelwire.schemas import (
    Article,
    ArticlePage,
    ArticleSummary,
    DuplicateSighting,
    Group,
    GroupLink,
    GroupMember,
    Job,
    JobCounts,
    JobFile,
    JobSummary,
    Origin,
    Translation,
)


def get_article(conn: psycopg.Connection, article_id: int) -> Article | None:
    row = conn.execute(
        """SELECT a.*, f.job_id, f.name AS file_name
           FROM articles a JOIN job_files f ON f.id = a.file_id
           WHERE a.id = %s""",
        (article_id,),
    ).fetchone()
    if row is None:
        return None
    duplicates = conn.execute(
        """SELECT f.id AS file_id, f.job_id, f.name, j.created_at AS received_at, f.article_id,
                  coalesce(f.duplicate_similarity, 1.0) AS similarity,
                  CASE WHEN f.article_id IS NULL AND coalesce(f.duplicate_similarity, 1.0) = 1.0
                       THEN 'exact' ELSE 'near' END AS kind
           FROM job_files f JOIN jobs j ON j.id = f.job_id
           WHERE f.duplicate_of = %s ORDER BY f.id""",
        (article_id,),
    ).fetchall()
    translations = []
    if row["group_id"] is not None:
        translations = conn.execute(
            "SELECT id, language FROM articles WHERE group_id = %s AND id <> %s ORDER BY id",
            (row["group_id"], article_id),
        ).fetchall()
    return Article(
        **{k: row[k] for k in Article.model_fields if k in row},
        duplicates=[DuplicateSighting(**d) for d in duplicates],
        translations=[Translation(**t) for t in translations],
        origin=Origin(file_id=row["file_id"], job_id=row["job_id"], name=row["file_name"]),
    )


ARTICLE_FILTERS = {
    "after": "id > %(after)s",
    "language": "language = %(language)s",  # a tag with a script: `zh-Hant`
    "language_base": "language_base = %(language_base)s",  # a language in any script: `zh`
    "group_id": """group_id = (SELECT coalesce(merged_into, id) FROM translation_groups WHERE id = %(group_id)s)""",
    "domain": "source_domain(source_url) = %(domain)s",
    # Spelled as the partial indexes' predicates, so the planner can use them.
    "canonical": "duplicate_of IS NULL",
    "duplicates": "duplicate_of IS NOT NULL",
    "since": "updated_at >= %(since)s",
}
"""The SQL of each filter of GET /v1/articles; `source_domain()` is the indexed function of migration 0007."""


def list_articles(
    conn: psycopg.Connection,
    *,
    limit: int,
    after: int | None,
    language: str | None,
    group_id: int | None,
    source_domain: str | None = None,
    canonical: bool | None = None,
    updated_since: datetime | None = None,
) -> ArticlePage:
    """Keyset pagination on the article id: stable while new articles arrive, and as fast on the
    last page as on the first. Filters combine with AND; each has an index (migration 0007). A
    merged group's id stands for the group it was merged into, as on GET /v1/groups/{id}."""
    asked = {
        "after": after,
        "language": None,
        "language_base": None,
        "group_id": group_id,
        "domain": source_domain,
        "canonical": True if canonical is True else None,
        "duplicates": True if canonical is False else None,
        "since": updated_since,
    }
    if language is not None:
        by_language = parse_language_filter(language)  # a column of ARTICLE_FILTERS
        asked[by_language.column] = by_language.value
    # Only the filters given become SQL, so each query's plan can use its index.
    where = " AND ".join(ARTICLE_FILTERS[name] for name, value in asked.items() if value is not None) or "true"
    rows = conn.execute(
        f"""SELECT id, language, source_url, group_id, duplicate_of, created_at, updated_at FROM articles
            WHERE {where} ORDER BY id LIMIT %(limit)s""",  # noqa: S608 (constant clauses, bound values)
        {**asked, "limit": limit + 1},
    ).fetchall()
    items = [ArticleSummary(**r) for r in rows[:limit]]
    next_cursor = str(items[-1].id) if len(rows) > limit else None
    return ArticlePage(items=items, next=next_cursor)


def get_group(conn: psycopg.Connection, group_id: int) -> Group | None:
    """The group, or the group it was merged into (merges keep `merged_into` one step from a live group)."""
    group = conn.execute(
        """SELECT g.id, g.created_at FROM translation_groups asked
           JOIN translation_groups g ON g.id = coalesce(asked.merged_into, asked.id)
           WHERE asked.id = %s""",
        (group_id,),
    ).fetchone()
    if group is None:
        return None
    members = conn.execute(
        "SELECT id, language, source_url FROM articles WHERE group_id = %s ORDER BY id", (group["id"],)
    ).fetchall()
    links = conn.execute(
        """SELECT article_id, partner_id, score, evidence, created_at FROM translation_links
           WHERE group_id = %s ORDER BY id""",
        (group["id"],),
    ).fetchall()
    merged_from = conn.execute(
        "SELECT id FROM translation_groups WHERE merged_into = %s ORDER BY id", (group["id"],)
    ).fetchall()
    return Group(
        id=group["id"],
        created_at=group["created_at"],
        articles=[GroupMember(**m) for m in members],
        links=[GroupLink(**link) for link in links],
        merged_from=[row["id"] for row in merged_from],
    )


def get_job(conn: psycopg.Connection, job_id: UUID, *, files_after: int | None, files_limit: int) -> Job | None:
    """A job with one keyset page of its files, in upload order: an NDJSON upload may make
    10,000 files, too many for one response. The cursor is the last file's position."""
    job = conn.execute("SELECT * FROM jobs WHERE id = %s", (job_id,)).fetchone()
    if job is None:
        return None
    files = conn.execute(
        """SELECT f.position, f.id, f.name, f.status, f.article_id, f.duplicate_of, a.language, f.error
           FROM job_files f LEFT JOIN articles a ON a.id = coalesce(f.article_id, f.duplicate_of)
           WHERE f.job_id = %s AND f.position > %s ORDER BY f.position LIMIT %s""",
        (job_id, -1 if files_after is None else files_after, files_limit + 1),
    ).fetchall()
    page = files[:files_limit]
    return Job(
        job_id=job["id"],
        status=job["status"],
        counts=JobCounts(**{k: job[k] for k in ("total", "processed", "created", "duplicates", "failed")}),
        files=[JobFile(**f) for f in page],
        files_next=str(page[-1]["position"]) if len(files) > files_limit else None,
        created_at=job["created_at"],
        finished_at=job["finished_at"],
    )


def recent_jobs(conn: psycopg.Connection, *, limit: int) -> list[JobSummary]:
    """The newest jobs first, without their files: the review page's list. Job rows carry their
    own counts (kept by the workers), so this reads `limit` rows and no files."""
    rows = conn.execute("SELECT * FROM jobs ORDER BY created_at DESC, id LIMIT %s", (limit,)).fetchall()
    return [
        JobSummary(
            job_id=row["id"],
            status=row["status"],
            counts=JobCounts(**{k: row[k] for k in ("total", "processed", "created", "duplicates", "failed")}),
            created_at=row["created_at"],
            finished_at=row["finished_at"],
        )
        for row in rows
    ]


EXPORT_FETCH_ROWS = 500
"""Rows the server-side cursor sends per round trip: the export holds at most this many at once."""
EXPORT_CHUNK_LINES = 100
"""Lines per chunk written to the socket: fewer, larger writes than one per record."""
EXPORT_EXCLUDED = {"duplicates"}
"""Left out of each exported record: the sightings of an article's duplicates (a list that can be
long and needs a join per article); GET /v1/articles/{id} has them."""


def export_articles(*, language: str | None, min_languages: int | None) -> Iterator[bytes]:
    """Every canonical article, oldest first, as NDJSON chunks, read through a server-side
    (named) cursor so memory stays flat however many articles there are. Takes a pooled
    connection of its own, held while the response streams; one transaction, so the export is one
    consistent snapshot. `min_languages` counts the distinct languages of the article's
    translation group (an article in no group has one)."""
    where = ["a.duplicate_of IS NULL"]
    if language is not None:
        by_language = parse_language_filter(language)
        where.append(f"a.{by_language.column} = %(language)s")
        language = by_language.value
    if min_languages is not None and min_languages > 1:
        # Correlated and per row (groups are small, `articles_group_id` finds them), so the first
        # line leaves at once and nothing is aggregated over the whole table.
        where.append(
            """(SELECT count(DISTINCT m.language_base) FROM articles m
                WHERE m.group_id = a.group_id AND m.duplicate_of IS NULL) >= %(min_languages)s"""
        )
    query = f"""
        SELECT a.id, a.title, a.lead, a.text, a.paragraphs, a.captions, a.images, a.source_url,
               a.language, a.script, a.language_confidence, a.languages_mixed, a.paragraph_languages, a.published_at,
               a.duplicate_of, a.duplicate_similarity, a.group_id, a.created_at, a.updated_at,
               a.file_id, f.job_id, f.name AS file_name,
               coalesce((SELECT jsonb_agg(jsonb_build_object('id', t.id, 'language', t.language) ORDER BY t.id)
                         FROM articles t WHERE t.group_id = a.group_id AND t.id <> a.id), '[]') AS translations
        FROM articles a JOIN job_files f ON f.id = a.file_id
        WHERE {" AND ".join(where)}
        ORDER BY a.id"""  # noqa: S608 (constant clauses, bound values)
    with get_pool().connection() as conn, conn.cursor(name="export_articles") as cursor:
        cursor.itersize = EXPORT_FETCH_ROWS
        cursor.execute(query, {"language": language, "min_languages": min_languages})
        lines: list[bytes] = []
        for row in cursor:
            lines.append(_exported(row))
            if len(lines) == EXPORT_CHUNK_LINES:
                yield b"".join(lines)
                lines = []
        if lines:
            yield b"".join(lines)


def _exported(row: dict) -> bytes:
    article = Article(
        **{k: row[k] for k in Article.model_fields if k in row and k not in ("translations", "origin")},
        duplicates=[],
        translations=[Translation(**t) for t in row["translations"]],
        origin=Origin(file_id=row["file_id"], job_id=row["job_id"], name=row["file_name"]),
    )
    return article.model_dump_json(exclude=EXPORT_EXCLUDED).encode() + b"\n"
