package db

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

// Figure is a figure cut from a page of an upload, stored as an image of its
// own; once the note is built, figure N of the note.
type Figure struct {
	UploadID    uuid.UUID
	Page        int // the page's n in its upload
	K           int // 1-based, in the page's reading order
	BlobKey     string
	ContentType string
	ByteSize    int64
	Width       int
	Height      int
	DocumentID  *uuid.UUID
	N           *int // 1-based number in the note
}

const figureColumns = `f.upload_id, f.page, f.k, f.blob_key, f.content_type, f.byte_size, f.width, f.height,
	f.document_id, f.n`

func scanFigure(row scanner) (Figure, error) {
	var f Figure
	err := row.Scan(&f.UploadID, &f.Page, &f.K, &f.BlobKey, &f.ContentType, &f.ByteSize, &f.Width, &f.Height,
		&f.DocumentID, &f.N)
	return f, interpretError(err)
}

// SavePageFigures records the figures cut from page n of an upload, figs[i]
// as figure i+1, in place of any an earlier reading of the page recorded.
// Their upload, page and number are taken from the arguments, not figs.
func (q *Queries) SavePageFigures(ctx context.Context, uploadID uuid.UUID, n int, figs []Figure) error {
	if _, err := q.db.Exec(ctx, `DELETE FROM page_figures WHERE upload_id = $1 AND page = $2`, uploadID, n); err != nil {
		return fmt.Errorf("replace figures of page %d of upload %s: %w", n, uploadID, err)
	}
	for i, f := range figs {
		_, err := q.db.Exec(ctx, `
			INSERT INTO page_figures (upload_id, page, k, blob_key, content_type, byte_size, width, height)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			uploadID, n, i+1, f.BlobKey, f.ContentType, f.ByteSize, f.Width, f.Height)
		if err != nil {
			return fmt.Errorf("add figure %d of page %d of upload %s: %w", i+1, n, uploadID, interpretError(err))
		}
	}
	return nil
}

// NumberFigures gives the figures of an upload that are not numbered yet
// their numbers in document documentID, after the figures it has, in the
// order of their pages and of the figures on each page: the order the
// upload's pages follow the note's. It returns the upload's figures, each
// with its number.
func (q *Queries) NumberFigures(ctx context.Context, uploadID, documentID uuid.UUID) ([]Figure, error) {
	_, err := q.db.Exec(ctx, `
		UPDATE page_figures f SET document_id = $2,
			n = (SELECT coalesce(max(n), 0) FROM page_figures WHERE document_id = $2) + r.i
		FROM (SELECT page, k, row_number() OVER (ORDER BY page, k) AS i
			FROM page_figures WHERE upload_id = $1 AND document_id IS NULL) r
		WHERE f.upload_id = $1 AND f.page = r.page AND f.k = r.k`, uploadID, documentID)
	if err != nil {
		return nil, fmt.Errorf("number figures of upload %s in document %s: %w", uploadID, documentID, interpretError(err))
	}
	return list(ctx, q.db, "list figures of upload", scanFigure,
		`SELECT `+figureColumns+` FROM page_figures f WHERE f.upload_id = $1 ORDER BY f.page, f.k`, uploadID)
}

// DocumentFigure returns figure n of one of the user's documents. Returns
// ErrNotFound when the document is not the user's or has no such figure.
func (q *Queries) DocumentFigure(ctx context.Context, userID, documentID uuid.UUID, n int) (Figure, error) {
	return scanFigure(q.db.QueryRow(ctx, `
		SELECT `+figureColumns+` FROM page_figures f JOIN documents d ON d.id = f.document_id
		WHERE f.document_id = $1 AND d.user_id = $2 AND f.n = $3`, documentID, userID, n))
}

// FiguresOfDocuments returns the figures of the user's documents ids, by
// document, in the order of their numbers.
func (q *Queries) FiguresOfDocuments(ctx context.Context, userID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID][]Figure, error) {
	figs, err := list(ctx, q.db, "list documents' figures", scanFigure, `
		SELECT `+figureColumns+` FROM page_figures f JOIN documents d ON d.id = f.document_id
		WHERE f.document_id = ANY($1) AND d.user_id = $2
		ORDER BY f.document_id, f.n`, ids, userID)
	return groupBy(figs, func(f Figure) uuid.UUID { return *f.DocumentID }), err
}
