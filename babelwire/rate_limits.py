"""Rate limits per API key (per client address under anonymous access), counted by the `limits`
library in a moving window in Redis, so that every API process shares one count per key.

If Redis cannot be reached the APIs must keep answering (ingest stores files in PostgreSQL and
publishes later, README "How a file travels"): the limiter then counts in this process's memory,
warns once, and tries Redis again every few seconds."""

import logging
import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

import limits
import redis
from fastapi import HTTPException, Request
from limits import RateLimitItem
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter, RateLimiter

from babelwire.api_keys import hash_secret
from babelwire.settings import get_settings

log = logging.getLogger(__name__)

NAMESPACE = "babelwire"
# A Redis that does not answer costs a request at most about this long, once per retry period.
REDIS_TIMEOUT_SECONDS = 0.5
REDIS_RETRY_SECONDS = 5.0
DISABLED = frozenset({"", "0"})


def parse_limits(text: str) -> list[RateLimitItem]:
    """`limits` notation ("1200/minute", "50/second;1200/minute"); "0" or "" is no limit."""
    text = text.strip()
    if text in DISABLED:
        return []
    try:
        return limits.parse_many(text)
    except ValueError as error:
        raise ValueError(f"not a rate limit: {text!r} (expected e.g. '600/minute', or '0' for none)") from error


def key_identity(secret: str) -> str:
    """Who is counted for a key: its SHA-256 (as stored), never the key itself."""
    return "key:" + hash_secret(secret).hex()


def address_identity(host: str | None) -> str:
    return "address:" + (host or "unknown")


@dataclass(frozen=True)
class Refusal:
    """A limit that was reached: which one, and when its window lets the next request in."""

    limit: RateLimitItem
    remaining: int
    reset_at: float  # epoch seconds

    def headers(self, now: float) -> dict[str, str]:
        """Retry-After, and the RateLimit-* fields of the IETF httpapi draft (seconds for Reset)."""
        wait = str(retry_after_seconds(self.reset_at, now))
        return {
            "Retry-After": wait,
            "RateLimit-Limit": str(self.limit.amount),
            "RateLimit-Remaining": str(max(0, self.remaining)),
            "RateLimit-Reset": wait,
        }


def retry_after_seconds(reset_at: float, now: float) -> int:
    """Whole seconds to wait, never 0: a client told 0 would retry at once into another 429."""
    return max(1, math.ceil(reset_at - now))


class Limiter:
    """Counts hits in Redis; while Redis is unreachable, in this process's memory."""

    def __init__(self, redis_url: str) -> None:
        storage = storage_from_string(
            redis_url, wrap_exceptions=True,
            socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self._shared = MovingWindowRateLimiter(storage)
        self._local = MovingWindowRateLimiter(MemoryStorage())
        self._lock = threading.Lock()
        self._redis_down_until = 0.0  # monotonic; Redis is not tried again before it
        self._degraded = False

    def hit(self, items: list[RateLimitItem], *identifiers: str) -> Refusal | None:
        """Counts one request against every item; the first limit reached, or None."""
        if not items:
            return None
        if time.monotonic() >= self._redis_down_until:
            try:
                refusal = _hit(self._shared, items, identifiers)
            except (StorageError, redis.RedisError) as error:
                self._redis_failed(error)
            else:
                self._redis_answered()
                return refusal
        return _hit(self._local, items, identifiers)

    def _redis_failed(self, error: Exception) -> None:
        with self._lock:
            self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
            if not self._degraded:
                self._degraded = True
                log.warning(
                    "rate limits: Redis unreachable (%s); counting in this process's memory until it is back",
                    error,
                )

    def _redis_answered(self) -> None:
        if self._degraded:
            with self._lock:
                if self._degraded:
                    self._degraded = False
                    log.info("rate limits: Redis is back; counting there again")


def _hit(limiter: RateLimiter, items: list[RateLimitItem], identifiers: tuple[str, ...]) -> Refusal | None:
    for item in items:
        if not limiter.hit(item, NAMESPACE, *identifiers):
            stats = limiter.get_window_stats(item, NAMESPACE, *identifiers)
            return Refusal(item, stats.remaining, stats.reset_time)
    return None


@lru_cache
def get_limiter(redis_url: str) -> Limiter:
    return Limiter(redis_url)


def enforce(request: Request, scope: str, identity: str) -> None:
    """Counts the request against its API's limit; over it, 429 with Retry-After. A request is
    counted once, however many auth dependencies (app and router) it passes."""
    if getattr(request.state, "rate_limit_counted", False):
        return
    request.state.rate_limit_counted = True
    settings = get_settings()
    items = parse_limits(settings.rate_limit_ingest if scope == "ingest" else settings.rate_limit_read)
    refusal = get_limiter(settings.redis_url).hit(items, "ingest" if scope == "ingest" else "read", identity)
    if refusal is not None:
        raise HTTPException(
            429, f"rate limit of {refusal.limit} reached; retry later", headers=refusal.headers(time.time())
        )
