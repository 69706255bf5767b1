"""GET /v1/changes: the change feed (babelwire.changes), with long-polling."""

import asyncio
import time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from babelwire import changes
from babelwire.db import get_pool
from babelwire.schemas import Change, ChangePage

MAX_WAIT_SECONDS = 30
POLL_INTERVAL_SECONDS = 0.25
"""How often a long-poll looks again: a change shows within about this much of becoming readable."""

router = APIRouter()

DESCRIPTION = """Every committed change — article created, article found to be a duplicate, translation
group created, changed or merged, job finished — once each, in feed order. Save `next` (or the
`cursor` of the last item you handled) and pass it back as `after`: you never miss a change and never
see one twice, even though workers commit out of order. A change shows once every transaction that
began writing before it has ended, typically within a fraction of a second.

Long-poll with `wait`: when nothing is new the request waits up to that many seconds and returns
as soon as a change arrives (an empty page when none does).

Example, following the feed: `GET /v1/changes?after=0-0&limit=100&wait=30`, then again with
`after` set to the page's `next`, forever."""


@router.get(
    "/v1/changes",
    response_model=ChangePage,
    tags=["changes"],
    summary="The change feed, resumable from a cursor",
    description=DESCRIPTION,
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "items": [
                            {
                                "cursor": "7391-52",
                                "kind": "article.created",
                                "article_id": 42,
                                "group_id": 7,
                                "job_id": "5b0c1f2e-8f0a-4d2b-9c61-0e4b8f6b2a10",
                                "data": {"file_id": 91, "language": "bn"},
                                "created_at": "2026-11-23T10:15:02.120394Z",
                            }
                        ],
                        "next": "7391-52",
                    }
                }
            }
        }
    },
)
async def list_changes(
    after: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{1,18}-[0-9]{1,18}$",
              description="Resume after this cursor (a page's `next` or an item's `cursor`); omit to start at the beginning.",
              examples=["7391-52"]),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many changes.", examples=[100])] = 100,
    wait: Annotated[
        float, Query(ge=0, le=MAX_WAIT_SECONDS, description="Seconds to wait for a change when there is none yet (long-poll).",
              examples=[30])
    ] = 0,
) -> ChangePage:
    try:
        cursor = changes.Cursor.parse(after) if after is not None else changes.START
    except changes.InvalidCursor as error:
        raise HTTPException(422, str(error)) from None
    deadline = time.monotonic() + wait
    while True:
        # A pooled connection only for each read, never while sleeping: a thousand waiting
        # consumers hold no connections.
        found = await run_in_threadpool(_read, cursor, limit)
        if found or time.monotonic() >= deadline:
            break
        await asyncio.sleep(min(POLL_INTERVAL_SECONDS, max(0.0, deadline - time.monotonic())))
    items = [
        Change(
            cursor=str(c.cursor), kind=c.kind, article_id=c.article_id, group_id=c.group_id,
            job_id=c.job_id, data=c.data, created_at=c.created_at,
        )
        for c in found
    ]
    return ChangePage(items=items, next=items[-1].cursor if items else str(cursor))


def _read(cursor: changes.Cursor, limit: int) -> list[changes.Change]:
    with get_pool().connection() as conn:
        return changes.read_changes(conn, cursor, limit)
