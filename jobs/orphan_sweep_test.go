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
	for _, key := range []string{oldOrphan, oldOrphan2, freshOrphan, backupKey} {
		put(key)
	}
	const minAge = 24 * time.Hour
	old := time.Now().Add(-minAge - time.Minute)
	for _, key := range []string{byUpload, byDocumentOnly, oldOrphan, oldOrphan2, backupKey} {
		require.NoError(t, os.Chtimes(filepath.Join(dir, filepath.FromSlash(key)), old, old))
	}
	require.NoError(t, os.Chtimes(filepath.Join(dir, filepath.FromSlash(freshOrphan)),
		time.Now().Add(-minAge+time.Minute), time.Now().Add(-minAge+time.Minute)))

	// A batch of two makes the four old uploads take two reference queries.
	w := &jobs.OrphanSweepWorker{Pool: pool, Blobs: blobs, MinAge: minAge, BatchSize: 2, Logger: discard()}
	require.NoError(t, w.Work(ctx, &river.Job[queue.OrphanSweepArgs]{JobRow: &rivertype.JobRow{ID: 1}}))

	for _, key := range []string{oldOrphan, oldOrphan2} {
		_, err := blobs.Stat(ctx, key)
		require.ErrorIs(t, err, storage.ErrNotFound, "an old unreferenced blob goes: %s", key)
	}
	for _, key := range []string{freshOrphan, byUpload, byDocumentOnly, backupKey} {
		_, err := blobs.Stat(ctx, key)
		require.NoError(t, err, "kept: %s", key)
	}
}
