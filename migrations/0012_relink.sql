-- Reconciliation of translation groups (issue 18): an article left ungrouped or in a small group
-- when it was stored is looked at again once the versions that arrive after it are in, by the
-- periodic task babelwire.reconcile_links (workers/tasks.py, workers/translation_index.py). Due
-- times back off by rounds; a later article that links it makes it due again.
-- depends: 0011_language_tags

ALTER TABLE articles ADD COLUMN relink_due_at timestamptz;
ALTER TABLE articles ADD COLUMN relink_round smallint NOT NULL DEFAULT 0;
CREATE INDEX articles_relink_due ON articles (relink_due_at) WHERE relink_due_at IS NOT NULL;

-- Articles stored before: the ungrouped canonical ones get their second look.
UPDATE articles SET relink_due_at = now()
WHERE group_id IS NULL AND duplicate_of IS NULL AND link_signals IS NOT NULL;
