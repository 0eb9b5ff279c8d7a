DROP INDEX idx_search_words_trgm;
CREATE INDEX idx_search_words_trgm ON search_words USING gin (word gin_trgm_ops);

CREATE OR REPLACE FUNCTION add_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_words (user_id, word)
    SELECT DISTINCT n.user_id, w.word
    FROM changed_documents n,
         unnest(tsvector_to_array(to_tsvector('simple'::regconfig, n.title || ' ' || n.formatted_note))) AS w(word)
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
     unnest(tsvector_to_array(to_tsvector('simple'::regconfig, d.title || ' ' || d.formatted_note))) AS w(word)
WHERE w.word ~ '^[[:alpha:]]{3,40}$';

DROP TRIGGER courses_reindex_documents ON courses;
DROP FUNCTION reindex_course_documents();
DROP TRIGGER documents_set_search_config ON documents;
DROP FUNCTION set_document_search_config();

ALTER TABLE documents DROP COLUMN search;
ALTER TABLE documents DROP COLUMN search_config;
ALTER TABLE documents ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(formatted_note, '')), 'B')
) STORED;
CREATE INDEX idx_documents_search ON documents USING gin (search);

DROP FUNCTION typo_distance(TEXT, TEXT);
DROP FUNCTION markdown_body(TEXT);
DROP FUNCTION markdown_headings(TEXT);
DROP FUNCTION search_config_for(TEXT, TEXT);

DO $$
DECLARE
    lang RECORD;
BEGIN
    FOR lang IN SELECT base_config FROM search_languages LOOP
        EXECUTE format('DROP TEXT SEARCH CONFIGURATION %I', lang.base_config || '_unaccent');
    END LOOP;
END;
$$;
DROP TEXT SEARCH CONFIGURATION simple_unaccent;
DROP TABLE search_languages;

DROP EXTENSION btree_gin;
DROP EXTENSION fuzzystrmatch;
DROP EXTENSION unaccent;
