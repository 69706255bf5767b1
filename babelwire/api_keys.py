"""API keys with scopes: made, listed and revoked here; checked on every request by `babelwire.auth`.
A key is shown once when made; PostgreSQL keeps only its SHA-256 hash."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

import psycopg

Scope = Literal["ingest", "read", "admin"]
SCOPES: tuple[str, ...] = get_args(Scope)
KEY_PREFIX = "bw_"


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    secret: str  # the only time the key itself exists outside its holder


def hash_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def create_key(conn: psycopg.Connection, name: str, scopes: list[str]) -> NewKey:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValueError(f"scopes must be some of {', '.join(SCOPES)}; got {', '.join(scopes) or 'none'}")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = conn.execute(
        """INSERT INTO api_keys (name, key_hash, scopes) VALUES (%s, %s, %s)
           RETURNING id, name, scopes, created_at, revoked_at""",
        (name, hash_secret(secret), sorted(set(scopes))),
    ).fetchone()
    return NewKey(ApiKey(**row), secret)


def list_keys(conn: psycopg.Connection) -> list[ApiKey]:
    rows = conn.execute("SELECT id, name, scopes, created_at, revoked_at FROM api_keys ORDER BY id").fetchall()
    return [ApiKey(**row) for row in rows]


def revoke_key(conn: psycopg.Connection, key_id: int) -> ApiKey | None:
    row = conn.execute(
        """UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = %s
           RETURNING id, name, scopes, created_at, revoked_at""",
        (key_id,),
    ).fetchone()
    return ApiKey(**row) if row else None


def scopes_of(conn: psycopg.Connection, secret: str) -> set[str] | None:
    """The scopes of a live key, or None for an unknown or revoked one."""
    row = conn.execute(
        "SELECT scopes FROM api_keys WHERE key_hash = %s AND revoked_at IS NULL", (hash_secret(secret),)
    ).fetchone()
    return set(row["scopes"]) if row else None
