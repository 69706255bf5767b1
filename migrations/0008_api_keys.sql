-- API keys (issue 6). Only a SHA-256 hash of each key is kept: the key itself is shown once, when
-- it is made. Keys are long random tokens, so a fast hash is enough (no password stretching needed).
-- depends: 0005_translation_links

CREATE TABLE api_keys (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    key_hash    bytea NOT NULL UNIQUE,
    scopes      text[] NOT NULL CHECK (scopes <@ ARRAY['ingest', 'read', 'admin'] AND cardinality(scopes) > 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
