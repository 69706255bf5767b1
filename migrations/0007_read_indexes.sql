-- Reading at volume (issue 6): `updated_at` for `updated_since`, the source domain as an indexed
-- expression, and the indexes the read API's filters and the NDJSON export walk.
-- depends: 0005_translation_links

-- When the article's own record last changed: set on insert, moved by a trigger when its group
-- (joined, founded, merged) or its duplicate status changes. Existing rows start at created_at.
ALTER TABLE articles ADD COLUMN updated_at timestamptz;
UPDATE articles SET updated_at = created_at;
ALTER TABLE articles ALTER COLUMN updated_at SET NOT NULL, ALTER COLUMN updated_at SET DEFAULT now();

CREATE FUNCTION articles_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- clock_timestamp(), not now(): a long transaction's later changes still sort after its start.
    NEW.updated_at := greatest(clock_timestamp(), OLD.updated_at);
    RETURN NEW;
END
$$;

CREATE TRIGGER articles_updated_at
    BEFORE UPDATE OF group_id, duplicate_of ON articles
    FOR EACH ROW
    WHEN (OLD.group_id IS DISTINCT FROM NEW.group_id OR OLD.duplicate_of IS DISTINCT FROM NEW.duplicate_of)
    EXECUTE FUNCTION articles_touch_updated_at();

-- The host of a canonical source URL (already lower-case, no default port, see
-- workers.pipeline.urls.canonical_url): what `source_domain` filters on. IMMUTABLE so it can be
-- indexed; the filter calls the same function, so the planner uses the index.
CREATE FUNCTION source_domain(url text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT substring(url FROM '^[a-z][a-z0-9+.-]*://(?:[^/?#@]*@)?(\[[^]]*\]|[^/?#:]*)')
$$;

CREATE INDEX articles_source_domain ON articles (source_domain(source_url), id);
CREATE INDEX articles_canonical ON articles (id) WHERE duplicate_of IS NULL;
CREATE INDEX articles_duplicates ON articles (duplicate_of, id) WHERE duplicate_of IS NOT NULL;
CREATE INDEX articles_updated_at ON articles (updated_at, id);
CREATE INDEX articles_group_id ON articles (group_id, id) WHERE group_id IS NOT NULL;
