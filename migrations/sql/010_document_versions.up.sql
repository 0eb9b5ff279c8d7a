-- Versions of a note's text. Whatever rewrites a note (an edit, its pages
-- read again, pages added, an older version restored) first keeps the text
-- it replaces here, in the same transaction. The newest 50 are kept per
-- note (snapnote.VersionsKept); numbers are never reused, so a version keeps
-- its number while older ones are dropped. Versions go with their note:
-- hidden while it is in trash, deleted with it.
CREATE TABLE document_versions (
    document_id    UUID NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    n              INTEGER NOT NULL CHECK (n >= 1),
    title          VARCHAR(500) NOT NULL,
    original_text  TEXT NOT NULL,
    formatted_note TEXT NOT NULL,
    replaced_by    VARCHAR(20) NOT NULL CHECK (replaced_by IN ('edit', 'reread', 'pages', 'restore')),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (document_id, n)
);

-- Reading a note again is an upload of the note's own pages: it runs the
-- pipeline as any upload does, and its last stage rewrites the note it
-- reads (into_document_id) instead of adding to it.
ALTER TABLE uploads ADD COLUMN rereads BOOLEAN NOT NULL DEFAULT false,
    ADD CONSTRAINT uploads_rereads_a_note CHECK (NOT rereads OR into_document_id IS NOT NULL);

-- The pages of a reread are the images of the pages they read again, so
-- several rows now name one blob. Blob lookups (the orphan sweep) keep an
-- index.
ALTER TABLE uploads DROP CONSTRAINT uploads_blob_key_key;
CREATE INDEX idx_uploads_blob_key ON uploads (blob_key);
ALTER TABLE upload_pages DROP CONSTRAINT upload_pages_blob_key_key;
CREATE INDEX idx_upload_pages_blob_key ON upload_pages (blob_key);
