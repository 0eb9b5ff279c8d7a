package jobs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/jobs"
	"github.com/snapnote/snapnote/storage"
)

func TestOrphanSweep(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := pgtest.Migrated(t)
	dir := t.TempDir()
	blobs, err := storage.NewLocal(dir)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, blobs.Close()) })

	s := seedUser(t, pool, blobs, "alice", 0)
	_, byUpload := s.addNote(t, pool, blobs, s.course.ID, "referenced by its upload")
	_, byDocumentOnly := s.addNote(t, pool, blobs, s.course.ID, "referenced by its document alone")
	_, err = pool.Exec(ctx, `DELETE FROM uploads WHERE blob_key = $1`, byDocumentOnly)
	require.NoError(t, err)
	put := func(key string) {
		_, err := blobs.Put(ctx, key, strings.NewReader("never committed"), "")
		require.NoError(t, err)
	}
	const oldOrphan, oldOrphan2, freshOrphan, backupKey = "uploads/x/old.png", "uploads/y/old.png", "uploads/x/fresh.png", "backups/2020-01-01T00-00-00Z/db.dump"
	figure := strings.TrimSuffix(byUpload, ".png") + "-p1-f1.png"
	// A PDF page's view is kept while its PDF is, and goes without it.
	view, orphanView := snapnote.PDFPageViewKey(byUpload, 2), snapnote.PDFPageViewKey("uploads/x/gone.pdf", 1)
	for _, key := range []string{oldOrphan, oldOrphan2, freshOrphan, backupKey, figure, view, orphanView} {
		put(key)
	}
	// A figure cut from the page is referenced by its row.
	tag, err := pool.Exec(ctx, `INSERT INTO page_figures (upload_id, page, k, blob_key, content_type, byte_size, width, height)
		SELECT upload_id, n, 1, $2, 'image/png', 15, 3, 5 FROM upload_pages WHERE blob_key = $1`, byUpload, figure)
	require.NoError(t, err)
	require.EqualValues(t, 1, tag.RowsAffected())
	const minAge = 24 * time.Hour
	old := time.Now().Add(-minAge - time.Minute)
	for _, key := range []string{byUpload, byDocumentOnly, oldOrphan, oldOrphan2, backupKey, figure, view, orphanView} {
		require.NoError(t, os.Chtimes(filepath.Join(dir, filepath.FromSlash(key)), old, old))
	}
	require.NoError(t, os.Chtimes(filepath.Join(dir, filepath.FromSlash(freshOrphan)),
		time.Now().Add(-minAge+time.Minute), time.Now().Add(-minAge+time.Minute)))

	// A batch of two makes the old uploads take several reference queries.
	w := &jobs.OrphanSweepWorker{Pool: pool, Blobs: blobs, MinAge: minAge, BatchSize: 2, Logger: discard()}
	require.NoError(t, w.Work(ctx, &river.Job[queue.OrphanSweepArgs]{JobRow: &rivertype.JobRow{ID: 1}}))

	for _, key := range []string{oldOrphan, oldOrphan2, orphanView} {
		_, err := blobs.Stat(ctx, key)
		require.ErrorIs(t, err, storage.ErrNotFound, "an old unreferenced blob goes: %s", key)
	}
	for _, key := range []string{freshOrphan, byUpload, byDocumentOnly, backupKey, figure, view} {
		_, err := blobs.Stat(ctx, key)
		require.NoError(t, err, "kept: %s", key)
	}
}
