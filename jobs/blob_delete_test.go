package jobs_test

import (
	"strings"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/jobs"
	"github.com/snapnote/snapnote/storage"
)

// Deleting a PDF deletes the page views rendered beside it, which no row
// names, and nothing else.
func TestBlobDeleteTakesAPDFsViews(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	blobs, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, blobs.Close()) })
	const pdf, other = "uploads/u/a-p1.pdf", "uploads/u/a-p2.pdf"
	keys := []string{pdf, snapnote.PDFPageViewKey(pdf, 1), snapnote.PDFPageViewKey(pdf, 2), other, snapnote.PDFPageViewKey(other, 1)}
	for _, key := range keys {
		_, err := blobs.Put(ctx, key, strings.NewReader("x"), "")
		require.NoError(t, err)
	}

	w := &jobs.BlobDeleteWorker{Pool: pgtest.Migrated(t), Blobs: blobs, Logger: discard()}
	require.NoError(t, w.Work(ctx, &river.Job[queue.BlobDeleteArgs]{JobRow: &rivertype.JobRow{ID: 1, Attempt: 1},
		Args: queue.BlobDeleteArgs{Keys: []string{pdf}}}))

	for i, key := range keys {
		_, err := blobs.Stat(ctx, key)
		if i < 3 {
			require.ErrorIs(t, err, storage.ErrNotFound, "deleted: %s", key)
		} else {
			require.NoError(t, err, "kept: %s", key)
		}
	}
}
