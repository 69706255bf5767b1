"""Applies the SQL migrations in `migrations/` with yoyo, which records applied versions and
holds a lock so that concurrent runs (several containers starting at once) apply each one once."""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from yoyo import get_backend, read_migrations

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def yoyo_url(database_url: str) -> str:
    """yoyo picks its driver from the URL scheme; ours is psycopg 3."""
    parts = urlsplit(database_url)
    if parts.scheme in ("postgres", "postgresql"):
        parts = parts._replace(scheme="postgresql+psycopg")
    return urlunsplit(parts)


def apply_migrations(database_url: str) -> list[str]:
    """Applies every pending migration; returns the ids applied."""
    backend = get_backend(yoyo_url(database_url))
    migrations = read_migrations(str(MIGRATIONS_DIR))
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    return [m.id for m in pending]
