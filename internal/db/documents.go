package db

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
)

// Document is a finished note.
type Document struct {
	ID             uuid.UUID
	CourseID       uuid.UUID
	UserID         uuid.UUID
	UploadID       *uuid.UUID
	Title          string
	OriginalText   string
	FormattedNote  string
	Excerpt        string
	ImagePath      string
	Status         string
	ProcessingTime float64 // seconds from upload to finished note
	Metadata       map[string]any
	CreatedAt      time.Time
	UpdatedAt      time.Time
	DeletedAt      *time.Time
}

// NewDocument is what the pipeline's last stage writes.
type NewDocument struct {
	UserID         uuid.UUID
	CourseID       uuid.UUID
	UploadID       uuid.UUID
	Title          string
	OriginalText   string
	FormattedNote  string
	Excerpt        string
	ImagePath      string
	ProcessingTime float64
	Metadata       map[string]any
}

const documentColumns = `d.id, d.course_id, d.user_id, d.upload_id, d.title, d.original_text, d.formatted_note,
	coalesce(d.excerpt, ''), coalesce(d.image_path, ''), d.status, coalesce(d.processing_time, 0),
	d.metadata, d.created_at, d.updated_at, d.deleted_at`

func scanDocument(row scanner) (Document, error) {
	var d Document
	var seconds float32
	err := row.Scan(&d.ID, &d.CourseID, &d.UserID, &d.UploadID, &d.Title, &d.OriginalText,
		&d.FormattedNote, &d.Excerpt, &d.ImagePath, &d.Status, &seconds, &d.Metadata,
		&d.CreatedAt, &d.UpdatedAt, &d.DeletedAt)
	d.ProcessingTime = float64(seconds)
	return d, interpretError(err)
}

// InsertDocument writes the upload's document once: when a document for the
// upload exists already (a retried job), it returns that one's id instead.
func (q *Queries) InsertDocument(ctx context.Context, in NewDocument) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.db.QueryRow(ctx, `
		INSERT INTO documents (course_id, user_id, upload_id, title, original_text, formatted_note,
			excerpt, image_path, processing_time, metadata)
		VALUES ($1, $2, $3, $4, $5, $6, nullif($7, ''), nullif($8, ''), $9, $10)
		ON CONFLICT (upload_id) DO NOTHING
		RETURNING id`,
		in.CourseID, in.UserID, in.UploadID, in.Title, in.OriginalText, in.FormattedNote,
		in.Excerpt, in.ImagePath, in.ProcessingTime, in.Metadata).Scan(&id)
	if errors.Is(interpretError(err), ErrNotFound) {
		err = q.db.QueryRow(ctx, `SELECT id FROM documents WHERE upload_id = $1`, in.UploadID).Scan(&id)
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("insert document for upload %s: %w", in.UploadID, interpretError(err))
	}
	return id, nil
}

