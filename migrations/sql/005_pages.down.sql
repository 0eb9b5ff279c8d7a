ALTER TABLE documents DROP COLUMN IF EXISTS title_edited;
ALTER TABLE uploads DROP COLUMN IF EXISTS into_document_id;
DROP TABLE IF EXISTS upload_pages;
