"""Webhook dispatch and delivery, as Celery tasks.

`dispatch_webhooks` runs every BABELWIRE_WEBHOOK_DISPATCH_INTERVAL_SECONDS (beat): it locks the
single dispatcher cursor row, reads the change feed after it, inserts one delivery per matching
active webhook, moves the cursor, commits, and only then enqueues a `deliver_webhook` task per new
delivery. Holding the cursor row makes a second dispatcher (every worker runs beat) skip its turn
rather than dispatch a change twice.

`deliver_webhook` makes one attempt: it claims the delivery by pushing its `next_attempt_at` past
the attempt's timeout (a second run of the task, or a run for a delivery that is not due, finds
nothing to claim and does nothing), POSTs outside any transaction (an open transaction would
hold the change feed back), records the attempt, and either marks the delivery delivered (2xx),
schedules the next attempt with exponential backoff, or marks it failed once it has been retried
for BABELWIRE_WEBHOOK_RETRY_FOR_SECONDS. A retry whose message is lost (worker killed, Redis
restarted) is sent again by the dispatcher once it is overdue by REDISPATCH_AFTER_SECONDS."""

import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import psycopg
from psycopg.types.json import Jsonb

from babelwire import changes
from babelwire.db import database_unavailable, transaction
from babelwire.outages import OutageLog
from babelwire.schemas import Change
from babelwire.settings import get_settings
from babelwire.webhook_signatures import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)
from babelwire.webhook_targets import TargetRefused, check_target
from workers.app import celery_app
from workers.backoff import retry_delay

DISPATCH_WEBHOOKS = "babelwire.dispatch_webhooks"
DELIVER_WEBHOOK = "babelwire.deliver_webhook"
BATCHES_PER_RUN = 10
REDISPATCH_AFTER_SECONDS = 60.0
USER_AGENT = "Babelwire-Webhooks/0.1"

log = logging.getLogger(__name__)
settings = get_settings()


def dispatch(conn: psycopg.Connection, batch: int) -> tuple[list[int], int] | None:
    """Turns up to `batch` new changes into deliveries in the caller's transaction. Returns the new
    delivery ids and how many changes were read, or None when another dispatcher holds the cursor."""
    row = conn.execute(
        "SELECT after_xid::text AS xid, after_id FROM webhook_dispatch_cursor FOR UPDATE SKIP LOCKED"
    ).fetchone()
    if row is None:
        return None
    found = changes.read_changes(conn, changes.Cursor(int(row["xid"]), row["after_id"]), batch)
    if not found:
        return [], 0
    hooks = conn.execute("SELECT id, kinds, created_at FROM webhooks WHERE disabled_at IS NULL").fetchall()
    delivery_ids: list[int] = []
    for change in found:
        # Only changes made after the webhook was registered: a new webhook is not sent history.
        targets = [h["id"] for h in hooks if change.kind in h["kinds"] and change.created_at >= h["created_at"]]
        if not targets:
            continue
        payload = _as_served(change)
        for webhook_id in targets:
            inserted = conn.execute(
                """INSERT INTO webhook_deliveries (webhook_id, change_id, kind, payload) VALUES (%s, %s, %s, %s)
                   ON CONFLICT (webhook_id, change_id) DO NOTHING RETURNING id""",
                (webhook_id, change.cursor.id, change.kind, Jsonb(payload)),
            ).fetchone()
            if inserted:
                delivery_ids.append(inserted["id"])
    last = found[-1].cursor
    conn.execute(
        """UPDATE webhook_dispatch_cursor SET after_xid = %s::text::xid8, after_id = %s, updated_at = now()""",
        (str(last.xid), last.id),
    )
    return delivery_ids, len(found)


def _as_served(change: changes.Change) -> dict[str, Any]:
    """The change exactly as GET /v1/changes serves it."""
    return Change(
        cursor=str(change.cursor), kind=change.kind, article_id=change.article_id, group_id=change.group_id,
        job_id=change.job_id, data=change.data, created_at=change.created_at,
    ).model_dump(mode="json")


