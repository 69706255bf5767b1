"""The one database connection pool of a process, created lazily and re-created after a fork."""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

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
                # After a database restart every pooled connection is dead: each is checked before
                # use (one empty query) and replaced when it fails, so the pool heals by itself.
                check=ConnectionPool.check_connection,
                reconnect_timeout=settings.db_reconnect_timeout_seconds,
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


# Server states that mean "down or restarting", not anything about the statement: shutting down
# (57P01-57P03) and too many connections (53300); class 08 is a lost or refused connection.
_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached (down, restarting, out of connections)
    rather than anything about the work: such a failure is the infrastructure's, not the data's."""
    if isinstance(error, (PoolTimeout, psycopg.InterfaceError)):
        return True
    if isinstance(error, psycopg.OperationalError):
        # No SQLSTATE: libpq's own errors, i.e. the connection failed or was lost.
        state = error.sqlstate
        return state is None or state.startswith("08") or state in _UNAVAILABLE_SQLSTATES
    return False


@contextmanager
def transaction() -> Iterator[psycopg.Connection]:
    """A pooled connection inside one transaction: committed on success, rolled back on error."""
    with get_pool().connection() as conn:
        yield conn
