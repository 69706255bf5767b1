"""The periodic tasks' heartbeat in PostgreSQL (table periodic_runs): written by the worker that
runs a task beat sent, read by /readyz (babelwire/health.py) and the read API's /metrics."""

from datetime import datetime

import psycopg
from psycopg.rows import tuple_row

REQUEUE = "requeue_waiting_files"
"""The heartbeat that readiness judges: the re-enqueue is what recovers files after an outage."""


def record_run(conn: psycopg.Connection, task: str) -> None:
    conn.execute(
        """INSERT INTO periodic_runs (task, ran_at) VALUES (%s, now())
           ON CONFLICT (task) DO UPDATE SET ran_at = greatest(periodic_runs.ran_at, excluded.ran_at)""",
        (task,),
    )


def last_runs(conn: psycopg.Connection) -> dict[str, datetime]:
    # Tuple rows whatever the connection's row factory (the pools' give dicts, the probe's tuples).
    rows = conn.cursor(row_factory=tuple_row).execute("SELECT task, ran_at FROM periodic_runs").fetchall()
    return dict(rows)


def seconds_since_run(conn: psycopg.Connection, task: str) -> float | None:
    """Age of the task's last run by the database's clock (None: never ran), so that clocks of the
    worker and API hosts need not agree."""
    row = conn.cursor(row_factory=tuple_row).execute(
        "SELECT extract(epoch FROM clock_timestamp() - ran_at)::float8 FROM periodic_runs WHERE task = %s", (task,)
    ).fetchone()
    return None if row is None else float(row[0])
