"""Applies the SQL migrations in `migrations/` with yoyo, which records applied versions and
holds a lock so that concurrent runs (several containers starting at once) apply each one once."""

import importlib.util
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from yoyo import get_backend, read_migrations


class MigrationsMissing(RuntimeError):
    """No migration files were found: migrating would silently leave an empty database."""


def migrations_dir() -> Path:
    """`migrations/` is shipped as package data, so this works from a checkout and an install."""
    spec = importlib.util.find_spec("migrations")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        if any(Path(location).glob("*.sql")):
            return Path(location)
    raise MigrationsMissing(f"no *.sql migrations found (searched {locations or 'nothing'})")


def yoyo_url(database_url: str) -> str:
    """yoyo picks its driver from the URL scheme; ours is psycopg 3."""
    parts = urlsplit(database_url)
    if parts.scheme in ("postgres", "postgresql"):
        parts = parts._replace(scheme="postgresql+psycopg")
    return urlunsplit(parts)


def apply_migrations(database_url: str) -> list[str]:
    """Applies every pending migration; returns the ids applied."""
    backend = get_backend(yoyo_url(database_url))
    migrations = read_migrations(str(migrations_dir()))
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    return [m.id for m in pending]
