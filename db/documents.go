package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
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

func scanDocument(row interface{ Scan(...any) error }) (Document, error) {
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

// DocumentByID returns one of the user's documents, in any status.
func (q *Queries) DocumentByID(ctx context.Context, userID, id uuid.UUID) (Document, error) {
	return scanDocument(q.db.QueryRow(ctx,
		`SELECT `+documentColumns+` FROM documents d WHERE d.id = $1 AND d.user_id = $2`, id, userID))
}
