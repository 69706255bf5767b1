"""Who may call the APIs: `Authorization: Bearer <key>` with the route's scope. `admin` includes
every scope. Anonymous access is possible only where BABELWIRE_ALLOW_ANONYMOUS says so (the
embedded `make run` mode, which warns loudly); every other deployment needs keys. A request let
through then counts against its key's rate limit (its client address's, anonymously): see
babelwire/rate_limits.py."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from babelwire.api_keys import Scope, scopes_of
from babelwire.db import get_pool
from babelwire.rate_limits import address_identity, key_identity
from babelwire.rate_limits import enforce as enforce_rate_limit
from babelwire.settings import get_settings

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer bw_…`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/review/login"})
METRICS_PATH = "/metrics"
"""Open like the probes unless BABELWIRE_METRICS_REQUIRE_KEY: it holds counts only, and scrapers seldom carry a key."""
REVIEW_PREFIX = "/review"
REVIEW_COOKIE = "babelwire_review_key"
"""A browser cannot send a Bearer header: the review pages (services/api/review.py) take the same
key from this HttpOnly, SameSite=Strict cookie, set by their login form, and no other path does."""
CHALLENGE = {"WWW-Authenticate": "Bearer"}
OPEN_ROUTE_OPENAPI = {"security": [{}]}
"""`openapi_extra` of a route in OPEN_PATHS: FastAPI gives every route the apps' bearer requirement
(and adds lists from openapi_extra to it), so this adds the empty requirement: a key is optional there."""


def require(scope: Scope):  # noqa: ANN201 (a FastAPI dependency)
    """A dependency that lets a request through only with a live key holding `scope` (or admin)."""

    def check(request: Request, credentials: Credentials) -> None:
        if request.url.path in OPEN_PATHS:
            return
        if request.url.path == METRICS_PATH and not get_settings().metrics_require_key:
            return
        if get_settings().allow_anonymous:
            enforce_rate_limit(request, scope, address_identity(request.client.host if request.client else None))
            return
        key = credentials.credentials if credentials is not None else _review_cookie(request)
        if key is None:
            raise HTTPException(401, "an API key is required: Authorization: Bearer <key>", headers=CHALLENGE)
        with get_pool().connection() as conn:
            scopes = scopes_of(conn, key)
        if scopes is None:
            raise HTTPException(401, "unknown or revoked API key", headers=CHALLENGE)
        if scope not in scopes and "admin" not in scopes:
            raise HTTPException(403, f"this key lacks the {scope!r} scope")
        enforce_rate_limit(request, scope, key_identity(key))

    return Depends(check)


def _review_cookie(request: Request) -> str | None:
    """The review pages' key cookie, on those pages only: elsewhere a cookie would let another
    site's page make a logged-in browser call the JSON API (the cookie is SameSite=Strict too)."""
    path = request.url.path
    if path == REVIEW_PREFIX or path.startswith(REVIEW_PREFIX + "/"):
        return request.cookies.get(REVIEW_COOKIE) or None
    return None
