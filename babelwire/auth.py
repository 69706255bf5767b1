"""Who may call the APIs: `Authorization: Bearer <key>` with the route's scope. `admin` includes
every scope. Anonymous access is possible only where BABELWIRE_ALLOW_ANONYMOUS says so (the
embedded `make run` mode, which warns loudly); every other deployment needs keys."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from babelwire.api_keys import Scope, scopes_of
from babelwire.db import get_pool
from babelwire.settings import get_settings

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer bw_…`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
OPEN_PATHS = frozenset({"/healthz"})
CHALLENGE = {"WWW-Authenticate": "Bearer"}


def require(scope: Scope):  # noqa: ANN201 (a FastAPI dependency)
    """A dependency that lets a request through only with a live key holding `scope` (or admin)."""

    def check(request: Request, credentials: Credentials) -> None:
        if request.url.path in OPEN_PATHS or get_settings().allow_anonymous:
            return
        if credentials is None:
            raise HTTPException(401, "an API key is required: Authorization: Bearer <key>", headers=CHALLENGE)
        with get_pool().connection() as conn:
            scopes = scopes_of(conn, credentials.credentials)
        if scopes is None:
            raise HTTPException(401, "unknown or revoked API key", headers=CHALLENGE)
        if scope not in scopes and "admin" not in scopes:
            raise HTTPException(403, f"this key lacks the {scope!r} scope")

    return Depends(check)
