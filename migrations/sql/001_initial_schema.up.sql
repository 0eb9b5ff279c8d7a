-- The seed schema (users, courses, documents, audit_logs) plus uploads, the
-- pipeline's own table, and full-text search on documents.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE users (
    id             UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    auth0_user_id  VARCHAR(255) NOT NULL UNIQUE,
    -- Access tokens often carry no email, so it may be NULL; unique when set.
    email          VARCHAR(255) UNIQUE,
    name           VARCHAR(255) NOT NULL DEFAULT '',
    avatar_url     VARCHAR(512),
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_login_at  TIMESTAMPTZ
);

-- auth0_user_id and email need no index of their own: UNIQUE makes one.
CREATE INDEX idx_users_created_at ON users (created_at DESC);

CREATE TABLE courses (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        VARCHAR(255) NOT NULL CHECK (length(btrim(name)) > 0),
    description TEXT,
    color       VARCHAR(7) CHECK (color ~ '^#[0-9A-Fa-f]{6}$'),
    icon        VARCHAR(50),
    status      VARCHAR(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'trash')),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at  TIMESTAMPTZ,
    CONSTRAINT courses_trash_has_deleted_at CHECK ((status = 'trash') = (deleted_at IS NOT NULL))
);

CREATE INDEX idx_courses_user_id ON courses (user_id);
CREATE INDEX idx_courses_status ON courses (status);
CREATE INDEX idx_courses_created_at ON courses (created_at DESC);
CREATE INDEX idx_courses_user_status ON courses (user_id, status, updated_at DESC);
CREATE INDEX idx_courses_trash_deleted_at ON courses (deleted_at) WHERE status = 'trash';

CREATE TABLE uploads (
    id                UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id           UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id         UUID NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    status            VARCHAR(20) NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('queued', 'processing', 'done', 'failed')),
    stage             VARCHAR(20) NOT NULL DEFAULT 'ocr' CHECK (stage IN ('ocr', 'format', 'extract')),
    blob_key          VARCHAR(512) NOT NULL UNIQUE,
    content_type      VARCHAR(100) NOT NULL,
    byte_size         BIGINT NOT NULL CHECK (byte_size > 0),
    sha256            CHAR(64) NOT NULL,
    image_width       INTEGER NOT NULL CHECK (image_width > 0),
    image_height      INTEGER NOT NULL CHECK (image_height > 0),
    original_filename VARCHAR(255),
    title             VARCHAR(500),
    context           TEXT,
    idempotency_key   VARCHAR(255),
    -- Each stage saves its result here, so a retry never redoes a finished stage.
    ocr_text          TEXT,
    ocr_confidence    REAL,
    formatted_note    TEXT,
    format_engine     VARCHAR(100),
    error_code        VARCHAR(50),
    error_message     TEXT,
    -- Per stage: {"ocr": 1, "format": 2}; and milliseconds of work: {"ocr": 280, ...}.
    attempts          JSONB NOT NULL DEFAULT '{}',
    timings_ms        JSONB NOT NULL DEFAULT '{}',
    document_id       UUID,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at       TIMESTAMPTZ,
    CONSTRAINT uploads_failed_has_error CHECK ((status = 'failed') = (error_code IS NOT NULL)),
    CONSTRAINT uploads_done_is_finished CHECK (status <> 'done' OR finished_at IS NOT NULL)
);

CREATE INDEX idx_uploads_user_created ON uploads (user_id, created_at DESC, id DESC);
CREATE INDEX idx_uploads_course_id ON uploads (course_id);
CREATE UNIQUE INDEX idx_uploads_idempotency ON uploads (user_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- Status watchers (the SSE stream, `snapnote dev`'s tests) wait on this
-- channel instead of polling; the payload is the upload id.
CREATE FUNCTION notify_upload_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('upload_changed', NEW.id::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER uploads_notify_changed
    AFTER INSERT OR UPDATE ON uploads
    FOR EACH ROW EXECUTE FUNCTION notify_upload_changed();

CREATE TABLE documents (
    id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id       UUID NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    user_id         UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- One document per upload, however often the extract job runs.
    upload_id       UUID UNIQUE REFERENCES uploads (id) ON DELETE SET NULL,
    title           VARCHAR(500) NOT NULL,
    original_text   TEXT NOT NULL,
    formatted_note  TEXT NOT NULL,
    excerpt         VARCHAR(200),
    image_path      VARCHAR(512),
    status          VARCHAR(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'trash')),
    processing_time REAL,
    metadata        JSONB NOT NULL DEFAULT '{}',
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at      TIMESTAMPTZ,
    -- Title weighs above body in ranking.
    search          TSVECTOR GENERATED ALWAYS AS (
                        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
                        setweight(to_tsvector('english'::regconfig, coalesce(formatted_note, '')), 'B')
                    ) STORED,
    CONSTRAINT documents_trash_has_deleted_at CHECK ((status = 'trash') = (deleted_at IS NOT NULL))
);

CREATE INDEX idx_documents_course_id ON documents (course_id);
CREATE INDEX idx_documents_user_id ON documents (user_id);
CREATE INDEX idx_documents_status ON documents (status);
CREATE INDEX idx_documents_created_at ON documents (created_at DESC);
CREATE INDEX idx_documents_course_status ON documents (course_id, status);
-- Keyset pagination, newest first, per user and per course.
CREATE INDEX idx_documents_user_list ON documents (user_id, status, created_at DESC, id DESC);
CREATE INDEX idx_documents_course_list ON documents (course_id, status, created_at DESC, id DESC);
CREATE INDEX idx_documents_trash_deleted_at ON documents (deleted_at) WHERE status = 'trash';
CREATE INDEX idx_documents_title_trgm ON documents USING gin (title gin_trgm_ops);
CREATE INDEX idx_documents_formatted_note_trgm ON documents USING gin (formatted_note gin_trgm_ops);
CREATE INDEX idx_documents_metadata ON documents USING gin (metadata);
CREATE INDEX idx_documents_search ON documents USING gin (search);

ALTER TABLE uploads
    ADD CONSTRAINT uploads_document_id_fkey
    FOREIGN KEY (document_id) REFERENCES documents (id) ON DELETE SET NULL;

CREATE TABLE audit_logs (
    id          BIGSERIAL PRIMARY KEY,
    user_id     UUID REFERENCES users (id) ON DELETE SET NULL,
    action      VARCHAR(50) NOT NULL,
    entity_type VARCHAR(50) NOT NULL,
    entity_id   UUID,
    changes     JSONB,
    ip_address  INET,
    user_agent  TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_audit_logs_user_id ON audit_logs (user_id);
CREATE INDEX idx_audit_logs_entity ON audit_logs (entity_type, entity_id);
CREATE INDEX idx_audit_logs_created_at ON audit_logs (created_at DESC);
