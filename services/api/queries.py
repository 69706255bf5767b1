"""Read-side queries: rows from PostgreSQL into the shared record schemas."""

import psycopg

from babelwire.schemas import (
    Article,
    ArticlePage,
    ArticleSummary,
    DuplicateSighting,
    Group,
    GroupLink,
    GroupMember,
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


def list_articles(
    conn: psycopg.Connection, *, limit: int, after: int | None, language: str | None, group_id: int | None
) -> ArticlePage:
    """Keyset pagination on the article id: stable while new articles arrive, and as fast on the
    last page as on the first."""
    rows = conn.execute(
        """SELECT id, language, source_url, group_id, duplicate_of, created_at FROM articles
           WHERE (%(after)s::bigint IS NULL OR id > %(after)s)
             AND (%(language)s::text IS NULL OR language = %(language)s)
             AND (%(group_id)s::bigint IS NULL OR group_id = %(group_id)s)
           ORDER BY id LIMIT %(limit)s""",
        {"after": after, "language": language, "group_id": group_id, "limit": limit + 1},
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
