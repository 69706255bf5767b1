DROP INDEX articles_group_id;
DROP INDEX articles_updated_at;
DROP INDEX articles_duplicates;
DROP INDEX articles_canonical;
DROP INDEX articles_source_domain;
DROP FUNCTION source_domain(text);
DROP TRIGGER articles_updated_at ON articles;
DROP FUNCTION articles_touch_updated_at();
ALTER TABLE articles DROP COLUMN updated_at;
