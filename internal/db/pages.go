package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Page is one page of an upload: its image, where reading it stands, and,
// once its note is built, its place in the note.
type Page struct {
	UploadID      uuid.UUID
	N             int // 1-based, in the order the pages were sent
	BlobKey       string
	ContentType   string
	ByteSize      int64
	SHA256        string
	ImageWidth    int
	ImageHeight   int
	Status        string
	Attempts      int
	OCRText       string
	OCRConfidence *float64
	OCREngine     string
	OCRSteps      []string
	OCRMS         int64
	ErrorCode     string
	ErrorMessage  string
	DocumentID    *uuid.UUID
	Position      *int // 1-based place in the note
}

// NewPage is what the API knows of a page when it arrives.
type NewPage struct {
	BlobKey     string
	ContentType string
	ByteSize    int64
	SHA256      string
	ImageWidth  int
	ImageHeight int
}

const pageColumns = `p.upload_id, p.n, p.blob_key, p.content_type, p.byte_size, p.sha256, p.image_width,
	p.image_height, p.status, p.attempts, coalesce(p.ocr_text, ''), p.ocr_confidence, coalesce(p.ocr_engine, ''),
	p.ocr_steps, coalesce(p.ocr_ms, 0), coalesce(p.error_code, ''), coalesce(p.error_message, ''),
	p.document_id, p.position`

func scanPage(row scanner) (Page, error) {
	var p Page
	var conf *float32
	err := row.Scan(&p.UploadID, &p.N, &p.BlobKey, &p.ContentType, &p.ByteSize, &p.SHA256, &p.ImageWidth,
		&p.ImageHeight, &p.Status, &p.Attempts, &p.OCRText, &conf, &p.OCREngine, &p.OCRSteps, &p.OCRMS,
		&p.ErrorCode, &p.ErrorMessage, &p.DocumentID, &p.Position)
	if conf != nil {
		c := float64(*conf)
		p.OCRConfidence = &c
	}
	return p, interpretError(err)
}

