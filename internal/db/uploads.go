package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
)

// Upload is one uploaded image and the state of its pipeline.
type Upload struct {
	ID               uuid.UUID
	UserID           uuid.UUID
	CourseID         uuid.UUID
	Status           string
	Stage            string
	BlobKey          string
	ContentType      string
	ByteSize         int64
	SHA256           string
	ImageWidth       int
	ImageHeight      int
	OriginalFilename string
	Title            string
	Context          string
	IdempotencyKey   string
	OCRText          string
	OCRConfidence    *float64
	FormattedNote    string
	FormatEngine     string
	OCREngine        string      // who read the text: "tesseract", "vision", "tesseract (vision failed: …)"
	OCRSteps         []string    // preprocessing applied before OCR: "rotate:180", "deskew:-2.25", …
	LLMUsage         *TokenUsage // tokens the format stage spent; nil when no LLM was asked
	FormatGuard      string      // why the LLM's note was rejected for the built-in one
	ErrorCode        string
	ErrorMessage     string
	Attempts         map[string]int
	TimingsMS        map[string]int64
	DocumentID       *uuid.UUID
	IntoDocumentID   *uuid.UUID // the note its pages are added to, or read again; nil when it makes a new one
	Rereads          bool       // its pages are IntoDocumentID's own, read again to rewrite the note
	PageCount        int
	CreatedAt        time.Time
	UpdatedAt        time.Time
	FinishedAt       *time.Time
}

// TokenUsage is what LLM requests used, in tokens.
type TokenUsage struct {
	PromptTokens     int `json:"promptTokens"`
	CompletionTokens int `json:"completionTokens"`
	TotalTokens      int `json:"totalTokens"`
}

// errNoPages is returned by CreateUpload for an upload without pages.
var errNoPages = errors.New("an upload has at least one page")

// NewUpload is what the API knows when an image arrives.
type NewUpload struct {
	ID               uuid.UUID
	UserID           uuid.UUID
	CourseID         uuid.UUID
	OriginalFilename string
	Title            string
	Context          string
	IdempotencyKey   string
	// Pages are the upload's pages in order: at least one.
	Pages []NewPage
	// IntoDocumentID is the note the pages are added to; nil makes a new one.
	IntoDocumentID *uuid.UUID
	// Rereads makes the upload read IntoDocumentID's own pages again
	// (Pages are copies of them) and rewrite the note, not add to it.
	Rereads bool
}

const uploadColumns = `id, user_id, course_id, status, stage, blob_key, content_type, byte_size, sha256,
	image_width, image_height, coalesce(original_filename, ''), coalesce(title, ''), coalesce(context, ''),
	coalesce(idempotency_key, ''), coalesce(ocr_text, ''), ocr_confidence, coalesce(formatted_note, ''),
	coalesce(format_engine, ''), coalesce(error_code, ''), coalesce(error_message, ''), attempts, timings_ms,
	document_id, created_at, updated_at, finished_at, coalesce(ocr_engine, ''), llm_usage,
	coalesce(format_guard, ''), ocr_steps, into_document_id, rereads,
	(SELECT count(*) FROM upload_pages p WHERE p.upload_id = uploads.id)`

func scanUpload(row scanner) (Upload, error) {
	var u Upload
	var conf *float32
	err := row.Scan(&u.ID, &u.UserID, &u.CourseID, &u.Status, &u.Stage, &u.BlobKey, &u.ContentType,
		&u.ByteSize, &u.SHA256, &u.ImageWidth, &u.ImageHeight, &u.OriginalFilename, &u.Title, &u.Context,
		&u.IdempotencyKey, &u.OCRText, &conf, &u.FormattedNote, &u.FormatEngine, &u.ErrorCode,
		&u.ErrorMessage, &u.Attempts, &u.TimingsMS, &u.DocumentID, &u.CreatedAt, &u.UpdatedAt, &u.FinishedAt,
		&u.OCREngine, &u.LLMUsage, &u.FormatGuard, &u.OCRSteps, &u.IntoDocumentID, &u.Rereads, &u.PageCount)
	if conf != nil {
		c := float64(*conf)
		u.OCRConfidence = &c
	}
	return u, interpretError(err)
}

