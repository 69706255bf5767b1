"""The one database connection pool of a process, created lazily and re-created after a fork."""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from babelwire.settings import get_settings

_pool: ConnectionPool | None = None
_pool_pid: int | None = None
_lock = threading.Lock()


def get_pool() -> ConnectionPool:
    """The process's pool. A Celery prefork child inherits its parent's sockets, so a pool made
    before the fork is never reused: each process opens its own."""
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            settings = get_settings()
            _pool = ConnectionPool(
                settings.database_url,
                min_size=settings.db_pool_min,
                max_size=settings.db_pool_max,
                timeout=settings.db_pool_timeout_seconds,
                kwargs={"row_factory": dict_row},
                open=True,
                name="babelwire",
            )
            _pool_pid = os.getpid()
        return _pool


def close_pool() -> None:
    global _pool, _pool_pid
    with _lock:
        if _pool is not None and _pool_pid == os.getpid():
            _pool.close()
        _pool, _pool_pid = None, None


@contextmanager
def transaction() -> Iterator[psycopg.Connection]:
    """A pooled connection inside one transaction: committed on success, rolled back on error."""
    with get_pool().connection() as conn:
        yield conn