// insertPages adds an upload's pages, numbered from 1 in order.
func (q *Queries) insertPages(ctx context.Context, uploadID uuid.UUID, pages []NewPage) error {
	for i, p := range pages {
		_, err := q.db.Exec(ctx, `
			INSERT INTO upload_pages (upload_id, n, blob_key, content_type, byte_size, sha256, image_width, image_height)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			uploadID, i+1, p.BlobKey, p.ContentType, p.ByteSize, p.SHA256, p.ImageWidth, p.ImageHeight)
		if err != nil {
			return fmt.Errorf("add page %d of upload %s: %w", i+1, uploadID, interpretError(err))
		}
	}
	return nil
}

// PagesOfUploads returns the pages of the uploads ids, in order, by upload.
func (q *Queries) PagesOfUploads(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]Page, error) {
	pages, err := list(ctx, q.db, "list pages", scanPage,
		`SELECT `+pageColumns+` FROM upload_pages p WHERE p.upload_id = ANY($1) ORDER BY p.upload_id, p.n`, ids)
	return groupBy(pages, func(p Page) uuid.UUID { return p.UploadID }), err
}

// groupBy returns rows by key, each group in the rows' order.
func groupBy[T any](rows []T, key func(T) uuid.UUID) map[uuid.UUID][]T {
	out := map[uuid.UUID][]T{}
	for _, r := range rows {
		out[key(r)] = append(out[key(r)], r)
	}
	return out
}

// PageForWork returns page n of an upload, for the pipeline's jobs.
func (q *Queries) PageForWork(ctx context.Context, uploadID uuid.UUID, n int) (Page, error) {
	return scanPage(q.db.QueryRow(ctx,
		`SELECT `+pageColumns+` FROM upload_pages p WHERE p.upload_id = $1 AND p.n = $2`, uploadID, n))
}

// StartPage records that an attempt at reading page n began, on River's
// attempt number attempt.
func (q *Queries) StartPage(ctx context.Context, uploadID uuid.UUID, n, attempt int) error {
	_, err := q.db.Exec(ctx, `
		UPDATE upload_pages SET status = 'processing', attempts = greatest(attempts, $3)
		WHERE upload_id = $1 AND n = $2 AND status IN ('queued', 'processing')`, uploadID, n, attempt)
	if err != nil {
		return fmt.Errorf("start page %d of upload %s: %w", n, uploadID, err)
	}
	return nil
}

// SavePageOCR stores what reading page n found, and touches the upload so
// that its watchers see the page's progress. Returns ErrNotFound when the
// page is not being read (a duplicate job).
func (q *Queries) SavePageOCR(ctx context.Context, uploadID uuid.UUID, n int, res OCRResult, took time.Duration) error {
	tag, err := q.db.Exec(ctx, `
		UPDATE upload_pages SET status = 'done', ocr_text = $3, ocr_confidence = $4, ocr_engine = nullif($5, ''),
			ocr_steps = $6, ocr_ms = $7
		WHERE upload_id = $1 AND n = $2 AND status IN ('queued', 'processing')`,
		uploadID, n, res.Text, res.Confidence, res.Engine, append([]string{}, res.Steps...), took.Milliseconds())
	if err != nil {
		return fmt.Errorf("save page %d of upload %s: %w", n, uploadID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("save page %d of upload %s: %w", n, uploadID, ErrNotFound)
	}
	return q.touchUpload(ctx, uploadID)
}

func (q *Queries) touchUpload(ctx context.Context, id uuid.UUID) error {
	if _, err := q.db.Exec(ctx, `UPDATE uploads SET updated_at = now() WHERE id = $1`, id); err != nil {
		return fmt.Errorf("touch upload %s: %w", id, err)
	}
	return nil
}

// PagesLeft returns how many of an upload's pages are not read yet.
func (q *Queries) PagesLeft(ctx context.Context, uploadID uuid.UUID) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, `SELECT count(*) FROM upload_pages WHERE upload_id = $1 AND status <> 'done'`, uploadID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count pages left of upload %s: %w", uploadID, err)
	}
	return n, nil
}

// CombinePages saves, on an upload at stage whose pages are all read, their
// text in order (after the text of the note the pages are added to, if
// any; a reread's text is its pages' alone), the mean confidence, the engine, the preprocessing steps of its
// pages (each named "pN:" when there are several), and the time reading
// them took in all.
func (q *Queries) CombinePages(ctx context.Context, uploadID uuid.UUID, stage string) error {
	tag, err := q.db.Exec(ctx, `
		UPDATE uploads SET
			ocr_text = concat_ws(E'\n\n',
				(SELECT nullif(d.original_text, '') FROM documents d
					WHERE d.id = uploads.into_document_id AND NOT uploads.rereads),
				(SELECT string_agg(p.ocr_text, E'\n\n' ORDER BY p.n) FROM upload_pages p
					WHERE p.upload_id = uploads.id AND p.ocr_text <> '')),
			ocr_confidence = (SELECT avg(p.ocr_confidence) FROM upload_pages p WHERE p.upload_id = uploads.id),
			ocr_engine = (SELECT max(p.ocr_engine) FROM upload_pages p WHERE p.upload_id = uploads.id),
			ocr_steps = coalesce((SELECT array_agg(CASE WHEN c.pages > 1 THEN 'p' || p.n || ':' || t.step ELSE t.step END
					ORDER BY p.n, t.i)
				FROM upload_pages p, unnest(p.ocr_steps) WITH ORDINALITY AS t(step, i),
					(SELECT count(*) AS pages FROM upload_pages WHERE upload_id = uploads.id) c
				WHERE p.upload_id = uploads.id), '{}'),
			timings_ms = timings_ms || jsonb_build_object($2::text,
				(SELECT coalesce(sum(p.ocr_ms), 0) FROM upload_pages p WHERE p.upload_id = uploads.id)),
			updated_at = now()
		WHERE id = $1 AND stage = $2::text AND status = 'processing'`, uploadID, stage)
	if err != nil {
		return fmt.Errorf("combine pages of upload %s: %w", uploadID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("combine pages of upload %s: %w", uploadID, ErrNotFound)
	}
	return nil
}

// RequeuePages puts the pages of a failed upload that were not read back
// in the queue, and returns their numbers: a retry reads only those.
func (q *Queries) RequeuePages(ctx context.Context, uploadID uuid.UUID) ([]int, error) {
	return list(ctx, q.db, "requeue pages", func(r scanner) (int, error) {
		var n int
		return n, r.Scan(&n)
	}, `
		UPDATE upload_pages SET status = 'queued', error_code = NULL, error_message = NULL
		WHERE upload_id = $1 AND status <> 'done'
		RETURNING n`, uploadID)
}

// PlacePages gives an upload's pages their places in document documentID,
// after the pages it has. Pages placed already stay where they are.
func (q *Queries) PlacePages(ctx context.Context, uploadID, documentID uuid.UUID) error {
	_, err := q.db.Exec(ctx, `
		UPDATE upload_pages SET document_id = $2,
			position = (SELECT coalesce(max(position), 0) FROM upload_pages WHERE document_id = $2) + n
		WHERE upload_id = $1 AND document_id IS NULL`, uploadID, documentID)
	if err != nil {
		return fmt.Errorf("place pages of upload %s in document %s: %w", uploadID, documentID, err)
	}
	return nil
}

// ReplacePages gives the pages of a reread upload the places, in document
// documentID, of the pages they read again (the pages with the same
// image), which leave the note, and their figures with them. A page it
// finds no place for is left for PlacePages.
func (q *Queries) ReplacePages(ctx context.Context, uploadID, documentID uuid.UUID) error {
	type place struct {
		key      string
		position int
	}
	// Two statements: a place is free only once the page that held it has left.
	places, err := list(ctx, q.db, "unplace pages read again", func(r scanner) (place, error) {
		var p place
		return p, r.Scan(&p.key, &p.position)
	}, `
		UPDATE upload_pages o SET document_id = NULL, position = NULL
		FROM upload_pages was, upload_pages p
		WHERE was.upload_id = o.upload_id AND was.n = o.n
			AND p.upload_id = $1 AND p.document_id IS NULL AND o.document_id = $2 AND o.blob_key = p.blob_key
		RETURNING o.blob_key, was.position`, uploadID, documentID)
	if err != nil {
		return fmt.Errorf("replace pages of document %s: %w", documentID, err)
	}
	keys, positions := make([]string, len(places)), make([]int, len(places))
	for i, p := range places {
		keys[i], positions[i] = p.key, p.position
	}
	if _, err := q.db.Exec(ctx, `
		UPDATE upload_pages p SET document_id = $2, position = x.position
		FROM unnest($3::text[], $4::int[]) AS x(key, position)
		WHERE p.upload_id = $1 AND p.blob_key = x.key`, uploadID, documentID, keys, positions); err != nil {
		return fmt.Errorf("place pages read again in document %s: %w", documentID, err)
	}
	if _, err := q.db.Exec(ctx, `
		UPDATE page_figures f SET document_id = NULL, n = NULL
		FROM upload_pages o
		WHERE f.document_id = $1 AND o.upload_id = f.upload_id AND o.n = f.page AND o.document_id IS NULL`,
		documentID); err != nil {
		return fmt.Errorf("unnumber figures of pages read again in document %s: %w", documentID, err)
	}
	return nil
}

// DocumentPages returns the pages of one of the user's documents, in order.
func (q *Queries) DocumentPages(ctx context.Context, userID, documentID uuid.UUID) ([]Page, error) {
	return list(ctx, q.db, "list document pages", scanPage, `
		SELECT `+pageColumns+` FROM upload_pages p JOIN documents d ON d.id = p.document_id
		WHERE p.document_id = $1 AND d.user_id = $2
		ORDER BY p.position`, documentID, userID)
}

// DocumentPage returns the page at position of one of the user's documents.
func (q *Queries) DocumentPage(ctx context.Context, userID, documentID uuid.UUID, position int) (Page, error) {
	return scanPage(q.db.QueryRow(ctx, `
		SELECT `+pageColumns+` FROM upload_pages p JOIN documents d ON d.id = p.document_id
		WHERE p.document_id = $1 AND d.user_id = $2 AND p.position = $3`, documentID, userID, position))
}

// PagesOfDocuments returns the pages of the user's documents ids, in
// order, by document.
func (q *Queries) PagesOfDocuments(ctx context.Context, userID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID][]Page, error) {
	pages, err := list(ctx, q.db, "list documents' pages", scanPage, `
		SELECT `+pageColumns+` FROM upload_pages p JOIN documents d ON d.id = p.document_id
		WHERE p.document_id = ANY($1) AND d.user_id = $2
		ORDER BY p.document_id, p.position`, ids, userID)
	return groupBy(pages, func(p Page) uuid.UUID { return *p.DocumentID }), err
}
