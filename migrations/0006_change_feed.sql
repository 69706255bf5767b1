-- The change feed (issue 6): one row per change a consumer can follow, written in the transaction
-- that makes the change (babelwire.changes.record_change) and read in (xid, id) order.
-- depends: 0005_translation_links

-- Why `xid` and not just `id`: identity values are handed out when a row is inserted, but
-- transactions commit in another order, so a reader that resumes after the highest id it saw
-- skips a row with a smaller id that commits later. The feed only serves rows whose transaction
-- id is below the reader's snapshot xmin (every transaction with a smaller id has ended, and every
-- later one gets a larger id), in (xid, id) order: what a reader has seen never grows behind it.
-- No foreign keys: a change is a record of what happened, kept whatever becomes of its subjects.
CREATE TABLE changes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    kind        text NOT NULL CHECK (kind IN (
                    'article.created', 'article.duplicate',
                    'group.created', 'group.changed', 'group.merged',
                    'job.finished')),
    article_id  bigint,
    group_id    bigint,
    job_id      uuid,
    data        jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX changes_feed ON changes (xid, id);
