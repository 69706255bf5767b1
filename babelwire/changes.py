"""The change feed: what happened to articles, translation groups and jobs, recorded in the
transaction that made the change and read in an order a consumer can resume from.

Writers call `record_change` inside their own transaction, so a change is committed with its data
or not at all. Readers call `read_changes`. Rows carry the id of the transaction that wrote them
(`xid`); the feed serves only rows whose xid is below the reader's snapshot xmin, ordered by
(xid, id). Every transaction with an xid below xmin has ended (committed or rolled back), and every
transaction that writes later gets an xid at or above it, so nothing can ever appear behind a
cursor already handed out: a consumer that resumes after its last cursor neither misses nor
repeats a change, however out of order the writers commit. The price: a change shows once every
transaction that started writing before it has ended, so one long write transaction anywhere on
the server (xids are server-wide) holds the feed back while it runs."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args
from uuid import UUID

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

ChangeKind = Literal[
    "article.created",
    "article.duplicate",
    "group.created",
    "group.changed",
    "group.merged",
    "job.finished",
]
KINDS: frozenset[str] = frozenset(get_args(ChangeKind))
MAX_ID = 2**63 - 1
_CURSOR = re.compile(r"(\d{1,20})-(\d{1,19})")


class InvalidCursor(ValueError):
    """Not a cursor this feed handed out."""


@dataclass(frozen=True, order=True)
class Cursor:
    """A position in the feed: the (xid, id) of the last change seen. Opaque to consumers."""

    xid: int
    id: int

    def __str__(self) -> str:
        return f"{self.xid}-{self.id}"

    @classmethod
    def parse(cls, text: str) -> "Cursor":
        match = _CURSOR.fullmatch(text) if text.isascii() else None
        if match is None:
            raise InvalidCursor(f"invalid cursor {text!r}: pass the `next` or an item's `cursor` from this feed")
        xid, change_id = int(match[1]), int(match[2])
        if xid > MAX_ID or change_id > MAX_ID:
            raise InvalidCursor(f"invalid cursor {text!r}: out of range")
        return cls(xid, change_id)


START = Cursor(0, 0)
"""Before the first change."""


def record_change(
    conn: psycopg.Connection,
    kind: ChangeKind,
    *,
    article_id: int | None = None,
    group_id: int | None = None,
    job_id: UUID | str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Adds a change to the feed in the caller's transaction: it appears when that commits, and
    never if it rolls back."""
    if kind not in KINDS:
        raise ValueError(f"unknown change kind {kind!r}")
    conn.execute(
        "INSERT INTO changes (kind, article_id, group_id, job_id, data) VALUES (%s, %s, %s, %s, %s)",
        (kind, article_id, group_id, job_id, Jsonb(data or {})),
    )


@dataclass(frozen=True)
class Change:
    cursor: Cursor
    kind: ChangeKind
    article_id: int | None
    group_id: int | None
    job_id: UUID | None
    data: dict[str, Any]
    created_at: datetime


def read_changes(conn: psycopg.Connection, after: Cursor, limit: int) -> list[Change]:
    """Up to `limit` changes after the cursor, oldest first, only from transactions below the
    snapshot's xmin (see the module's docstring). The xid is passed and read as text, psycopg
    having no Python type for xid8; its text is named apart so that ORDER BY sorts the xid8."""
    with conn.cursor(row_factory=dict_row) as cursor:
        rows = cursor.execute(
            """SELECT xid::text AS xid_text, id, kind, article_id, group_id, job_id, data, created_at
               FROM changes
               WHERE (xid, id) > (%s::text::xid8, %s::bigint)
                 AND xid < pg_snapshot_xmin(pg_current_snapshot())
               ORDER BY xid, id
               LIMIT %s""",
            (str(after.xid), after.id, limit),
        ).fetchall()
    return [
        Change(
            cursor=Cursor(int(r["xid_text"]), r["id"]),
            kind=r["kind"],
            article_id=r["article_id"],
            group_id=r["group_id"],
            job_id=r["job_id"],
            data=r["data"],
            created_at=r["created_at"],
        )
        for r in rows
    ]
