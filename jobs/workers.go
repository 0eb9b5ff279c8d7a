package jobs

import (
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/snapnote/snapnote/internal/backup"
)

// Config is what the workers need beyond the pipeline's parts.
type Config struct {
	Pipeline *Pipeline
	// TrashRetention is how long trashed items are kept (TRASH_RETENTION).
	TrashRetention time.Duration
	// OrphanMinAge spares younger unreferenced blobs (ORPHAN_MIN_AGE).
	OrphanMinAge time.Duration
	// Backups makes the scheduled backups; nil when none are scheduled.
	Backups *backup.Manager
	Logger  *slog.Logger
}

// NewWorkers returns every job's worker, for the River client that works
// them: the pipeline's stages and the maintenance jobs.
func NewWorkers(cfg Config) *river.Workers {
	p := cfg.Pipeline
	workers := river.NewWorkers()
	river.AddWorker(workers, &OCRWorker{Pipeline: p})
	river.AddWorker(workers, &FormatWorker{Pipeline: p})
	river.AddWorker(workers, &ExtractWorker{Pipeline: p})
	river.AddWorker(workers, &TrashPurgeWorker{Pool: p.Pool, Retention: cfg.TrashRetention, Logger: cfg.Logger})
	river.AddWorker(workers, &AccountDeleteWorker{Pool: p.Pool, Logger: cfg.Logger})
	river.AddWorker(workers, &BlobDeleteWorker{Pool: p.Pool, Blobs: p.Blobs, Logger: cfg.Logger})
	river.AddWorker(workers, &BackupWorker{Backups: cfg.Backups, Logger: cfg.Logger})
	river.AddWorker(workers, &OrphanSweepWorker{Pool: p.Pool, Blobs: p.Blobs, MinAge: cfg.OrphanMinAge, Logger: cfg.Logger})
	return workers
}

// LongestTimeout is the longest any job of NewWorkers(cfg) may run: River
// must not take a running job for stuck (RescueStuckJobsAfter) before it.
func LongestTimeout(cfg Config) time.Duration {
	return max((&OCRWorker{Pipeline: cfg.Pipeline}).Timeout(nil), (&FormatWorker{}).Timeout(nil),
		(&BackupWorker{}).Timeout(nil), (&OrphanSweepWorker{}).Timeout(nil), (&BlobDeleteWorker{}).Timeout(nil))
}
