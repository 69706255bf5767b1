-- The heartbeat of the periodic tasks (issue 16): when each last ran. A run is recorded by the
-- worker that executes the task beat sent, so a recent row proves beat, the broker, a worker and
-- the database all work together; /readyz and the read API's /metrics read it.
-- depends: 0009_webhooks

CREATE TABLE periodic_runs (
    task    text PRIMARY KEY,
    ran_at  timestamptz NOT NULL
);
