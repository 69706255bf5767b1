DROP TABLE translation_links;
DROP TABLE article_link_keys;
DROP INDEX translation_groups_merged_into;
ALTER TABLE translation_groups DROP COLUMN merged_at, DROP COLUMN merged_into;
ALTER TABLE articles DROP COLUMN link_signals;
