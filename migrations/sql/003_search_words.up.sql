-- Typo-tolerant search. Trigram similarity against whole notes costs a
-- word_similarity() over every note of the user (~0.4 ms per note: 400 ms
-- at 1,000 notes), and the trigram GIN indexes cannot narrow long notes
-- much, since most of a typo's trigrams occur in most notes. Instead each
-- user's distinct words are kept here: a misspelt query word is matched by
-- trigram similarity against this short list, and the words found are
-- searched with the full-text index.
CREATE TABLE search_words (
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    word    TEXT NOT NULL,
    PRIMARY KEY (user_id, word)
);

CREATE INDEX idx_search_words_trgm ON search_words USING gin (word gin_trgm_ops);

-- Statement-level, over the transition table, so a COPY or a multi-row
-- insert adds its words in one statement. Words go in sorted order, so two
-- transactions adding the same new words cannot deadlock. An edit leaves
-- the words it removed (they only offer a correction that matches
-- nothing); purging notes rebuilds their owner's list, so no word of a
-- deleted note outlives it here.
CREATE FUNCTION add_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER documents_add_search_words_on_insert
    AFTER INSERT ON documents REFERENCING NEW TABLE AS changed_documents
    FOR EACH STATEMENT EXECUTE FUNCTION add_search_words();

CREATE TRIGGER documents_add_search_words_on_update
    AFTER UPDATE ON documents REFERENCING NEW TABLE AS changed_documents
    FOR EACH STATEMENT EXECUTE FUNCTION add_search_words();

INSERT INTO search_words (user_id, word)
SELECT DISTINCT d.user_id, w.word
FROM documents d,
     unnest(tsvector_to_array(to_tsvector('simple'::regconfig, d.title || ' ' || d.formatted_note))) AS w(word)
WHERE w.word ~ '^[[:alpha:]]{3,40}$'
ON CONFLICT DO NOTHING;
