-- Search in each note's language with accents folded, headings weighed
-- between title and body, and typos corrected against unaccented words.
-- Existing notes are re-indexed here.

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
-- GIN over (user_id, search): a common word's posting list is intersected
-- with the user's inside the index, not filtered row by row.
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- The languages search stems, by Tesseract code (a course's language) and
-- ISO 639-1 code (what the pipeline detects, metadata.language).
CREATE TABLE search_languages (
    tesseract   TEXT PRIMARY KEY,
    iso         TEXT NOT NULL UNIQUE,
    base_config TEXT NOT NULL,
    config      regconfig -- base_config with accents folded, made below
);

INSERT INTO search_languages (tesseract, iso, base_config) VALUES
    ('eng', 'en', 'english'), ('fra', 'fr', 'french'), ('deu', 'de', 'german'), ('spa', 'es', 'spanish'),
    ('ita', 'it', 'italian'), ('por', 'pt', 'portuguese'), ('nld', 'nl', 'dutch'), ('dan', 'da', 'danish'),
    ('fin', 'fi', 'finnish'), ('hun', 'hu', 'hungarian'), ('nor', 'no', 'norwegian'), ('ron', 'ro', 'romanian'),
    ('rus', 'ru', 'russian'), ('swe', 'sv', 'swedish'), ('tur', 'tr', 'turkish'), ('cat', 'ca', 'catalan'),
    ('eus', 'eu', 'basque'), ('gle', 'ga', 'irish'), ('lit', 'lt', 'lithuanian'), ('ell', 'el', 'greek'),
    ('hin', 'hi', 'hindi'), ('ind', 'id', 'indonesian'), ('ara', 'ar', 'arabic'), ('hye', 'hy', 'armenian'),
    ('nep', 'ne', 'nepali'), ('srp', 'sr', 'serbian'), ('tam', 'ta', 'tamil'), ('yid', 'yi', 'yiddish');

-- A configuration LANG_unaccent for each language this server can stem,
-- and simple_unaccent for the rest: accents are folded before stemming, in
-- notes and queries alike, so "ecole" finds "école" and "Munchen" "München".
-- Languages whose stemmer this server lacks are left out (simple instead).
DELETE FROM search_languages l
WHERE NOT EXISTS (SELECT FROM pg_ts_dict WHERE dictname = l.base_config || '_stem')
   OR NOT EXISTS (SELECT FROM pg_ts_config WHERE cfgname = l.base_config);

DO $$
DECLARE
    lang RECORD;
BEGIN
    CREATE TEXT SEARCH CONFIGURATION simple_unaccent (COPY = simple);
    ALTER TEXT SEARCH CONFIGURATION simple_unaccent ALTER MAPPING FOR word, hword, hword_part WITH unaccent, simple;
    FOR lang IN SELECT base_config FROM search_languages LOOP
        EXECUTE format('CREATE TEXT SEARCH CONFIGURATION %I (COPY = %I)', lang.base_config || '_unaccent', lang.base_config);
        EXECUTE format('ALTER TEXT SEARCH CONFIGURATION %I ALTER MAPPING FOR word, hword, hword_part WITH unaccent, %I',
            lang.base_config || '_unaccent', lang.base_config || '_stem');
        EXECUTE format('UPDATE search_languages SET config = %L::regconfig WHERE base_config = %L',
            lang.base_config || '_unaccent', lang.base_config);
    END LOOP;
END;
$$;

-- The configuration a note is indexed with: its course's language (the
-- first code of a list like "deu+eng"); for "auto", the language the
-- pipeline detected; simple_unaccent where no stemmer fits.
CREATE FUNCTION search_config_for(course_language TEXT, detected TEXT) RETURNS regconfig
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce((
        SELECT l.config
        FROM search_languages l
        WHERE CASE WHEN split_part(course_language, '+', 1) = 'auto' THEN l.iso = detected
                   ELSE l.tesseract = split_part(course_language, '+', 1) END
    ), 'simple_unaccent'::regconfig)
$$;

