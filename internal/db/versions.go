package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
)

// Version is an earlier text of a note, kept when something replaced it.
type Version struct {
	DocumentID    uuid.UUID
	N             int // 1-based, in the order kept; never reused
	Title         string
	OriginalText  string
	FormattedNote string
	ReplacedBy    string // snapnote.ReplacedBy*
	CreatedAt     time.Time
}

const versionColumns = `v.document_id, v.n, v.title, v.original_text, v.formatted_note, v.replaced_by, v.created_at`

func scanVersion(row scanner) (Version, error) {
	var v Version
	err := row.Scan(&v.DocumentID, &v.N, &v.Title, &v.OriginalText, &v.FormattedNote, &v.ReplacedBy, &v.CreatedAt)
	return v, interpretError(err)
}

// KeepVersion keeps the current text of document id as its next version,
// replacedBy saying what is about to replace it, and drops the versions
// beyond the newest snapnote.VersionsKept. Call it in the transaction that
// rewrites the note, with the note's row locked (LockDocument) so that
// versions are numbered one at a time. Returns the version, or ErrNotFound
// when the document is gone.
func (q *Queries) KeepVersion(ctx context.Context, id uuid.UUID, replacedBy string) (Version, error) {
	v, err := scanVersion(q.db.QueryRow(ctx, `
		INSERT INTO document_versions AS v (document_id, n, title, original_text, formatted_note, replaced_by)
		SELECT d.id, coalesce((SELECT max(n) FROM document_versions WHERE document_id = d.id), 0) + 1,
			d.title, d.original_text, d.formatted_note, $2
		FROM documents d WHERE d.id = $1
		RETURNING `+versionColumns, id, replacedBy))
	if err != nil {
		return Version{}, fmt.Errorf("keep version of document %s: %w", id, err)
	}
	if _, err := q.db.Exec(ctx, `DELETE FROM document_versions WHERE document_id = $1 AND n <= $2`,
		id, v.N-snapnote.VersionsKept); err != nil {
		return Version{}, fmt.Errorf("drop old versions of document %s: %w", id, err)
	}
	return v, nil
}

// DocumentVersions returns the versions of one of the user's documents,
// newest first, without their texts' bodies (OriginalText and FormattedNote
// are empty): a list shows what each is, VersionByN reads one.
func (q *Queries) DocumentVersions(ctx context.Context, userID, documentID uuid.UUID) ([]Version, error) {
	return list(ctx, q.db, "list document versions", scanVersion, `
		SELECT v.document_id, v.n, v.title, '', '', v.replaced_by, v.created_at
		FROM document_versions v JOIN documents d ON d.id = v.document_id
		WHERE v.document_id = $1 AND d.user_id = $2
		ORDER BY v.n DESC`, documentID, userID)
}

// VersionByN returns version n of one of the user's documents. Returns
// ErrNotFound when the document is not the user's or has no such version.
func (q *Queries) VersionByN(ctx context.Context, userID, documentID uuid.UUID, n int) (Version, error) {
	return scanVersion(q.db.QueryRow(ctx, `
		SELECT `+versionColumns+` FROM document_versions v JOIN documents d ON d.id = v.document_id
		WHERE v.document_id = $1 AND d.user_id = $2 AND v.n = $3`, documentID, userID, n))
}
