-- The scheme the stored LSH band keys were made with (workers.pipeline.neardup.NearDupConfig.key_scheme).
-- A worker whose code makes keys another way refuses to start instead of silently missing every
-- stored article; `babelwire reindex-near-duplicates` rebuilds the index and the row.
-- depends: 0003_near_duplicates

CREATE TABLE near_duplicate_key_scheme (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    scheme       text NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