// RebuildDocument writes the note that pages were added to anew: its text,
// note, excerpt, metadata and processing time; its title too, unless the
// user edited it (then in.Title is ignored). Returns ErrNotFound when the
// document is gone.
func (q *Queries) RebuildDocument(ctx context.Context, id uuid.UUID, in NewDocument) error {
	tag, err := q.db.Exec(ctx, `
		UPDATE documents SET
			title = CASE WHEN title_edited THEN title ELSE $3 END,
			original_text = $4, formatted_note = $5, excerpt = nullif($6, ''),
			processing_time = coalesce(processing_time, 0) + $7, metadata = $8, updated_at = now()
		WHERE id = $1 AND user_id = $2`,
		id, in.UserID, in.Title, in.OriginalText, in.FormattedNote, in.Excerpt, in.ProcessingTime, in.Metadata)
	if err != nil {
		return fmt.Errorf("rebuild document %s: %w", id, interpretError(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("rebuild document %s: %w", id, ErrNotFound)
	}
	return nil
}

// RelinkDocument writes a note's texts again once the links to its figures,
// which name the note, are known. Returns ErrNotFound when the document is
// gone.
func (q *Queries) RelinkDocument(ctx context.Context, id uuid.UUID, originalText, formattedNote, excerpt string) error {
	tag, err := q.db.Exec(ctx, `
		UPDATE documents SET original_text = $2, formatted_note = $3, excerpt = nullif($4, '')
		WHERE id = $1`, id, originalText, formattedNote, excerpt)
	if err != nil {
		return fmt.Errorf("relink document %s: %w", id, interpretError(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("relink document %s: %w", id, ErrNotFound)
	}
	return nil
}

// ErrCourseInTrash is returned when a document cannot be restored because
// its course is in trash: the course must be restored first.
var ErrCourseInTrash = errors.New("course is in trash")

// DocumentByID returns one of the user's documents, in any status.
func (q *Queries) DocumentByID(ctx context.Context, userID, id uuid.UUID) (Document, error) {
	return scanDocument(q.db.QueryRow(ctx,
		`SELECT `+documentColumns+` FROM documents d WHERE d.id = $1 AND d.user_id = $2`, id, userID))
}

// LockDocument returns one of the user's documents, in any status, locking
// its row until the transaction ends.
func (q *Queries) LockDocument(ctx context.Context, userID, id uuid.UUID) (Document, error) {
	return scanDocument(q.db.QueryRow(ctx,
		`SELECT `+documentColumns+` FROM documents d WHERE d.id = $1 AND d.user_id = $2 FOR UPDATE`, id, userID))
}

// UpdateDocument writes d's editable fields (course, title, note, excerpt,
// and the OCR text, which a restored version brings back) and bumps its
// updatedAt; the search column follows, being generated. The uploads that
// made the note (its pages, pages added, rereads) follow it to its course:
// purging the course it left must not take its pages with it. The caller
// checks that the course is d.UserID's. It returns ErrNotFound when d is not
// one of d.UserID's documents.
func (q *Queries) UpdateDocument(ctx context.Context, d Document) (Document, error) {
	return scanDocument(q.db.QueryRow(ctx, `
		WITH updated AS (
			UPDATE documents d SET course_id = $3, title = $4::text, formatted_note = $5, excerpt = nullif($6, ''),
				original_text = $7, title_edited = d.title_edited OR d.title <> $4::text,
				updated_at = now()
			WHERE d.id = $1 AND d.user_id = $2
			RETURNING d.*
		), uploads_moved AS (
			UPDATE uploads u SET course_id = d.course_id
			FROM updated d
			WHERE u.user_id = d.user_id AND u.course_id <> d.course_id
			  AND (u.id = d.upload_id OR u.into_document_id = d.id
			       OR u.id IN (SELECT p.upload_id FROM upload_pages p WHERE p.document_id = d.id))
		)
		SELECT `+documentColumns+` FROM updated d`,
		d.ID, d.UserID, d.CourseID, d.Title, d.FormattedNote, d.Excerpt, d.OriginalText))
}

// SetDocumentStatus moves one of the user's documents to status
// (snapnote.StatusActive or snapnote.StatusTrash), setting or clearing deletedAt. It returns
// the document and whether it changed (false when it was in status
// already), ErrNotFound, or, when restoring a document whose course is in
// trash, ErrCourseInTrash. Run it in a transaction.
func (q *Queries) SetDocumentStatus(ctx context.Context, userID, id uuid.UUID, status string) (Document, bool, error) {
	d, err := q.LockDocument(ctx, userID, id)
	if err != nil {
		return Document{}, false, err
	}
	if status == snapnote.StatusActive {
		var courseStatus string
		if err := q.db.QueryRow(ctx, `SELECT status FROM courses WHERE id = $1 AND user_id = $2`, d.CourseID, userID).Scan(&courseStatus); err != nil {
			return Document{}, false, fmt.Errorf("restore document %s: %w", id, interpretError(err))
		}
		if courseStatus != snapnote.StatusActive {
			return Document{}, false, ErrCourseInTrash
		}
	}
	if d.Status == status {
		return d, false, nil
	}
	d, err = scanDocument(q.db.QueryRow(ctx, `
		UPDATE documents d SET status = $3::text, deleted_at = CASE WHEN $3::text = 'trash' THEN now() END, updated_at = now()
		WHERE d.id = $1 AND d.user_id = $2
		RETURNING `+documentColumns, id, userID, status))
	if err != nil {
		return Document{}, false, fmt.Errorf("move document %s to %s: %w", id, status, err)
	}
	return d, true, nil
}

// DocumentFilter selects a page of a user's documents.
type DocumentFilter struct {
	// Status is snapnote.StatusActive (documents in active courses only) or
	// snapnote.StatusTrash (trashed documents, whatever their course's status).
	Status   string
	CourseID uuid.UUID // uuid.Nil for every course
	After    *Cursor   // nil for the first page
	Limit    int
}

// ListDocuments returns a page of the user's documents, newest first by
// (createdAt, id). Documents created after the first page was read are newer
// than any cursor, so a walk of the pages neither repeats nor skips a row.
func (q *Queries) ListDocuments(ctx context.Context, userID uuid.UUID, f DocumentFilter) ([]Document, error) {
	// The conditions are assembled rather than written as "$n IS NULL OR …",
	// so that every variant gets a plan that seeks the keyset index.
	var sql strings.Builder
	sql.WriteString(`SELECT ` + documentColumns + ` FROM documents d WHERE d.user_id = $1 AND d.status = $2`)
	args := []any{userID, f.Status}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Status == snapnote.StatusActive {
		sql.WriteString(` AND EXISTS (SELECT 1 FROM courses c WHERE c.id = d.course_id AND c.status = 'active')`)
	}
	if f.CourseID != uuid.Nil {
		sql.WriteString(` AND d.course_id = ` + arg(f.CourseID))
	}
	if f.After != nil {
		sql.WriteString(` AND (d.created_at, d.id) < (` + arg(f.After.CreatedAt) + `, ` + arg(f.After.ID) + `)`)
	}
	sql.WriteString(` ORDER BY d.created_at DESC, d.id DESC LIMIT ` + arg(f.Limit))
	return list(ctx, q.db, "list documents", scanDocument, sql.String(), args...)
}
