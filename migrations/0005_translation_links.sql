-- Translation linking by content (issue 5): each canonical article's story signals and link keys,
-- every link's evidence, and where a merged group went.
-- depends: 0004_near_duplicate_key_scheme

-- workers.pipeline.story_links.StorySignals.to_json() of each canonical article; null for
-- duplicates (never linked) and for articles stored before this migration.
ALTER TABLE articles ADD COLUMN link_signals jsonb;

-- A group merged into another keeps its row so that its id still answers: `merged_into` is the
-- surviving group (always a live one: merges re-point older redirects at the survivor).
ALTER TABLE translation_groups
    ADD COLUMN merged_into  bigint REFERENCES translation_groups (id),
    ADD COLUMN merged_at    timestamptz,
    ADD CHECK (merged_into IS NULL OR merged_into <> id);

CREATE INDEX translation_groups_merged_into ON translation_groups (merged_into) WHERE merged_into IS NOT NULL;

-- One row per link key of each canonical article (names, figures, images, source URL... hashed to
-- signed 64-bit integers by workers.pipeline.story_links.link_keys). Candidates for linking are
-- the articles sharing the most keys, found by equality lookups on this btree, never by scanning
-- the articles. Written in the transaction that stores the article; near and exact duplicates are
-- never indexed. No foreign key, for the reason given on article_bands.
CREATE TABLE article_link_keys (
    link_key    bigint NOT NULL,
    article_id  bigint NOT NULL
);

CREATE INDEX article_link_keys_lookup ON article_link_keys (link_key, article_id);

-- Why two articles are in one group: each link an article made when it joined, founded or merged
-- a group, scored by workers.pipeline.story_links.score, with the signals that matched. Follows its
-- group through merges.
CREATE TABLE translation_links (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    group_id    bigint NOT NULL REFERENCES translation_groups (id),
    article_id  bigint NOT NULL REFERENCES articles (id),
    partner_id  bigint NOT NULL REFERENCES articles (id),
    score       real NOT NULL,
    evidence    jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (article_id <> partner_id)
);

CREATE INDEX translation_links_group ON translation_links (group_id, id);
