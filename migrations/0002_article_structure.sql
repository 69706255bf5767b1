-- The structured record of issue 3: what the cleaner finds besides the body text.
-- depends: 0001_initial

ALTER TABLE articles
    ADD COLUMN title            text,
    ADD COLUMN lead             text,
    -- [{"kind": "heading" | "body", "text": "..."}, ...] in reading order; `text` is their join.
    ADD COLUMN paragraphs       jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN captions         text[] NOT NULL DEFAULT '{}',
    ADD COLUMN script           text,
    ADD COLUMN languages_mixed  boolean NOT NULL DEFAULT false,
    ADD COLUMN published_at     timestamptz;
