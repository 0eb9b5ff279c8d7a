-- Figures: the drawings, diagrams and photos the OCR stage cuts from a page,
-- each stored as an image blob of its own. A figure belongs to the page it
-- was cut from and goes with it (and so with the upload); once the note is
-- built it has its number in the note (document_id, n), by which the API
-- serves it and the note's Markdown links it. Ownership is the note's, read
-- through documents as the page routes read it.
CREATE TABLE page_figures (
    upload_id    UUID NOT NULL,
    page         INTEGER NOT NULL,
    k            INTEGER NOT NULL CHECK (k >= 1), -- in the page's reading order
    blob_key     VARCHAR(512) NOT NULL UNIQUE,
    content_type VARCHAR(100) NOT NULL,
    byte_size    BIGINT NOT NULL CHECK (byte_size > 0),
    width        INTEGER NOT NULL CHECK (width > 0),
    height       INTEGER NOT NULL CHECK (height > 0),
    document_id  UUID REFERENCES documents (id) ON DELETE CASCADE,
    n            INTEGER CHECK (n >= 1),
    PRIMARY KEY (upload_id, page, k),
    FOREIGN KEY (upload_id, page) REFERENCES upload_pages (upload_id, n) ON DELETE CASCADE,
    CONSTRAINT page_figures_numbered CHECK ((document_id IS NULL) = (n IS NULL))
);

CREATE UNIQUE INDEX idx_page_figures_document ON page_figures (document_id, n) WHERE document_id IS NOT NULL;
