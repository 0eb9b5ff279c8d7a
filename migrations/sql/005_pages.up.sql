-- Notes of several pages. Each page of an upload is read on its own (one
-- OCR job per page, in parallel across workers); once every page is read,
-- their text is joined on the upload and the pipeline goes on as before.
-- When the note is built its pages belong to it (document_id, position),
-- and an upload may add pages to a note that exists (into_document_id).
CREATE TABLE upload_pages (
    upload_id      UUID NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    n              INTEGER NOT NULL CHECK (n >= 1),
    blob_key       VARCHAR(512) NOT NULL UNIQUE,
    content_type   VARCHAR(100) NOT NULL,
    byte_size      BIGINT NOT NULL CHECK (byte_size > 0),
    sha256         CHAR(64) NOT NULL,
    image_width    INTEGER NOT NULL CHECK (image_width > 0),
    image_height   INTEGER NOT NULL CHECK (image_height > 0),
    status         VARCHAR(20) NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'processing', 'done', 'failed')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    ocr_text       TEXT,
    ocr_confidence REAL,
    ocr_engine     TEXT,
    ocr_steps      TEXT[] NOT NULL DEFAULT '{}',
    ocr_ms         BIGINT,
    error_code     VARCHAR(50),
    error_message  TEXT,
    document_id    UUID REFERENCES documents (id) ON DELETE CASCADE,
    position       INTEGER CHECK (position >= 1),
    PRIMARY KEY (upload_id, n),
    CONSTRAINT upload_pages_failed_has_error CHECK ((status = 'failed') = (error_code IS NOT NULL)),
    CONSTRAINT upload_pages_placed CHECK ((document_id IS NULL) = (position IS NULL))
);

CREATE UNIQUE INDEX idx_upload_pages_document ON upload_pages (document_id, position) WHERE document_id IS NOT NULL;

-- Every upload so far was one page.
INSERT INTO upload_pages (upload_id, n, blob_key, content_type, byte_size, sha256, image_width, image_height,
    status, attempts, ocr_text, ocr_confidence, ocr_engine, ocr_steps, ocr_ms, error_code, error_message,
    document_id, position)
SELECT u.id, 1, u.blob_key, u.content_type, u.byte_size, u.sha256, u.image_width, u.image_height,
    CASE WHEN u.stage <> 'ocr' OR u.status = 'done' THEN 'done' ELSE u.status END,
    coalesce((u.attempts->>'ocr')::int, 0), u.ocr_text, u.ocr_confidence, u.ocr_engine, u.ocr_steps,
    (u.timings_ms->>'ocr')::bigint,
    CASE WHEN u.stage = 'ocr' AND u.status = 'failed' THEN u.error_code END,
    CASE WHEN u.stage = 'ocr' AND u.status = 'failed' THEN u.error_message END,
    d.id, CASE WHEN d.id IS NOT NULL THEN 1 END
FROM uploads u LEFT JOIN documents d ON d.upload_id = u.id;

ALTER TABLE uploads ADD COLUMN into_document_id UUID REFERENCES documents (id) ON DELETE CASCADE;
CREATE INDEX idx_uploads_into_document ON uploads (into_document_id) WHERE into_document_id IS NOT NULL;

-- A title the user gave is kept when pages are added and the note is rebuilt.
ALTER TABLE documents ADD COLUMN title_edited BOOLEAN NOT NULL DEFAULT false;
