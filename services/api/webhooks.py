"""Admin endpoints of the read API: register, list and disable webhooks, and see each delivery
with its attempts (scope `admin`). Dispatch and delivery: workers/webhooks.py; signing:
babelwire/webhook_signatures.py."""

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field, field_validator

from babelwire import webhooks
from babelwire.auth import require
from babelwire.parameters import MAX_ID, id_path
from babelwire.problems import problem_responses
from babelwire.schemas import PAGE_CURSOR_PATTERN, ChangeKind
from babelwire.settings import get_settings
from babelwire.web import Connection
from babelwire.webhook_targets import TargetRefused, check_target

WEBHOOK_URL_PATTERN = (
    r"^[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9._~%!$&'()*+,;=:-]*@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%!$&'()*+,;=-]+)(:[0-9]*)?([/?#][!-~]*)?$"
)
"""An absolute http(s) URL in printable ASCII (percent-encode the rest) with a host name, an IPv4
address or an IPv6 address in brackets: what the OpenAPI document promises is well-formed
(http_url below checks it the way delivery will read it; babelwire/webhook_targets.py then decides
whether deliveries may go there). Plain character classes only: `\\S` differs between regex engines."""
WebhookId = id_path("The webhook's id.", example=3)

SIGNING = """Each delivery is a `POST` of a JSON body `{"delivery_id", "webhook_id", "change"}` —
`change` exactly as `GET /v1/changes` serves it — with the headers
`Babelwire-Delivery: <delivery id>` (the same on every retry), `Babelwire-Timestamp: <Unix seconds>`
and `Babelwire-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, the secret being the
one returned when the webhook was registered (as UTF-8, `whsec_` included) and the body the exact
bytes received. Answer 2xx within 10 seconds; anything else is retried with exponential backoff
(from 30 s, doubling, at most an hour apart, jittered) for at least a day, then the delivery is
marked `failed`. A webhook hears of the changes of its kinds made after it was registered."""

TARGETS = """

The URL must be `https://` (`http://` only where the operator sets BABELWIRE_WEBHOOK_ALLOW_HTTP) and
its host must resolve to public addresses only: loopback, private, link-local, multicast,
unspecified and reserved addresses are refused with 422 in any spelling (`127.1`, `0x7f000001`,
`[::ffff:127.0.0.1]`, a name resolving to one), unless BABELWIRE_WEBHOOK_ALLOWED_HOSTS lists the
host. The same check runs again before every attempt, on a fresh lookup; the attempt connects to
the address checked and does not follow redirects (a 3xx counts as a failed attempt). A delivery
refused then is marked `failed` with the reason, and nothing is sent."""

router = APIRouter(prefix="/v1/webhooks", tags=["admin"], dependencies=[require("admin")], responses=problem_responses(401, 403))


class WebhookRequest(BaseModel):
    url: str = Field(min_length=1, max_length=2000, pattern=WEBHOOK_URL_PATTERN, description="Where deliveries are POSTed (http or https).",
                     examples=["https://consumer.example.org/babelwire"])
    kinds: list[ChangeKind] = Field(min_length=1, description="The change kinds to be told of.",
                                    examples=[["article.created", "group.merged"]])

    @field_validator("url")
    @classmethod
    def http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http:// or https:// URL")
        return url


class WebhookInfo(BaseModel):
    id: int = Field(examples=[3])
    url: str = Field(examples=["https://consumer.example.org/babelwire"])
    kinds: list[str] = Field(examples=[["article.created", "group.merged"]])
    created_at: datetime
    disabled_at: datetime | None = Field(None, description="Set once the webhook is disabled; it gets nothing after that.")


class WebhookCreated(BaseModel):
    id: int = Field(examples=[3])
    url: str = Field(examples=["https://consumer.example.org/babelwire"])
    kinds: list[str] = Field(examples=[["article.created", "group.merged"]])
    secret: str = Field(description="Signs every delivery; shown this once. Keep it to verify `Babelwire-Signature`.",
                        examples=["whsec_Q2hhbmdlIG1lOiB0aGlzIGlzIGFuIGV4YW1wbGU"])
    created_at: datetime


