package db_test

import (
	"context"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/pgtest"
)

// seedNote makes a course with one finished upload and its document.
func seedNote(t *testing.T, pool *pgxpool.Pool, userID, courseID uuid.UUID, key string) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	q := db.New(pool)
	up, err := q.CreateUpload(ctx, db.NewUpload{ID: uuid.New(), UserID: userID, CourseID: courseID,
		Pages: []db.NewPage{{BlobKey: key, ContentType: "image/png", ByteSize: 10,
			SHA256: strings.Repeat("0", 64), ImageWidth: 1, ImageHeight: 1}}})
	require.NoError(t, err)
	id, err := q.InsertDocument(ctx, db.NewDocument{UserID: userID, CourseID: courseID, UploadID: up.ID,
		Title: path.Base(strings.TrimSuffix(key, ".png")), OriginalText: "o", FormattedNote: "f", ImagePath: key, Metadata: map[string]any{}})
	require.NoError(t, err)
	return id
}

func TestPurgeTrash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Migrated(t)
	q := db.New(pool)
	alice, err := q.UpsertUser(ctx, db.Identity{Subject: "alice"})
	require.NoError(t, err)
	bob, err := q.UpsertUser(ctx, db.Identity{Subject: "bob"})
	require.NoError(t, err)

	kept, err := q.CreateCourse(ctx, alice.ID, db.CourseInput{Name: "Kept"})
	require.NoError(t, err)
	gone, err := q.CreateCourse(ctx, alice.ID, db.CourseInput{Name: "Gone"})
	require.NoError(t, err)
	bobs, err := q.CreateCourse(ctx, bob.ID, db.CourseInput{Name: "Bob's"})
	require.NoError(t, err)

	keptDoc := seedNote(t, pool, alice.ID, kept.ID, "uploads/a/kept.png")
	trashedDoc := seedNote(t, pool, alice.ID, kept.ID, "uploads/a/trashed.png")
	seedNote(t, pool, alice.ID, gone.ID, "uploads/a/in-gone-course.png")
	bobDoc := seedNote(t, pool, bob.ID, bobs.ID, "uploads/b/trashed.png")

	_, err = pool.Exec(ctx, `UPDATE documents SET title = 'École' WHERE id = $1`, keptDoc)
	require.NoError(t, err)
	old := time.Now().Add(-31 * 24 * time.Hour)
	_, err = pool.Exec(ctx, `UPDATE documents SET status = 'trash', deleted_at = $1 WHERE id = ANY($2)`, old, []uuid.UUID{trashedDoc, bobDoc})
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `UPDATE courses SET status = 'trash', deleted_at = $1 WHERE id = $2`, old, gone.ID)
	require.NoError(t, err)

	p, err := q.PurgeTrash(ctx, alice.ID, time.Now().Add(-30*24*time.Hour))
	require.NoError(t, err)
	require.Len(t, p.Courses, 1)
	require.Len(t, p.Documents, 2)
	require.ElementsMatch(t, []string{"uploads/a/trashed.png", "uploads/a/in-gone-course.png"}, p.BlobKeys)

	_, err = q.DocumentByID(ctx, alice.ID, keptDoc)
	require.NoError(t, err)
	_, err = q.DocumentByID(ctx, bob.ID, bobDoc)
	require.NoError(t, err, "another user's trash is not touched")
	var uploads, audits int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM uploads WHERE user_id = $1`, alice.ID).Scan(&uploads))
	require.Equal(t, 1, uploads)
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM audit_logs WHERE action = 'purge'`).Scan(&audits))
	require.Equal(t, 3, audits)

	var words []string
	require.NoError(t, pool.QueryRow(ctx, `SELECT array_agg(word ORDER BY word) FROM search_words WHERE user_id = $1`, alice.ID).Scan(&words))
	require.Equal(t, []string{"ecole"}, words, "a purged note's words leave the typo-search list, the rest kept without accents")

	p, err = q.PurgeTrash(ctx, uuid.Nil, time.Now().Add(-30*24*time.Hour))
	require.NoError(t, err)
	require.Len(t, p.Documents, 1, "the system purge takes every user's old trash")
}

// A note moved out of a course keeps its pages when that course is purged:
// its uploads moved with it.
func TestPurgeKeepsThePagesOfANoteMovedAway(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Migrated(t)
	q := db.New(pool)
	alice, err := q.UpsertUser(ctx, db.Identity{Subject: "alice"})
	require.NoError(t, err)
	left, err := q.CreateCourse(ctx, alice.ID, db.CourseInput{Name: "Left"})
	require.NoError(t, err)
	kept, err := q.CreateCourse(ctx, alice.ID, db.CourseInput{Name: "Kept"})
	require.NoError(t, err)

	moved := seedNote(t, pool, alice.ID, left.ID, "uploads/a/moved.png")
	seedNote(t, pool, alice.ID, left.ID, "uploads/a/stayed.png")
	d, err := q.DocumentByID(ctx, alice.ID, moved)
	require.NoError(t, err)
	d.CourseID = kept.ID
	_, err = q.UpdateDocument(ctx, d)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `UPDATE courses SET status = 'trash', deleted_at = $1 WHERE id = $2`,
		time.Now().Add(-31*24*time.Hour), left.ID)
	require.NoError(t, err)

	p, err := q.PurgeTrash(ctx, alice.ID, time.Now().Add(-30*24*time.Hour))
	require.NoError(t, err)
	require.Equal(t, []string{"uploads/a/stayed.png"}, p.BlobKeys, "the moved note's image is not deleted")
	d, err = q.DocumentByID(ctx, alice.ID, moved)
	require.NoError(t, err)
	require.NotNil(t, d.UploadID, "the moved note keeps its upload")
	var pages int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM upload_pages WHERE upload_id = $1`, *d.UploadID).Scan(&pages))
	require.Equal(t, 1, pages, "and its page")
}
