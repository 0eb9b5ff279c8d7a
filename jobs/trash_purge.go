package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/snapnote/snapnote/internal/db"
)

// TrashPurgeArgs hard-deletes every user's courses and documents that have
// been in trash longer than the retention period.
type TrashPurgeArgs struct{}

// Kind identifies the job to River.
func (TrashPurgeArgs) Kind() string { return "trash_purge" }

// InsertOpts runs the purge on the maintenance queue at most once a day.
func (TrashPurgeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMaintenance, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: Day}}
}

// TrashPurgeWorker purges old trash. The rows and the record of their blobs
// go in one transaction: PurgeTrash deletes the rows, and BlobDeleteArgs jobs
// inserted beside them carry the blob keys, so no row ever points at a
// deleted blob and no purged blob is forgotten if deleting it fails.
type TrashPurgeWorker struct {
	river.WorkerDefaults[TrashPurgeArgs]
	Pool *pgxpool.Pool
	// Retention is how long an item stays in trash (TRASH_RETENTION).
	Retention time.Duration
	Logger    *slog.Logger
}

// Work purges the trash deleted before now minus Retention.
func (w *TrashPurgeWorker) Work(ctx context.Context, job *river.Job[TrashPurgeArgs]) error {
	cutoff := time.Now().Add(-w.Retention)
	var purged db.Purged
	err := pgx.BeginFunc(ctx, w.Pool, func(tx pgx.Tx) error {
		var err error
		if purged, err = db.New(tx).PurgeTrash(ctx, uuid.Nil, cutoff); err != nil {
			return err
		}
		if err := InsertBlobDeletesTx(ctx, tx, river.ClientFromContext[pgx.Tx](ctx), purged.BlobKeys); err != nil {
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
