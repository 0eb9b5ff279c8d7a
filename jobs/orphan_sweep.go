package jobs

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/storage"
)

// defaultOrphanBatch is how many keys one reference query checks.
const defaultOrphanBatch = 1000

// OrphanSweepWorker finds and deletes orphaned blobs under uploads/.
type OrphanSweepWorker struct {
	river.WorkerDefaults[queue.OrphanSweepArgs]
	Pool  *pgxpool.Pool
	Blobs storage.Store
	// MinAge spares blobs younger than this (ORPHAN_MIN_AGE): the API writes
	// an upload's blob before the transaction that records it commits.
	MinAge time.Duration
	// BatchSize is how many keys one reference query checks; default 1000.
	BatchSize int
	Logger    *slog.Logger
}

// Timeout allows for listing a large bucket.
func (w *OrphanSweepWorker) Timeout(*river.Job[queue.OrphanSweepArgs]) time.Duration {
	return 30 * time.Minute
}

// Work lists the uploads' blobs, asks the database which of the old ones are
// referenced, a batch at a time, and deletes the rest.
func (w *OrphanSweepWorker) Work(ctx context.Context, job *river.Job[queue.OrphanSweepArgs]) error {
	release, err := lockDeletions(ctx, w.Pool)
	if err != nil {
		return err
	}
	defer release()
	infos, err := w.Blobs.List(ctx, snapnote.UploadBlobPrefix)
	if err != nil {
		return fmt.Errorf("sweep orphaned blobs: %w", err)
	}
	cutoff := time.Now().Add(-w.MinAge)
	q := db.New(w.Pool)
	var checked, deleted int
	size := cmp.Or(w.BatchSize, defaultOrphanBatch)
	batch := make([]string, 0, size)
	flush := func() error {
		// A PDF's page views are kept while the PDF is.
		asked := slices.Clone(batch)
		for _, key := range batch {
			if pdf, ok := snapnote.ViewedPageKey(key); ok {
				asked = append(asked, pdf)
			}
		}
		referenced, err := q.ReferencedBlobKeys(ctx, asked)
		if err != nil {
			return err
		}
		for _, key := range batch {
			if pdf, ok := snapnote.ViewedPageKey(key); referenced[key] || ok && referenced[pdf] {
				continue
			}
			if err := w.Blobs.Delete(ctx, key); err != nil {
				return err
			}
			deleted++
			w.Logger.InfoContext(ctx, "deleted orphaned blob", slog.Int64("job_id", job.ID), slog.String("key", key))
		}
		checked += len(batch)
		batch = batch[:0]
		return nil
	}
	for _, info := range infos {
		if !info.ModTime.Before(cutoff) {
			continue
		}
		if batch = append(batch, info.Key); len(batch) == size {
			if err := flush(); err != nil {
				return fmt.Errorf("sweep orphaned blobs: %w", err)
			}
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return fmt.Errorf("sweep orphaned blobs: %w", err)
		}
	}
	w.Logger.InfoContext(ctx, "swept orphaned blobs", slog.Int64("job_id", job.ID), slog.Int("listed", len(infos)),
		slog.Int("old_checked", checked), slog.Int("deleted", deleted))
	return nil
}
