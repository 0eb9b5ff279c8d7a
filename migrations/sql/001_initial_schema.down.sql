DROP TABLE IF EXISTS audit_logs;
ALTER TABLE IF EXISTS uploads DROP CONSTRAINT IF EXISTS uploads_document_id_fkey;
DROP TABLE IF EXISTS documents;
DROP TABLE IF EXISTS uploads;
DROP FUNCTION IF EXISTS notify_upload_changed();
DROP TABLE IF EXISTS courses;
DROP TABLE IF EXISTS users;
-- pg_trgm stays: other schemas of the database may use it.