// CreateUpload inserts a queued upload and its pages. Returns ErrConflict when the user
// already sent the same idempotency key, and ErrNoteBusy when the upload
// would add pages to a note being read again, or read again a note that
// an upload is still adding to or reading.
func (q *Queries) CreateUpload(ctx context.Context, in NewUpload) (Upload, error) {
	pages := in.Pages
	if len(pages) == 0 {
		return Upload{}, fmt.Errorf("create upload %s: %w", in.ID, errNoPages)
	}
	if in.IntoDocumentID != nil {
		if err := q.checkNoteFree(ctx, in.UserID, *in.IntoDocumentID, in.Rereads); err != nil {
			return Upload{}, err
		}
	}
	first := pages[0]
	u, err := scanUpload(q.db.QueryRow(ctx, `
		INSERT INTO uploads (id, user_id, course_id, blob_key, content_type, byte_size, sha256,
			image_width, image_height, original_filename, title, context, idempotency_key, into_document_id, rereads)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, nullif($10, ''), nullif($11, ''), nullif($12, ''), nullif($13, ''), $14, $15)
		RETURNING `+uploadColumns,
		in.ID, in.UserID, in.CourseID, first.BlobKey, first.ContentType, first.ByteSize, first.SHA256,
		first.ImageWidth, first.ImageHeight, in.OriginalFilename, in.Title, in.Context, in.IdempotencyKey,
		in.IntoDocumentID, in.Rereads))
	if err != nil {
		return Upload{}, fmt.Errorf("create upload: %w", err)
	}
	u.PageCount = len(pages)
	return u, q.insertPages(ctx, u.ID, pages)
}

// ErrNoteBusy is returned by CreateUpload when another upload is working on
// the note: a reread rewrites the note's pages, so it waits for the uploads
// adding to it, and they for it.
var ErrNoteBusy = errors.New("the note is being read")

// checkNoteFree locks the user's document id until the transaction ends
// (so that two uploads into it are checked one after the other) and
// returns ErrNoteBusy when an upload into it is queued or processing: any
// upload for a reread, a reread for pages added. Returns ErrNotFound when
// the document is not the user's.
func (q *Queries) checkNoteFree(ctx context.Context, userID, id uuid.UUID, rereads bool) error {
	var busy bool
	err := q.db.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM uploads u WHERE u.into_document_id = d.id
			AND u.status IN ('queued', 'processing') AND (u.rereads OR $3))
		FROM documents d WHERE d.id = $1 AND d.user_id = $2
		FOR UPDATE OF d`, id, userID, rereads).Scan(&busy)
	if err != nil {
		return fmt.Errorf("check uploads into document %s: %w", id, interpretError(err))
	}
	if busy {
		return ErrNoteBusy
	}
	return nil
}

// ErrInTrash is returned when a note in trash is asked to change: it must
// be restored first.
var ErrInTrash = errors.New("in trash")

// ErrNoPages is returned by RereadOf for a note without stored pages.
var ErrNoPages = errors.New("the note has no stored pages")

// RereadOf returns the upload that reads the pages of one of the user's
// notes again, for CreateUpload once its id and idempotency key are set:
// copies of the note's pages in order, its course and formatting hint. It
// locks the note's row until the transaction ends. Returns ErrNotFound,
// ErrInTrash when the note is in trash, ErrCourseInTrash when its course
// is, and ErrNoPages.
func (q *Queries) RereadOf(ctx context.Context, userID, documentID uuid.UUID) (NewUpload, error) {
	d, err := q.LockDocument(ctx, userID, documentID)
	if err != nil {
		return NewUpload{}, err
	}
	if d.Status != snapnote.StatusActive {
		return NewUpload{}, ErrInTrash
	}
	var courseStatus string
	if err := q.db.QueryRow(ctx, `SELECT status FROM courses WHERE id = $1`, d.CourseID).Scan(&courseStatus); err != nil {
		return NewUpload{}, fmt.Errorf("read again document %s: %w", documentID, interpretError(err))
	}
	if courseStatus != snapnote.StatusActive {
		return NewUpload{}, ErrCourseInTrash
	}
	pages, err := q.DocumentPages(ctx, userID, documentID)
	if err != nil {
		return NewUpload{}, err
	}
	if len(pages) == 0 {
		return NewUpload{}, ErrNoPages
	}
	in := NewUpload{UserID: userID, CourseID: d.CourseID, IntoDocumentID: &d.ID, Rereads: true}
	in.Context, _ = d.Metadata["context"].(string)
	for _, p := range pages {
		in.Pages = append(in.Pages, NewPage{BlobKey: p.BlobKey, ContentType: p.ContentType, ByteSize: p.ByteSize,
			SHA256: p.SHA256, ImageWidth: p.ImageWidth, ImageHeight: p.ImageHeight})
	}
	return in, nil
}

// UploadByID returns one of the user's uploads.
func (q *Queries) UploadByID(ctx context.Context, userID, id uuid.UUID) (Upload, error) {
	return scanUpload(q.db.QueryRow(ctx,
		`SELECT `+uploadColumns+` FROM uploads WHERE id = $1 AND user_id = $2`, id, userID))
}

// UploadByIdempotencyKey returns the user's upload made with key.
func (q *Queries) UploadByIdempotencyKey(ctx context.Context, userID uuid.UUID, key string) (Upload, error) {
	return scanUpload(q.db.QueryRow(ctx,
		`SELECT `+uploadColumns+` FROM uploads WHERE user_id = $1 AND idempotency_key = $2`, userID, key))
}

// UploadFilter narrows a list of uploads.
type UploadFilter struct {
	CourseID uuid.UUID // uuid.Nil for every course
	// Statuses are the upload statuses listed; none lists every status.
	Statuses []string
	After    *Cursor // nil for the first page
	Limit    int
}

// ListUploads returns a page of the user's uploads, newest first by
// (createdAt, id).
func (q *Queries) ListUploads(ctx context.Context, userID uuid.UUID, f UploadFilter) ([]Upload, error) {
	var course *uuid.UUID
	if f.CourseID != uuid.Nil {
		course = &f.CourseID
	}
	var statuses []string // NULL: every status
	if len(f.Statuses) > 0 {
		statuses = f.Statuses
	}
	return list(ctx, q.db, "list uploads", scanUpload, `
		SELECT `+uploadColumns+` FROM uploads
		WHERE user_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3))
			AND ($4::uuid IS NULL OR course_id = $4)
			AND ($5::text[] IS NULL OR status = ANY($5))
		ORDER BY created_at DESC, id DESC
		LIMIT $6`, userID, f.After.time(), f.After.id(), course, statuses, f.Limit)
}

// UploadForWork returns an upload by id alone, for the pipeline's jobs.
func (q *Queries) UploadForWork(ctx context.Context, id uuid.UUID) (Upload, error) {
	return scanUpload(q.db.QueryRow(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE id = $1`, id))
}

