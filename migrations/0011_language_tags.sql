-- Language tags become BCP 47 (issue 17): a script subtag where the language is written in more
-- than one script (`sr-Cyrl`, `zh-Hant`, `pa-Guru`), `und` / `und-Ethi` where the models cannot
-- tell; per-paragraph languages of mixed articles; the primary language subtag as its own indexed
-- column, so `?lang=zh` still finds `zh-Hans` and `zh-Hant`.
-- depends: 0010_periodic_runs

ALTER TABLE articles ADD COLUMN paragraph_languages jsonb NOT NULL DEFAULT '[]';

-- Rows stored before this migration carry the old form: ISO 639-1 (639-3 where there is none) and
-- the script in its own column. They are re-tagged by the rule of workers/pipeline/language_tags.py
-- (tag_for): the script is kept unless the IANA registry suppresses it for the language and CLDR
-- has no locale of the language in it. The two lists below are that registry's Suppress-Script
-- entries and CLDR's scripted locales, as language_data 1.4.0 and Babel 2.18.0 ship them, for the
-- two-letter languages and the three-letter labels of fastText's lid.176 (the only labels stored
-- before); `Hani` (undecided Han), `Jpan` and `Kore` were never script subtags of a stored tag.
CREATE TEMPORARY TABLE suppressed_script (language text PRIMARY KEY, script text NOT NULL) ON COMMIT DROP;
INSERT INTO suppressed_script VALUES
    ('ab', 'Cyrl'), ('af', 'Latn'), ('am', 'Ethi'), ('ar', 'Arab'), ('as', 'Beng'), ('ay', 'Latn'), ('be', 'Cyrl'), ('bg', 'Cyrl'),
    ('bn', 'Beng'), ('bs', 'Latn'), ('ca', 'Latn'), ('ch', 'Latn'), ('cs', 'Latn'), ('cy', 'Latn'), ('da', 'Latn'), ('de', 'Latn'),
    ('dsb', 'Latn'), ('dv', 'Thaa'), ('dz', 'Tibt'), ('el', 'Grek'), ('en', 'Latn'), ('eo', 'Latn'), ('es', 'Latn'), ('et', 'Latn'),
    ('eu', 'Latn'), ('fa', 'Arab'), ('fi', 'Latn'), ('fj', 'Latn'), ('fo', 'Latn'), ('fr', 'Latn'), ('frr', 'Latn'), ('fy', 'Latn'),
    ('ga', 'Latn'), ('gl', 'Latn'), ('gn', 'Latn'), ('gu', 'Gujr'), ('gv', 'Latn'), ('he', 'Hebr'), ('hi', 'Deva'), ('hr', 'Latn'),
    ('hsb', 'Latn'), ('ht', 'Latn'), ('hu', 'Latn'), ('hy', 'Armn'), ('id', 'Latn'), ('in', 'Latn'), ('is', 'Latn'), ('it', 'Latn'),
    ('iw', 'Hebr'), ('ja', 'Jpan'), ('ka', 'Geor'), ('kk', 'Cyrl'), ('kl', 'Latn'), ('km', 'Khmr'), ('kn', 'Knda'), ('ko', 'Kore'),
    ('la', 'Latn'), ('lb', 'Latn'), ('ln', 'Latn'), ('lo', 'Laoo'), ('lt', 'Latn'), ('lv', 'Latn'), ('mai', 'Deva'), ('mg', 'Latn'),
    ('mh', 'Latn'), ('mk', 'Cyrl'), ('ml', 'Mlym'), ('mo', 'Latn'), ('mr', 'Deva'), ('ms', 'Latn'), ('mt', 'Latn'), ('my', 'Mymr'),
    ('na', 'Latn'), ('nb', 'Latn'), ('nd', 'Latn'), ('nds', 'Latn'), ('ne', 'Deva'), ('nl', 'Latn'), ('nn', 'Latn'), ('no', 'Latn'),
    ('nr', 'Latn'), ('ny', 'Latn'), ('om', 'Latn'), ('or', 'Orya'), ('pa', 'Guru'), ('pl', 'Latn'), ('ps', 'Arab'), ('pt', 'Latn'),
    ('qu', 'Latn'), ('rm', 'Latn'), ('rn', 'Latn'), ('ro', 'Latn'), ('ru', 'Cyrl'), ('rw', 'Latn'), ('sg', 'Latn'), ('si', 'Sinh'),
    ('sk', 'Latn'), ('sl', 'Latn'), ('sm', 'Latn'), ('so', 'Latn'), ('sq', 'Latn'), ('ss', 'Latn'), ('st', 'Latn'), ('sv', 'Latn'),
    ('sw', 'Latn'), ('ta', 'Taml'), ('te', 'Telu'), ('th', 'Thai'), ('ti', 'Ethi'), ('tl', 'Latn'), ('tn', 'Latn'), ('to', 'Latn'),
    ('tr', 'Latn'), ('ts', 'Latn'), ('uk', 'Cyrl'), ('ur', 'Arab'), ('ve', 'Latn'), ('vi', 'Latn'), ('xh', 'Latn'), ('yi', 'Hebr'),
    ('zu', 'Latn');

CREATE TEMPORARY TABLE cldr_script (language text, script text, PRIMARY KEY (language, script)) ON COMMIT DROP;
INSERT INTO cldr_script VALUES
    ('az', 'Arab'), ('az', 'Cyrl'), ('az', 'Latn'), ('bm', 'Nkoo'), ('bs', 'Cyrl'), ('bs', 'Latn'), ('en', 'Dsrt'), ('en', 'Shaw'),
    ('ff', 'Adlm'), ('ff', 'Latn'), ('ha', 'Arab'), ('hi', 'Latn'), ('iu', 'Latn'), ('kk', 'Arab'), ('kk', 'Cyrl'), ('ks', 'Arab'),
    ('ks', 'Deva'), ('mn', 'Mong'), ('ms', 'Arab'), ('pa', 'Arab'), ('pa', 'Guru'), ('sd', 'Arab'), ('sd', 'Deva'), ('sr', 'Cyrl'),
    ('sr', 'Latn'), ('su', 'Latn'), ('uz', 'Arab'), ('uz', 'Cyrl'), ('uz', 'Latn'), ('yue', 'Hans'), ('yue', 'Hant'), ('zh', 'Hans'),
    ('zh', 'Hant'), ('zh', 'Latn');

UPDATE articles a SET language = a.language || '-' || a.script
WHERE a.language IS NOT NULL AND a.language NOT LIKE '%-%'
  AND a.script IS NOT NULL AND a.script NOT IN ('Hani', 'Jpan', 'Kore')
  AND (NOT EXISTS (SELECT 1 FROM suppressed_script s WHERE s.language = a.language AND s.script = a.script)
       OR EXISTS (SELECT 1 FROM cldr_script c WHERE c.language = a.language AND c.script = a.script));
UPDATE articles SET language = 'und' || coalesce('-' || nullif(script, 'Hani'), '') WHERE language IS NULL;

ALTER TABLE articles ADD COLUMN language_base text GENERATED ALWAYS AS (lower(split_part(language, '-', 1))) STORED;
CREATE INDEX articles_language_base ON articles (language_base, id);
