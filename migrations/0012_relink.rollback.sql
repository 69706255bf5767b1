DROP INDEX articles_relink_due;
ALTER TABLE articles DROP COLUMN relink_round;
ALTER TABLE articles DROP COLUMN relink_due_at;
