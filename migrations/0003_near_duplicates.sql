-- Near-duplicate detection (issue 4): the LSH band keys of every canonical article, shared by all
-- workers, and the similarity recorded for each duplicate.
-- depends: 0002_article_structure

-- On a near duplicate's own article row: its similarity to `duplicate_of`, the canonical article.
ALTER TABLE articles ADD COLUMN duplicate_similarity real
    CHECK (duplicate_similarity IS NULL OR (duplicate_of IS NOT NULL AND duplicate_similarity BETWEEN 0 AND 1));

-- On every file found to be a duplicate: its similarity to the canonical article (1 for an exact copy).
ALTER TABLE job_files ADD COLUMN duplicate_similarity real;

-- One row per band of each canonical article's MinHash signature; near duplicates are never
-- indexed, so every candidate found here is a canonical article. Written in the transaction that
-- stores the article. The composite btree answers "which articles share this band" with an
-- index-only scan, at a cost that grows with the log of the store, not with its size.
-- No foreign key: rows are only written next to their article, and the per-row check and the
-- extra index on article_id it would need cost more than they protect.
CREATE TABLE article_bands (
    band_key    bigint NOT NULL,
    article_id  bigint NOT NULL
);

CREATE INDEX article_bands_lookup ON article_bands (band_key, article_id);