def overdue_delivery_ids(conn: psycopg.Connection, overdue_seconds: float, limit: int) -> list[int]:
    """Pending deliveries whose attempt should long have run (its message lost); each is made due
    now, so that it is sent again once, not on every dispatch."""
    rows = conn.execute(
        """UPDATE webhook_deliveries SET next_attempt_at = now()
           WHERE id IN (SELECT id FROM webhook_deliveries
                        WHERE status = 'pending' AND next_attempt_at < now() - make_interval(secs => %s)
                        ORDER BY next_attempt_at LIMIT %s FOR UPDATE SKIP LOCKED)
           RETURNING id""",
        (overdue_seconds, limit),
    ).fetchall()
    return [row["id"] for row in rows]


# Made at import, in the worker's main process before it forks: one outage for all its children.
_dispatch_database = OutageLog(log, "webhook dispatch: database")


@celery_app.task(name=DISPATCH_WEBHOOKS)
def dispatch_webhooks() -> int:
    """Runs every couple of seconds: a database outage is logged once, when it starts and ends,
    not as a task failure with a traceback on every tick."""
    try:
        new = _dispatch_new_changes()
    except Exception as error:
        if not database_unavailable(error):
            raise
        _dispatch_database.failed(error)  # the next tick picks up where the cursor stayed
        return 0
    _dispatch_database.succeeded()
    return new


def _dispatch_new_changes() -> int:
    new: list[int] = []
    for _ in range(BATCHES_PER_RUN):
        with transaction() as conn:
            result = dispatch(conn, settings.webhook_dispatch_batch)
        if result is None:  # another dispatcher is at it
            break
        delivery_ids, read = result
        new += delivery_ids
        _enqueue(delivery_ids)  # after the commit: a task never looks for a delivery not yet visible
        if read < settings.webhook_dispatch_batch:
            break
    with transaction() as conn:
        overdue = overdue_delivery_ids(conn, REDISPATCH_AFTER_SECONDS, settings.webhook_dispatch_batch)
    _enqueue(overdue)
    if new or overdue:
        log.info("webhooks: %d new deliveries, %d overdue sent again", len(new), len(overdue))
    return len(new)