-- Heading lines of a Markdown note, and the note without them: the index
-- weighs them apart (title A, headings B, body C).
CREATE FUNCTION markdown_headings(note TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT regexp_replace(note, '^(?![ ]{0,3}#{1,6}([ \t]|$)).*$', '', 'gn')
$$;

CREATE FUNCTION markdown_body(note TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT regexp_replace(note, '^[ ]{0,3}#{1,6}([ \t].*)?$', '', 'gn')
$$;

-- Edit distance between a typed word and a word of the index, counting two
-- adjacent letters swapped as one edit, as typists make them ("macrhe" is
-- one edit from "marche", two from "macht").
CREATE FUNCTION typo_distance(typed TEXT, word TEXT) RETURNS INTEGER
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN length(typed) = length(word) AND levenshtein(typed, word) = 2 AND EXISTS (
        SELECT FROM generate_series(1, length(typed) - 1) AS i
        WHERE left(typed, i - 1) = left(word, i - 1)
          AND substr(typed, i, 1) = substr(word, i + 1, 1) AND substr(typed, i + 1, 1) = substr(word, i, 1)
          AND substr(typed, i + 2) = substr(word, i + 2)
    ) THEN 1 ELSE levenshtein(typed, word) END
$$;

-- search_config is kept by triggers, never written by the application: set
-- from the course when a note is written or moved, and for every note of a
-- course whose language changes.
ALTER TABLE documents ADD COLUMN search_config regconfig;

ALTER TABLE documents DISABLE TRIGGER documents_add_search_words_on_update;
UPDATE documents d SET search_config = search_config_for(c.language, d.metadata ->> 'language')
FROM courses c WHERE c.id = d.course_id;
ALTER TABLE documents ENABLE TRIGGER documents_add_search_words_on_update;

ALTER TABLE documents ALTER COLUMN search_config SET NOT NULL;

CREATE FUNCTION set_document_search_config() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_config := search_config_for(
        (SELECT c.language FROM courses c WHERE c.id = NEW.course_id), NEW.metadata ->> 'language');
    RETURN NEW;
END;
$$;

CREATE TRIGGER documents_set_search_config
    BEFORE INSERT OR UPDATE OF course_id, metadata, search_config ON documents
    FOR EACH ROW EXECUTE FUNCTION set_document_search_config();

CREATE FUNCTION reindex_course_documents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Setting search_config fires documents_set_search_config, which reads
    -- the course's new language.
    UPDATE documents SET search_config = search_config WHERE course_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER courses_reindex_documents
    AFTER UPDATE OF language ON courses
    FOR EACH ROW WHEN (OLD.language IS DISTINCT FROM NEW.language)
    EXECUTE FUNCTION reindex_course_documents();

-- The index itself, computed for every note as the column is added.
ALTER TABLE documents DROP COLUMN search;
ALTER TABLE documents ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector(search_config, coalesce(title, '')), 'A') ||
    setweight(to_tsvector(search_config, markdown_headings(formatted_note)), 'B') ||
    setweight(to_tsvector(search_config, markdown_body(formatted_note)), 'C')
) STORED;

CREATE INDEX idx_documents_search ON documents USING gin (user_id, search);
-- The languages of one user's notes, read before every search.
CREATE INDEX idx_documents_user_search_config ON documents (user_id, search_config);

-- Look-alikes are matched without accents, as the index matches words.
CREATE OR REPLACE FUNCTION add_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_words (user_id, word)
    SELECT DISTINCT n.user_id, w.word
    FROM changed_documents n,
         unnest(tsvector_to_array(to_tsvector('simple_unaccent'::regconfig, n.title || ' ' || n.formatted_note))) AS w(word)
    WHERE w.word ~ '^[[:alpha:]]{3,40}$'
    ORDER BY 1, 2
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

DELETE FROM search_words;
INSERT INTO search_words (user_id, word)
SELECT DISTINCT d.user_id, w.word
FROM documents d,
     unnest(tsvector_to_array(to_tsvector('simple_unaccent'::regconfig, d.title || ' ' || d.formatted_note))) AS w(word)
WHERE w.word ~ '^[[:alpha:]]{3,40}$';

DROP INDEX idx_search_words_trgm;
CREATE INDEX idx_search_words_trgm ON search_words USING gin (user_id, word gin_trgm_ops);
