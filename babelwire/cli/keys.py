"""`babelwire keys`: make, list and revoke API keys in the database (DATABASE_URL, or the embedded
servers' data when it is unset)."""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import psycopg

from babelwire.api_keys import SCOPES
from babelwire.embedded import local_services
from babelwire.logs import setup_logging
from babelwire.settings import get_settings


@click.group()
def keys() -> None:
    """Make, list or revoke API keys."""


@keys.command()
@click.option("--name", required=True, help="Who or what the key is for.")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(SCOPES), help="Repeat for several.")
@click.pass_obj
def create(data_dir: Path, name: str, scopes: tuple[str, ...]) -> None:
    """Make a key and print it (shown this once)."""
    from babelwire import api_keys

    with _database(data_dir) as conn:
        made = api_keys.create_key(conn, name, list(scopes))
    click.echo(f"key {made.key.id} ({', '.join(made.key.scopes)}): {made.secret}")
    click.echo("Keep it now: only its hash is stored.", err=True)


@keys.command("list")
@click.pass_obj
def list_keys(data_dir: Path) -> None:
    """List keys (never their secrets): id, name, scopes, state."""
    from babelwire import api_keys

    with _database(data_dir) as conn:
        listed = api_keys.list_keys(conn)
    for key in listed:
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "live"
        click.echo(f"{key.id}\t{key.name}\t{','.join(key.scopes)}\t{state}")


@keys.command()
@click.argument("key_id", type=int)
@click.pass_obj
def revoke(data_dir: Path, key_id: int) -> None:
    """Revoke a key at once."""
    from babelwire import api_keys

    with _database(data_dir) as conn:
        key = api_keys.revoke_key(conn, key_id)
    if key is None:
        click.echo(f"no API key {key_id}", err=True)
        sys.exit(1)
    click.echo(f"key {key.id} ({key.name}) revoked")


@contextmanager
def _database(data_dir: Path) -> Iterator[psycopg.Connection]:
    """A transaction on DATABASE_URL (migrated first), on embedded servers when it is unset."""
    from babelwire.cli.services import migrate_to
    from babelwire.db import transaction

    setup_logging()
    with local_services(data_dir) as urls:
        os.environ.update(urls)
        get_settings.cache_clear()
        migrate_to(urls["DATABASE_URL"])
        with transaction() as conn:
            yield conn
