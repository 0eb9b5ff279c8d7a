-- Going back, a note's pages read again give their places, and their
-- figures' numbers, back to the pages they read; the rereads and the
-- versions go.
CREATE TEMP TABLE reread_places ON COMMIT DROP AS
    SELECT p.blob_key, p.document_id, p.position
    FROM upload_pages p JOIN uploads u ON u.id = p.upload_id
    WHERE u.rereads AND p.document_id IS NOT NULL;
DELETE FROM uploads WHERE rereads;
UPDATE upload_pages p SET document_id = r.document_id, position = r.position
    FROM reread_places r WHERE p.blob_key = r.blob_key;
UPDATE page_figures f SET document_id = NULL, n = NULL
    WHERE f.document_id IN (SELECT document_id FROM reread_places);
UPDATE page_figures f SET document_id = o.document_id, n = o.i
    FROM (SELECT f.upload_id, f.page, f.k, p.document_id,
            row_number() OVER (PARTITION BY p.document_id ORDER BY p.position, f.k) AS i
          FROM page_figures f JOIN upload_pages p ON p.upload_id = f.upload_id AND p.n = f.page
          WHERE p.document_id IN (SELECT document_id FROM reread_places)) o
    WHERE f.upload_id = o.upload_id AND f.page = o.page AND f.k = o.k;

DROP INDEX IF EXISTS idx_upload_pages_blob_key;
ALTER TABLE upload_pages ADD CONSTRAINT upload_pages_blob_key_key UNIQUE (blob_key);
DROP INDEX IF EXISTS idx_uploads_blob_key;
ALTER TABLE uploads ADD CONSTRAINT uploads_blob_key_key UNIQUE (blob_key);
ALTER TABLE uploads DROP COLUMN IF EXISTS rereads;
DROP TABLE IF EXISTS document_versions;