def _enqueue(delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        try:
            deliver_webhook.apply_async((delivery_id,))
        except Exception as error:  # noqa: BLE001 — the overdue sweep sends it later
            log.warning("delivery %s: not enqueued (%r); the dispatcher will send it when overdue", delivery_id, error)


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    webhook_id: int
    attempt: int
    url: str
    secret: str
    payload: dict[str, Any]


def claim(conn: psycopg.Connection, delivery_id: int, lease_seconds: float) -> Claim | None:
    """Takes the delivery's next attempt if it is pending, due and its webhook active; the attempt
    is ours for `lease_seconds` (a concurrent or repeated claim finds it not due)."""
    row = conn.execute(
        """UPDATE webhook_deliveries d
           SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => %s)
           FROM webhooks w
           WHERE d.id = %s AND w.id = d.webhook_id AND w.disabled_at IS NULL
             AND d.status = 'pending' AND d.next_attempt_at <= now()
           RETURNING d.id, d.webhook_id, d.attempts, d.payload, w.url, w.secret""",
        (lease_seconds, delivery_id),
    ).fetchone()
    if row is None:
        return None
    return Claim(row["id"], row["webhook_id"], row["attempts"], row["url"], row["secret"], row["payload"])


def body_of(claimed: Claim) -> bytes:
    return json.dumps(
        {"delivery_id": claimed.delivery_id, "webhook_id": claimed.webhook_id, "change": claimed.payload},
        ensure_ascii=False, separators=(",", ":"),
    ).encode()


def record_attempt(
    conn: psycopg.Connection, claimed: Claim, at: datetime, status_code: int | None, error: str | None,
    duration_ms: int, retry_in: float, retry_for_seconds: float,
) -> str:
    """Stores the attempt and the delivery's new state: 'delivered', 'failed' or 'pending'."""
    conn.execute(
        """INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
           VALUES (%s, %s, %s, %s, %s, %s)""",
        (claimed.delivery_id, claimed.attempt, at, status_code, error, duration_ms),
    )
    row = conn.execute(
        """UPDATE webhook_deliveries SET
               status = CASE WHEN %(ok)s THEN 'delivered'
                             WHEN created_at + make_interval(secs => %(retry_for)s) <= now() THEN 'failed'
                             ELSE 'pending' END,
               delivered_at = CASE WHEN %(ok)s THEN now() END,
               last_error = %(error)s,
               next_attempt_at = now() + make_interval(secs => %(retry_in)s)
           -- only if no later attempt has claimed it meanwhile (our lease lapsed)
           WHERE id = %(id)s AND status = 'pending' AND attempts = %(attempt)s
           RETURNING status""",
        {"ok": error is None, "retry_for": retry_for_seconds, "error": error, "retry_in": retry_in,
         "id": claimed.delivery_id, "attempt": claimed.attempt},
    ).fetchone()
    return row["status"] if row else "superseded"


@celery_app.task(name=DELIVER_WEBHOOK)
def deliver_webhook(delivery_id: int) -> str:
    """One attempt at one delivery; idempotent (see the module's docstring)."""
    with transaction() as conn:
        claimed = claim(conn, delivery_id, lease_seconds=settings.webhook_timeout_seconds + 30)
    if claimed is None:
        return "nothing due"
    try:
        target = check_target(claimed.url, get_settings())
    except TargetRefused as refused:
        return _refuse(claimed, str(refused))
    body = body_of(claimed)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        DELIVERY_HEADER: str(claimed.delivery_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(claimed.secret, timestamp, body),
    }
    at, started = datetime.now(UTC), time.monotonic()
    status_code: int | None = None
    try:
        # To the address just checked, with the URL's own Host and TLS server name, and no redirects.
        with httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False) as client:
            response = client.post(
                target.pinned_url, content=body, headers={**headers, "Host": target.host_header},
                extensions={"sni_hostname": target.host},
            )
        status_code = response.status_code
        error = None if 200 <= status_code < 300 else f"HTTP {status_code}"
    except httpx.HTTPError as failure:
        error = f"{type(failure).__name__}: {failure}"[:1000]
    duration_ms = round((time.monotonic() - started) * 1000)
    retry_in = retry_delay(claimed.attempt, settings.webhook_retry_base_seconds, settings.webhook_retry_max_seconds)
    with transaction() as conn:
        status = record_attempt(
            conn, claimed, at, status_code, error, duration_ms, retry_in, settings.webhook_retry_for_seconds
        )
    if status == "pending":
        log.info("delivery %s: attempt %d failed (%s); next in %.1fs", delivery_id, claimed.attempt, error, retry_in)
        try:
            deliver_webhook.apply_async((delivery_id,), countdown=retry_in)
        except Exception as failure:  # noqa: BLE001 — the overdue sweep sends it later
            log.warning("delivery %s: retry not enqueued (%r)", delivery_id, failure)
    elif status == "failed":
        log.warning("delivery %s: failed for good after %d attempts (%s)", delivery_id, claimed.attempt, error)
    return status


def _refuse(claimed: Claim, reason: str) -> str:
    """The target is not allowed (any more): nothing is sent, the attempt is recorded with the
    reason and the delivery is failed at once (a retry would meet the same setting)."""
    error = f"refused, not sent: {reason}"[:1000]
    with transaction() as conn:
        status = record_attempt(conn, claimed, datetime.now(UTC), None, error, 0, 0, retry_for_seconds=0)
    log.warning("delivery %s: %s", claimed.delivery_id, error)
    return "refused" if status == "failed" else status
