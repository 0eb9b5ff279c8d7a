package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/snapnote/snapnote/internal/backup"
	"github.com/snapnote/snapnote/internal/queue"
)

// BackupWorker runs the backup that `snapnote backup` runs by hand.
type BackupWorker struct {
	river.WorkerDefaults[queue.BackupArgs]
	Backups *backup.Manager
	Logger  *slog.Logger
}

// Timeout bounds a backup. River's RescueStuckJobsAfter waits out the
// longest timeout of all jobs (LongestTimeout), so a slow backup is never
// taken for stuck and started a second time.
func (w *BackupWorker) Timeout(*river.Job[queue.BackupArgs]) time.Duration {
	return 50 * time.Minute
}

// Work makes the backup.
func (w *BackupWorker) Work(ctx context.Context, job *river.Job[queue.BackupArgs]) error {
	man, err := w.Backups.Backup(ctx)
	if err != nil {
		return err
	}
	w.Logger.InfoContext(ctx, "backup job done", slog.Int64("job_id", job.ID), slog.String("backup_id", man.ID),
		slog.Int64("bytes", man.Size()))
	return nil
}
