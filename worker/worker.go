// Package worker builds the River client that runs SnapNote's jobs: the
// pipeline's queues and the periodic maintenance (trash purge, backup,
// orphan sweep) on the maintenance queue.
package worker

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/snapnote/snapnote/internal/backup"
	"github.com/snapnote/snapnote/jobs"
)

// FetchCooldown is the least time between two fetches of one queue. River
// wakes a queue by LISTEN/NOTIFY when a job is inserted; its default of
// 100 ms would add that much to every hop between pipeline stages.
const FetchCooldown = 5 * time.Millisecond

// Config says how many jobs of each kind run at once, and how the periodic
// maintenance jobs are scheduled.
type Config struct {
	Pipeline       *jobs.Pipeline
	OCRConcurrency int
	LLMConcurrency int

	// The periodic maintenance jobs; each one whose setting is left zero is
	// not scheduled (a test that runs only the pipeline sets none).

	// TrashRetention is how long trashed items are kept (TRASH_RETENTION).
	TrashRetention time.Duration
	// OrphanMinAge spares younger unreferenced blobs (ORPHAN_MIN_AGE).
	OrphanMinAge time.Duration
	// BackupSchedule says when backups run (BACKUP_SCHEDULE, parsed), and
	// Backups makes them; both are needed for the backup job.
	BackupSchedule river.PeriodicSchedule
	Backups        *backup.Manager

	Logger *slog.Logger
}

// NewInserter returns an insert-only River client, for a process that
// enqueues jobs but never works them (the API).
func NewInserter(pool *pgxpool.Pool, logger *slog.Logger) (*river.Client[pgx.Tx], error) {
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: logger, FetchCooldown: FetchCooldown})
	if err != nil {
		return nil, fmt.Errorf("create river insert client: %w", err)
	}
	return client, nil
}

// New returns a River client that works the pipeline's queues and the
// maintenance queue. Every client carries the periodic jobs; River's elected
// leader enqueues them, each unique per period, so any number of workers run
// each at most once a period. Start it with Start and stop it with Stop.
func New(cfg Config) (*river.Client[pgx.Tx], error) {
	p := cfg.Pipeline
	workers := river.NewWorkers()
	river.AddWorker(workers, &jobs.OCRWorker{Pipeline: p})
	river.AddWorker(workers, &jobs.FormatWorker{Pipeline: p})
	river.AddWorker(workers, &jobs.ExtractWorker{Pipeline: p})
	river.AddWorker(workers, &jobs.TrashPurgeWorker{Pool: p.Pool, Retention: cfg.TrashRetention, Logger: cfg.Logger})
	river.AddWorker(workers, &jobs.BlobDeleteWorker{Pool: p.Pool, Blobs: p.Blobs, Logger: cfg.Logger})
	river.AddWorker(workers, &jobs.BackupWorker{Backups: cfg.Backups, Logger: cfg.Logger})
	river.AddWorker(workers, &jobs.OrphanSweepWorker{Pool: p.Pool, Blobs: p.Blobs, MinAge: cfg.OrphanMinAge, Logger: cfg.Logger})

	var periodic []*river.PeriodicJob
	for _, pj := range periodicJobs(cfg) {
		periodic = append(periodic, river.NewPeriodicJob(pj.schedule, pj.construct,
			&river.PeriodicJobOpts{ID: pj.kind, RunOnStart: true}))
	}

	client, err := river.NewClient(riverpgxv5.New(p.Pool), &river.Config{
		Logger:        cfg.Logger,
		FetchCooldown: FetchCooldown,
		Queues: map[string]river.QueueConfig{
			jobs.QueueOCR:     {MaxWorkers: cfg.OCRConcurrency},
			jobs.QueueLLM:     {MaxWorkers: cfg.LLMConcurrency},
			jobs.QueueDefault: {MaxWorkers: 10},
			// Maintenance is background work: one job at a time per process.
			jobs.QueueMaintenance: {MaxWorkers: 1},
		},
		PeriodicJobs: periodic,
		Workers:      workers,
		ErrorHandler: &jobs.ErrorHandler{Pipeline: cfg.Pipeline},
	})
	if err != nil {
		return nil, fmt.Errorf("create river worker client: %w", err)
	}
	return client, nil
}

// periodicJob is one periodic job before River wraps it, kept so tests can
// inspect what its constructor inserts.
type periodicJob struct {
	kind      string
	schedule  river.PeriodicSchedule
	construct river.PeriodicJobConstructor
}

// periodicJobs lists the maintenance jobs every worker client carries. Each
// is inserted with UniqueOpts.ByPeriod, so a RunOnStart on every deploy, or
// two leaders in a hand-over, still insert one per period. A job whose
// setting is the zero value is left out.
func periodicJobs(cfg Config) []periodicJob {
	var out []periodicJob
	if cfg.TrashRetention > 0 {
		out = append(out, periodicJob{jobs.TrashPurgeArgs{}.Kind(), river.PeriodicInterval(jobs.Day), func() (river.JobArgs, *river.InsertOpts) {
			return jobs.TrashPurgeArgs{}, nil
		}})
	}
	if cfg.Backups != nil && cfg.BackupSchedule != nil {
		period := shortestGap(cfg.BackupSchedule, time.Now())
		out = append(out, periodicJob{jobs.BackupArgs{}.Kind(), cfg.BackupSchedule, func() (river.JobArgs, *river.InsertOpts) {
			opts := jobs.BackupArgs{}.InsertOpts()
			opts.UniqueOpts.ByPeriod = period
			return jobs.BackupArgs{}, &opts
		}})
	}
	if cfg.OrphanMinAge > 0 {
		out = append(out, periodicJob{jobs.OrphanSweepArgs{}.Kind(), river.PeriodicInterval(jobs.Day), func() (river.JobArgs, *river.InsertOpts) {
			return jobs.OrphanSweepArgs{}, nil
		}})
	}
	return out
}

// shortestGap returns the shortest time between two of the schedule's next
// few dozen runs after from: the uniqueness period that lets every scheduled
// run through but no second one in its period.
func shortestGap(s river.PeriodicSchedule, from time.Time) time.Duration {
	gap := time.Duration(0)
	prev := s.Next(from)
	for range 64 {
		next := s.Next(prev)
		if d := next.Sub(prev); d > 0 && (gap == 0 || d < gap) {
			gap = d
		}
		prev = next
	}
	return max(gap, time.Minute)
}
