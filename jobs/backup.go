package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/snapnote/snapnote/internal/backup"
)

// BackupArgs backs up the database (and, with local storage, the uploaded
// images) into blob storage, then deletes the backups beyond BACKUP_KEEP.
type BackupArgs struct{}

// Kind identifies the job to River.
func (BackupArgs) Kind() string { return "backup" }

// InsertOpts runs backups on the maintenance queue, at most one a day unless
// the periodic job's schedule asks for a shorter period.
func (BackupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMaintenance, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: Day}}
}

// BackupWorker runs the backup that `snapnote backup` runs by hand.
type BackupWorker struct {
	river.WorkerDefaults[BackupArgs]
	Backups *backup.Manager
	Logger  *slog.Logger
}

// Timeout stays below River's RescueStuckJobsAfter (one hour), past which a
// job still running would be rescued and started a second time.
func (w *BackupWorker) Timeout(*river.Job[BackupArgs]) time.Duration {
	return 50 * time.Minute
}

// Work makes the backup.
func (w *BackupWorker) Work(ctx context.Context, job *river.Job[BackupArgs]) error {
	man, err := w.Backups.Backup(ctx)
	if err != nil {
		return err
	}
	w.Logger.InfoContext(ctx, "backup job done", slog.Int64("job_id", job.ID), slog.String("backup_id", man.ID),
		slog.Int64("bytes", man.Size()))
	return nil
}
