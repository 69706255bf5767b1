"""Webhooks: registered here (by the read API's admin routes), turned into deliveries and sent by
the workers (workers/webhooks.py). A webhook hears of the changes of its kinds made after it was
registered; each delivery is signed with the webhook's secret (babelwire.webhook_signatures)."""

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

SECRET_PREFIX = "whsec_"


@dataclass(frozen=True)
class Webhook:
    id: int
    url: str
    kinds: list[str]
    created_at: datetime
    disabled_at: datetime | None


@dataclass(frozen=True)
class NewWebhook:
    webhook: Webhook
    secret: str  # shown once; kept to sign deliveries


_COLUMNS = "id, url, kinds, created_at, disabled_at"


def create_webhook(conn: psycopg.Connection, url: str, kinds: list[str]) -> NewWebhook:
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    row = conn.execute(
        f"INSERT INTO webhooks (url, kinds, secret) VALUES (%s, %s, %s) RETURNING {_COLUMNS}",
        (url, sorted(set(kinds)), secret),
    ).fetchone()
    return NewWebhook(Webhook(**row), secret)


def list_webhooks(conn: psycopg.Connection) -> list[Webhook]:
    return [Webhook(**row) for row in conn.execute(f"SELECT {_COLUMNS} FROM webhooks ORDER BY id").fetchall()]


def get_webhook(conn: psycopg.Connection, webhook_id: int) -> Webhook | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM webhooks WHERE id = %s", (webhook_id,)).fetchone()
    return Webhook(**row) if row else None


def disable_webhook(conn: psycopg.Connection, webhook_id: int) -> Webhook | None:
    """Stops the webhook at once: no new deliveries, and those still pending are marked failed."""
    row = conn.execute(
        f"""UPDATE webhooks SET disabled_at = coalesce(disabled_at, now()) WHERE id = %s
            RETURNING {_COLUMNS}""",
        (webhook_id,),
    ).fetchone()
    if row is None:
        return None
    conn.execute(
        """UPDATE webhook_deliveries SET status = 'failed', last_error = 'webhook disabled'
           WHERE webhook_id = %s AND status = 'pending'""",
        (webhook_id,),
    )
    return Webhook(**row)


def list_deliveries(conn: psycopg.Connection, webhook_id: int, after: int | None, limit: int) -> tuple[list[dict[str, Any]], bool]:
    """A page of the webhook's deliveries, oldest first, each with its attempts (oldest first), and
    whether more follow."""
    rows = conn.execute(
        """SELECT d.id, d.change_id, d.kind, d.payload, d.status, d.next_attempt_at, d.created_at,
                  d.delivered_at, d.last_error,
                  coalesce((SELECT jsonb_agg(jsonb_build_object(
                                'attempt', a.attempt, 'at', a.at, 'status_code', a.status_code,
                                'error', a.error, 'duration_ms', a.duration_ms) ORDER BY a.attempt)
                            FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]') AS attempts
           FROM webhook_deliveries d
           WHERE d.webhook_id = %s AND d.id > %s
           ORDER BY d.id
           LIMIT %s""",
        (webhook_id, after or 0, limit + 1),
    ).fetchall()
    return rows[:limit], len(rows) > limit
