-- Jobs, the files they accepted, the articles made from them and their translation groups.

CREATE TABLE jobs (
    id           uuid PRIMARY KEY,
    status       text NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'running', 'succeeded', 'partially_failed', 'failed')),
    total        integer NOT NULL CHECK (total > 0),
    processed    integer NOT NULL DEFAULT 0,
    created      integer NOT NULL DEFAULT 0,
    duplicates   integer NOT NULL DEFAULT 0,
    failed       integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    CHECK (processed = created + duplicates + failed AND processed <= total)
);

-- One row per accepted file. The bytes are kept so a file is never lost between acceptance and
-- processing, whatever happens to the broker or a worker.
CREATE TABLE job_files (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id        uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    name          text NOT NULL,
    size          integer NOT NULL,
    content       bytea,
    status        text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'created', 'duplicate', 'failed')),
    article_id    bigint,
    duplicate_of  bigint,
    error         text,
    accepted_at   timestamptz NOT NULL DEFAULT now(),
    enqueued_at   timestamptz,
    processed_at  timestamptz,
    UNIQUE (job_id, position)
);

-- The periodic re-enqueue looks only at files still waiting.
CREATE INDEX job_files_waiting ON job_files (coalesce(enqueued_at, accepted_at)) WHERE status = 'queued';

CREATE TABLE translation_groups (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE articles (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_id              bigint NOT NULL UNIQUE REFERENCES job_files (id),
    language             text,
    language_confidence  real,
    text                 text NOT NULL,
    source_url           text,
    images               text[] NOT NULL DEFAULT '{}',
    -- SHA-256 of the cleaned text with white space folded: equal hashes are exact duplicates.
    content_hash         bytea NOT NULL UNIQUE,
    duplicate_of         bigint REFERENCES articles (id),
    group_id             bigint REFERENCES translation_groups (id),
    created_at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX articles_source_url ON articles (source_url) WHERE source_url IS NOT NULL;
CREATE INDEX articles_group ON articles (group_id) WHERE group_id IS NOT NULL;
CREATE INDEX articles_language ON articles (language, id);

ALTER TABLE job_files
    ADD FOREIGN KEY (article_id) REFERENCES articles (id),
    ADD FOREIGN KEY (duplicate_of) REFERENCES articles (id);

CREATE INDEX job_files_duplicate_of ON job_files (duplicate_of) WHERE duplicate_of IS NOT NULL;
