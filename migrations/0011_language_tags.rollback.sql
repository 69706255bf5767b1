DROP INDEX articles_language_base;
ALTER TABLE articles DROP COLUMN language_base;
UPDATE articles SET language = NULL WHERE language = 'und' OR language LIKE 'und-%';
UPDATE articles SET language = split_part(language, '-', 1) WHERE language LIKE '%-%';
ALTER TABLE articles DROP COLUMN paragraph_languages;
