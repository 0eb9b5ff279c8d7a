DROP TRIGGER documents_add_search_words_on_update ON documents;
DROP TRIGGER documents_add_search_words_on_insert ON documents;
DROP FUNCTION add_search_words();
DROP TABLE search_words;
