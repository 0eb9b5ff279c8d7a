package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/queue"
)

// TrashPurgeWorker purges old trash. The rows and the record of their blobs
// go in one transaction: PurgeTrashTx deletes the rows, and BlobDeleteArgs jobs
// inserted beside them carry the blob keys, so no row ever points at a
// deleted blob and no purged blob is forgotten if deleting it fails.
type TrashPurgeWorker struct {
	river.WorkerDefaults[queue.TrashPurgeArgs]
	Pool *pgxpool.Pool
	// Retention is how long an item stays in trash (TRASH_RETENTION).
	Retention time.Duration
	Logger    *slog.Logger
}

// Work purges the trash deleted before now minus Retention.
func (w *TrashPurgeWorker) Work(ctx context.Context, job *river.Job[queue.TrashPurgeArgs]) error {
	cutoff := time.Now().Add(-w.Retention)
	var purged db.Purged
	err := pgx.BeginFunc(ctx, w.Pool, func(tx pgx.Tx) error {
		var err error
		if purged, err = queue.PurgeTrashTx(ctx, tx, river.ClientFromContext[pgx.Tx](ctx), cutoff); err != nil {
			return err
		}
		if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err != nil {
			return fmt.Errorf("complete job %d: %w", job.ID, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("purge trash: %w", err)
	}
	w.Logger.InfoContext(ctx, "purged trash", slog.Int64("job_id", job.ID), slog.Time("cutoff", cutoff),
		slog.Int("courses", len(purged.Courses)), slog.Int("documents", len(purged.Documents)),
		slog.Int("blobs", len(purged.BlobKeys)))
	return nil
}
