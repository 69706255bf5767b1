ALTER TABLE articles
    DROP COLUMN title,
    DROP COLUMN lead,
    DROP COLUMN paragraphs,
    DROP COLUMN captions,
    DROP COLUMN script,
    DROP COLUMN languages_mixed,
    DROP COLUMN published_at;
