DROP TABLE near_duplicate_key_scheme;