class DeliveryAttempt(BaseModel):
    attempt: int = Field(description="1 for the first attempt.", examples=[1])
    at: datetime
    status_code: int | None = Field(description="The receiver's HTTP status; null when none came (timeout, refused).", examples=[500])
    error: str | None = Field(description="Why the attempt failed; null when it succeeded.", examples=["HTTP 500"])
    duration_ms: int = Field(examples=[42])


class Delivery(BaseModel):
    id: int = Field(examples=[118])
    change_id: int = Field(examples=[52])
    kind: str = Field(examples=["article.created"])
    status: str = Field(description="`pending` (being tried), `delivered` (a 2xx came) or `failed` (given up, or the webhook was disabled).",
                        examples=["delivered"])
    next_attempt_at: datetime | None = Field(description="When the next attempt is due; null unless pending.")
    created_at: datetime
    delivered_at: datetime | None
    last_error: str | None = Field(examples=[None])
    change: dict[str, Any] = Field(description="The change delivered, as `GET /v1/changes` serves it.")
    attempts: list[DeliveryAttempt] = Field(description="Every attempt, oldest first.")


class DeliveryPage(BaseModel):
    items: list[Delivery]
    next: str | None = Field(description="Cursor for the next page (pass as `after`), null on the last page.", examples=["118"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=WebhookCreated, summary="Register a webhook; its secret is in this response only",
             description=SIGNING + TARGETS, responses=problem_responses(400, 422))  # 400: a body that cannot be parsed
def create_webhook(request: WebhookRequest, conn: Connection) -> WebhookCreated:
    try:
        check_target(request.url, get_settings())
    except TargetRefused as refused:
        raise HTTPException(422, f"url {request.url!r} refused: {refused}") from None
    made = webhooks.create_webhook(conn, request.url, list(request.kinds))
    hook = made.webhook
    return WebhookCreated(id=hook.id, url=hook.url, kinds=hook.kinds, secret=made.secret, created_at=hook.created_at)


@router.get("", response_model=list[WebhookInfo], summary="Every webhook, disabled ones included (no secrets)")
def list_webhooks(conn: Connection) -> list[WebhookInfo]:
    return [WebhookInfo(**vars(hook)) for hook in webhooks.list_webhooks(conn)]


@router.delete("/{webhook_id}", response_model=WebhookInfo, summary="Disable a webhook at once; its pending deliveries are marked failed",
               responses=problem_responses(404))
def disable_webhook(webhook_id: WebhookId, conn: Connection) -> WebhookInfo:
    hook = webhooks.disable_webhook(conn, webhook_id)
    if hook is None:
        raise HTTPException(404, f"no webhook {webhook_id}")
    return WebhookInfo(**vars(hook))


@router.get("/{webhook_id}/deliveries", response_model=DeliveryPage, summary="A webhook's deliveries, oldest first, each with its attempts",
            responses=problem_responses(404))
def list_deliveries(
    webhook_id: WebhookId,
    conn: Connection,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.", examples=[100])] = 100,
    after: Annotated[
        str | None, Query(pattern=PAGE_CURSOR_PATTERN, description="The `next` cursor of the previous page.", examples=["118"])
    ] = None,
) -> DeliveryPage:
    if after is not None and (not after.isascii() or not after.isdigit() or int(after) > MAX_ID):
        raise HTTPException(422, f"invalid cursor {after!r}: pass the `next` value of a previous page")
    if webhooks.get_webhook(conn, webhook_id) is None:
        raise HTTPException(404, f"no webhook {webhook_id}")
    rows, more = webhooks.list_deliveries(conn, webhook_id, int(after) if after else None, limit)
    items = [
        Delivery(
            **{k: v for k, v in row.items() if k not in ("payload", "next_attempt_at")},
            next_attempt_at=row["next_attempt_at"] if row["status"] == "pending" else None,
            change=row["payload"],
        )
        for row in rows
    ]
    return DeliveryPage(items=items, next=str(items[-1].id) if more else None)
