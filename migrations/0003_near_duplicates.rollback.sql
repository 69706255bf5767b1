DROP TABLE article_bands;
ALTER TABLE job_files DROP COLUMN duplicate_similarity;
ALTER TABLE articles DROP COLUMN duplicate_similarity;
