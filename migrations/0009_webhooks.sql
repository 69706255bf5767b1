-- Webhooks (issue 6): registered URLs, one delivery per (webhook, change) with every attempt kept,
-- and the dispatcher's position in the change feed.
-- depends: 0006_change_feed 0008_api_keys

-- The secret is kept in the clear: it signs every delivery (HMAC needs the key itself), so unlike
-- an API key it cannot be stored as a hash. It is shown once, when the webhook is registered.
CREATE TABLE webhooks (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url          text NOT NULL CHECK (url ~* '^https?://'),
    kinds        text[] NOT NULL CHECK (cardinality(kinds) > 0 AND kinds <@ ARRAY[
                     'article.created', 'article.duplicate',
                     'group.created', 'group.changed', 'group.merged',
                     'job.finished']),
    secret       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    disabled_at  timestamptz
);

CREATE TABLE webhook_deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id       bigint NOT NULL REFERENCES webhooks (id),
    change_id        bigint NOT NULL,
    kind             text NOT NULL,
    payload          jsonb NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         int NOT NULL DEFAULT 0,
    -- When the next attempt is due; while an attempt is in flight, when its claim lapses.
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    last_error       text,
    UNIQUE (webhook_id, change_id)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE webhook_attempts (
    delivery_id  bigint NOT NULL REFERENCES webhook_deliveries (id),
    attempt      int NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    status_code  int,
    error        text,
    duration_ms  int NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);

-- One row: the feed cursor up to which changes have been turned into deliveries. Dispatchers lock
-- it (FOR UPDATE) for the whole of a dispatch, so two of them never dispatch a change twice.
CREATE TABLE webhook_dispatch_cursor (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    after_xid    xid8 NOT NULL DEFAULT '0',
    after_id     bigint NOT NULL DEFAULT 0,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

INSERT INTO webhook_dispatch_cursor DEFAULT VALUES;
