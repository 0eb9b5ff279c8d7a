package db

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Purged is what PurgeTrash removed.
type Purged struct {
	Courses   []Owned
	Documents []Owned
	// BlobKeys are the images of the removed rows, their pages' figures among them. No row references them
	// any more; the caller deletes them after commit, and the orphan sweep
	// takes any whose deletion failed.
	BlobKeys []string
}

// Owned names a row and its owner.
type Owned struct {
	ID     uuid.UUID
	UserID uuid.UUID
}

// PurgeTrash hard-deletes courses and documents in trash since before
// cutoff (all of a user's trash when cutoff is the zero time), with their
// uploads, and records a purge in the audit log for each. userID scopes it
// to one user; uuid.Nil purges every user's (the scheduled job). Run it in
// a transaction.
func (q *Queries) PurgeTrash(ctx context.Context, userID uuid.UUID, cutoff time.Time) (Purged, error) {
	return q.PurgeTrashBy(ctx, userID, cutoff, AuditEntry{})
}

// PurgeTrashBy is PurgeTrash asked for by a person: the IP and UserAgent of
// by go on every audit row it writes.
func (q *Queries) PurgeTrashBy(ctx context.Context, userID uuid.UUID, cutoff time.Time, by AuditEntry) (Purged, error) {
	if cutoff.IsZero() {
		cutoff = time.Now().Add(time.Hour)
	}
	var p Purged
	rows, err := q.db.Query(ctx, `
		WITH courses_gone AS (
			SELECT id, user_id FROM courses
			WHERE status = 'trash' AND deleted_at < $2 AND ($1 = '00000000-0000-0000-0000-000000000000'::uuid OR user_id = $1)
		), documents_gone AS (
			SELECT d.id, d.user_id, d.upload_id, d.image_path FROM documents d
			WHERE (d.status = 'trash' AND d.deleted_at < $2 AND ($1 = '00000000-0000-0000-0000-000000000000'::uuid OR d.user_id = $1))
			   OR d.course_id IN (SELECT id FROM courses_gone)
		), uploads_gone AS (
			DELETE FROM uploads u
			WHERE u.course_id IN (SELECT id FROM courses_gone)
			   OR u.id IN (SELECT upload_id FROM documents_gone WHERE upload_id IS NOT NULL)
			   OR u.into_document_id IN (SELECT id FROM documents_gone)
			RETURNING u.id, u.blob_key
		), pages_gone AS (
			SELECT p.blob_key FROM upload_pages p WHERE p.upload_id IN (SELECT id FROM uploads_gone)
		), figures_gone AS (
			SELECT f.blob_key FROM page_figures f
			WHERE f.upload_id IN (SELECT id FROM uploads_gone) OR f.document_id IN (SELECT id FROM documents_gone)
		), documents_deleted AS (
			DELETE FROM documents WHERE id IN (SELECT id FROM documents_gone)
			RETURNING id, user_id, image_path
		), courses_deleted AS (
			DELETE FROM courses WHERE id IN (SELECT id FROM courses_gone)
			RETURNING id, user_id
		)
		SELECT 'course', id, user_id, '' FROM courses_deleted
		UNION ALL SELECT 'document', id, user_id, coalesce(image_path, '') FROM documents_deleted
		UNION ALL SELECT 'blob', '00000000-0000-0000-0000-000000000000'::uuid, '00000000-0000-0000-0000-000000000000'::uuid, blob_key FROM uploads_gone
		UNION ALL SELECT 'blob', '00000000-0000-0000-0000-000000000000'::uuid, '00000000-0000-0000-0000-000000000000'::uuid, blob_key FROM pages_gone
		UNION ALL SELECT 'blob', '00000000-0000-0000-0000-000000000000'::uuid, '00000000-0000-0000-0000-000000000000'::uuid, blob_key FROM figures_gone`,
		userID, cutoff)
	if err != nil {
		return p, fmt.Errorf("purge trash: %w", err)
	}
	keys := map[string]bool{}
	for rows.Next() {
		var kind, key string
		var o Owned
		if err := rows.Scan(&kind, &o.ID, &o.UserID, &key); err != nil {
			rows.Close()
			return p, fmt.Errorf("purge trash: %w", err)
		}
		switch kind {
		case "course":
			p.Courses = append(p.Courses, o)
		case "document":
			p.Documents = append(p.Documents, o)
		}
		if key != "" && !keys[key] {
			keys[key] = true
			p.BlobKeys = append(p.BlobKeys, key)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("purge trash: %w", err)
	}
	for _, set := range []struct {
		kind AuditEntity
		rows []Owned
	}{{EntityCourse, p.Courses}, {EntityDocument, p.Documents}} {
		for _, o := range set.rows {
			if err := q.InsertAudit(ctx, AuditEntry{UserID: &o.UserID, Action: AuditPurge, EntityType: set.kind, EntityID: o.ID,
				IP: by.IP, UserAgent: by.UserAgent}); err != nil {
				return p, err
			}
		}
	}
	return p, q.forgetPurgedWords(ctx, p)
}

// forgetPurgedWords rebuilds the typo-search word list of the users whose
// notes were purged, so no word of a deleted note outlives it there.
func (q *Queries) forgetPurgedWords(ctx context.Context, p Purged) error {
	var users []uuid.UUID
	for _, o := range append(p.Courses, p.Documents...) {
		if !slices.Contains(users, o.UserID) {
			users = append(users, o.UserID)
		}
	}
	if len(users) == 0 {
		return nil
	}
	if _, err := q.db.Exec(ctx, `DELETE FROM search_words WHERE user_id = ANY($1)`, users); err != nil {
		return fmt.Errorf("forget purged words: %w", err)
	}
	if _, err := q.db.Exec(ctx, `
		INSERT INTO search_words (user_id, word)
		SELECT DISTINCT d.user_id, w.word
		FROM documents d,
		     unnest(tsvector_to_array(to_tsvector('simple_unaccent'::regconfig, d.title || ' ' || d.formatted_note))) AS w(word)
		WHERE d.user_id = ANY($1) AND w.word ~ '^[[:alpha:]]{3,40}$'
		ORDER BY 1, 2
		ON CONFLICT DO NOTHING`, users); err != nil {
		return fmt.Errorf("rebuild search words: %w", err)
	}
	return nil
}