// UploadLanguage returns the language the pages of upload id are read in,
// its course's: Tesseract's codes joined by "+", or "auto" (see
// snapnote.LanguagePattern). Returns ErrNotFound when the upload is gone.
func (q *Queries) UploadLanguage(ctx context.Context, id uuid.UUID) (string, error) {
	var lang string
	err := q.db.QueryRow(ctx, `
		SELECT c.language FROM uploads u JOIN courses c ON c.id = u.course_id
		WHERE u.id = $1`, id).Scan(&lang)
	if err != nil {
		return "", fmt.Errorf("language of upload %s: %w", id, interpretError(err))
	}
	return lang, nil
}

// LockUploadForWork returns an upload by id alone, locking its row until
// the transaction ends: the jobs of one upload's pages finish one at a
// time, so exactly one of them sees the last page read.
func (q *Queries) LockUploadForWork(ctx context.Context, id uuid.UUID) (Upload, error) {
	return scanUpload(q.db.QueryRow(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE id = $1 FOR UPDATE`, id))
}

// StartStage records that an attempt at stage began: the upload is
// processing, at that stage; its attempts at the stage are the most that
// any of the stage's jobs has made, as River counts them.
func (q *Queries) StartStage(ctx context.Context, id uuid.UUID, stage string, attempt int) error {
	_, err := q.db.Exec(ctx, `
		UPDATE uploads SET
			status     = 'processing',
			stage      = $2::text,
			attempts   = attempts || jsonb_build_object($2::text,
				greatest(coalesce((attempts->>($2::text))::int, 0), $3::int)),
			updated_at = now()
		WHERE id = $1 AND status IN ('queued', 'processing')`, id, stage, attempt)
	if err != nil {
		return fmt.Errorf("start stage %s of upload %s: %w", stage, id, err)
	}
	return nil
}

// OCRResult is what the OCR stage saves of a page (SavePageOCR).
type OCRResult struct {
	Text       string
	Confidence *float64 // nil when the engine does not score words
	Engine     string
	Steps      []string
}

// StageResult is what a stage saves on its upload: the stage's name and the
// columns its result sets.
type StageResult interface {
	// stage returns the name of the stage the result is of.
	stage() string
	// assignments returns the SET list of the result's columns, whose
	// parameters start at $4, and their values.
	assignments() (set string, args []any)
}

// FormatResult is what the format stage saves.
type FormatResult struct {
	Markdown string
	Engine   string
	Usage    *TokenUsage // nil when no LLM was asked
	Guard    string      // why the LLM's note was rejected, or ""
}

func (FormatResult) stage() string { return snapnote.StageFormat }

func (res FormatResult) assignments() (string, []any) {
	return `formatted_note = $4, format_engine = $5, llm_usage = $6, format_guard = nullif($7, '')`,
		[]any{res.Markdown, res.Engine, res.Usage, res.Guard}
}

// SaveStage stores a stage's result, and the time the stage took, on an
// upload processing at that stage. Returns ErrNotFound when the upload is
// not there (a duplicate job).
func (q *Queries) SaveStage(ctx context.Context, id uuid.UUID, res StageResult, took time.Duration) error {
	stage := res.stage()
	set, args := res.assignments()
	tag, err := q.db.Exec(ctx, `
		UPDATE uploads SET `+set+`,
			timings_ms = timings_ms || jsonb_build_object($2::text, $3::bigint),
			updated_at = now()
		WHERE id = $1 AND stage = $2::text AND status = 'processing'`,
		append([]any{id, stage, took.Milliseconds()}, args...)...)
	if err != nil {
		return fmt.Errorf("save %s result of upload %s: %w", stage, id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("save %s result of upload %s: %w", stage, id, ErrNotFound)
	}
	return nil
}

// MoveToStage hands an upload processing at stage from on to stage to.
func (q *Queries) MoveToStage(ctx context.Context, id uuid.UUID, from, to string) error {
	tag, err := q.db.Exec(ctx, `
		UPDATE uploads SET stage = $3::text, updated_at = now()
		WHERE id = $1 AND stage = $2::text AND status = 'processing'`, id, from, to)
	if err != nil {
		return fmt.Errorf("move upload %s from %s to %s: %w", id, from, to, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("move upload %s from %s to %s: %w", id, from, to, ErrNotFound)
	}
	return nil
}

// FinishUpload marks an upload processing at its last stage done, with its
// document and the time that stage took.
func (q *Queries) FinishUpload(ctx context.Context, id uuid.UUID, stage string, documentID uuid.UUID, took time.Duration) error {
	tag, err := q.db.Exec(ctx, `
		UPDATE uploads SET
			status      = 'done',
			document_id = $3,
			timings_ms  = timings_ms || jsonb_build_object($2::text, $4::bigint),
			finished_at = now(),
			updated_at  = now()
		WHERE id = $1 AND stage = $2::text AND status = 'processing'`, id, stage, documentID, took.Milliseconds())
	if err != nil {
		return fmt.Errorf("finish upload %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("finish upload %s: %w", id, ErrNotFound)
	}
	return nil
}

// FailUpload is the one way an upload fails, whatever found the failure: a
// stage, River giving up on its job, or a worker found dead. It marks the
// upload failed at its current stage with f's code and message and, when page
// is not 0, that page too, so that no page shows "processing" under a failed
// upload; the upload's message then names the page when there are several. A
// no-op on an upload that is no longer queued or processing, except for the
// page, which did fail.
func (q *Queries) FailUpload(ctx context.Context, id uuid.UUID, page int, f snapnote.Failure) error {
	_, err := q.db.Exec(ctx, `
		WITH failed_page AS (
			UPDATE upload_pages SET status = 'failed', error_code = $3, error_message = $4
			WHERE upload_id = $1 AND n = $2 AND status IN ('queued', 'processing')
		), pages AS (
			SELECT count(*) AS n FROM upload_pages WHERE upload_id = $1
		)
		UPDATE uploads SET
			status        = 'failed',
			error_code    = $3,
			error_message = CASE WHEN $2 > 0 AND pages.n > 1 THEN format('Page %s of %s: %s', $2, pages.n, $4) ELSE $4 END,
			finished_at   = now(),
			updated_at    = now()
		FROM pages
		WHERE id = $1 AND status IN ('queued', 'processing')`, id, page, f.Code, f.Message)
	if err != nil {
		return fmt.Errorf("fail upload %s: %w", id, err)
	}
	return nil
}

// ErrNotFailed is returned by RetryUpload for an upload that has not failed.
var ErrNotFailed = errors.New("upload has not failed")

// RetryUpload puts a failed upload back in the queue at the stage it failed
// in; the caller enqueues that stage's job in the same transaction. Returns
// ErrNotFailed for an upload that has not failed, and ErrCourseInTrash when
// its course is in trash.
func (q *Queries) RetryUpload(ctx context.Context, userID, id uuid.UUID) (Upload, error) {
	u, err := scanUpload(q.db.QueryRow(ctx, `
		UPDATE uploads SET
			status        = 'queued',
			error_code    = NULL,
			error_message = NULL,
			finished_at   = NULL,
			updated_at    = now()
		WHERE id = $1 AND user_id = $2 AND status = 'failed'
		  AND EXISTS (SELECT 1 FROM courses c WHERE c.id = uploads.course_id AND c.status = 'active')
		RETURNING `+uploadColumns, id, userID))
	if !errors.Is(err, ErrNotFound) {
		return u, err
	}
	u, err = q.UploadByID(ctx, userID, id)
	switch {
	case err != nil:
		return Upload{}, err
	case u.Status != snapnote.UploadFailed:
		return Upload{}, ErrNotFailed
	}
	return Upload{}, ErrCourseInTrash
}
