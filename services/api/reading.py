"""Reading at volume: conditional GETs on single records (ETag / If-None-Match) and the streaming
NDJSON export of canonical articles."""

import hashlib
from itertools import chain
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from babelwire.parameters import text_query
from services.api import queries

NDJSON = "application/x-ndjson"
CACHE_HEADERS = {"Cache-Control": "no-cache"}
"""Caches may keep a record but must ask again (with If-None-Match) before using it."""

ETAG_HEADER = {
    "ETag": {
        "description": "Strong validator: a hash of this exact response body. Send it back as `If-None-Match`.",
        "schema": {"type": "string"},
        "example": '"3f0a9c1e5b7d2a4c6e8f0b1d3a5c7e9f"',
    },
    "Cache-Control": {"description": "`no-cache`: revalidate before reuse.", "schema": {"type": "string"}, "example": "no-cache"},
}
CONDITIONAL_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"headers": ETAG_HEADER},
    304: {
        "description": "Not Modified: `If-None-Match` named the current `ETag`. No body.",
        "headers": ETAG_HEADER,
        "content": {},
    },
}


def conditional(request: Request, record: BaseModel) -> Response:
    """The record as JSON with a strong ETag over the exact bytes sent, or 304 with no body when
    the client's If-None-Match already names it. The body is the record's serialization, so the
    ETag changes exactly when anything in the body does (a new duplicate, a new group member)."""
    body = record.model_dump_json().encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": etag, **CACHE_HEADERS}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 13.1.2: `*` or any listed tag; If-None-Match compares weakly (a `W/` prefix is ignored)."""
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return any(tag == "*" or tag.removeprefix("W/") == etag for tag in tags)


router = APIRouter(tags=["export"])

EXPORT_EXAMPLE = (
    '{"id":1,"title":"Giá cà phê tăng","lead":null,"text":"…","paragraphs":[{"kind":"body","text":"…"}],'
    '"captions":[],"images":[],"source_url":"https://vnexpress.net/gia-ca-phe-4700000.html","language":"vi",'
    '"script":"Latn","language_confidence":0.99,"languages_mixed":false,"published_at":null,"duplicate_of":null,'
    '"duplicate_similarity":null,"group_id":7,"translations":[{"id":2,"language":"bn"}],'
    '"origin":{"file_id":1,"job_id":"0b6f…","name":"000.txt"},"created_at":"2026-11-23T10:00:00Z",'
    '"updated_at":"2026-11-23T10:00:01Z"}\n'
    '{"id":2,"title":"…","language":"bn","group_id":7,"translations":[{"id":1,"language":"vi"}],"…":"…"}\n'
)


@router.get(
    "/v1/export/articles.ndjson",
    summary="Every canonical article as NDJSON, streamed",
    description=(
        "All canonical articles (not near duplicates), oldest first, one JSON object per line "
        "(`application/x-ndjson`). Each line has the fields of `GET /v1/articles/{article_id}` except "
        "`duplicates` (the sightings of the article's copies: fetch the record for those). The "
        "response streams from a server-side cursor in one database snapshot, so it runs in "
        "constant memory whatever the number of articles; read it line by line."
    ),
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "One article per line.",
            "content": {NDJSON: {"schema": {"type": "string"}, "example": EXPORT_EXAMPLE}},
        }
    },
)
def export_articles(
    lang: text_query("Only articles in this language.", "bn", min_length=2, max_length=8) = None,
    min_languages: Annotated[
        int | None,
        Query(
            ge=1,
            le=100,
            description="Only articles whose translation group has at least this many languages "
            "(an article in no group has one).",
            examples=[2],
        ),
    ] = None,
) -> StreamingResponse:
    chunks = queries.export_articles(language=lang, min_languages=min_languages)
    # The first chunk is read here, so a database that is down answers with a problem (503)
    # instead of a 200 that breaks off.
    first = next(chunks, b"")
    return StreamingResponse(chain([first], chunks), media_type=NDJSON, headers=CACHE_HEADERS)
