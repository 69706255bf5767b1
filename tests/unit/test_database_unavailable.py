"""Which database errors are an outage (retried without limit, answered 503) and which are the work's own."""

import psycopg
import pytest
from psycopg import errors
from psycopg_pool import PoolTimeout

from babelwire.db import database_unavailable


@pytest.mark.parametrize(
    "error",
    [
        PoolTimeout("couldn't get a connection after 3.00 sec"),
        psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"),
        errors.ConnectionTimeout("connection timeout expired"),
        psycopg.InterfaceError("the connection is closed"),
        errors.AdminShutdown("terminating connection due to administrator command"),
        errors.CannotConnectNow("the database system is starting up"),
        errors.TooManyConnections("sorry, too many clients already"),
        errors.ConnectionFailure("connection failure"),
    ],
)
def test_an_unreachable_database_is_an_outage(error: Exception):
    assert database_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        errors.QueryCanceled("canceling statement due to statement timeout"),
        errors.LockNotAvailable("could not obtain lock"),
        errors.UniqueViolation("duplicate key value"),
        errors.DeadlockDetected("deadlock detected"),
        ValueError("not a database error"),
    ],
)
def test_an_error_of_the_work_itself_is_not(error: Exception):
    assert not database_unavailable(error)
