DROP TABLE job_files, articles, translation_groups, jobs CASCADE;
