// Package worker builds the River client that runs SnapNote's jobs: the
// pipeline's queues and the periodic maintenance (trash purge, backup,
// orphan sweep) on the maintenance queue.
package worker

import (
	"cmp"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"go.opentelemetry.io/otel/trace"

	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/jobs"
)

// Config says how many jobs of each kind run at once, and how the periodic
// maintenance jobs are scheduled.
type Config struct {
	// Jobs is what the workers need; each periodic job whose setting in it
	// is left zero is not scheduled (a test that runs only the pipeline sets
	// none).
	Jobs           jobs.Config
	OCRConcurrency int
	LLMConcurrency int
	// BackupSchedule says when backups run (BACKUP_SCHEDULE, parsed); the
	// backup job needs it and Jobs.Backups.
	BackupSchedule river.PeriodicSchedule
	// ID names this worker to River and in heartbeats; NewWorkerID when empty.
	ID string
	// TracerProvider makes the jobs' spans; nil uses the global provider.
	TracerProvider trace.TracerProvider
	// PollOnly makes River find new jobs by polling every PollInterval
	// instead of LISTEN/NOTIFY, which a transaction-mode pooler does not
	// carry (DATABASE_POOLING=transaction).
	PollOnly bool
}

// PollInterval is how often a PollOnly worker looks for new jobs: the most
// a job waits for a worker once inserted.
const PollInterval = 250 * time.Millisecond

// New returns a River client that works the pipeline's queues and the
// maintenance queue. Every client carries the periodic jobs; River's elected
// leader enqueues them, each unique per period, so any number of workers run
// each at most once a period. Start it with Start and stop it with Stop.
func New(cfg Config) (*river.Client[pgx.Tx], error) {
	var periodic []*river.PeriodicJob
	for _, pj := range periodicJobs(cfg) {
		periodic = append(periodic, river.NewPeriodicJob(pj.schedule, pj.construct,
			&river.PeriodicJobOpts{ID: pj.kind, RunOnStart: true}))
	}
	id := cmp.Or(cfg.ID, NewWorkerID())
	client, err := river.NewClient(riverpgxv5.New(cfg.Jobs.Pipeline.Pool), &river.Config{
		ID: id,
		// A dead worker's jobs are taken back within WORKER_DEAD_AFTER by
		// Liveness; River's own rescue is the backstop, and must not take a
		// job that is only slow: it waits out the longest job's timeout.
		RescueStuckJobsAfter: jobs.LongestTimeout(cfg.Jobs) + 10*time.Minute,
		Logger:               cfg.Jobs.Logger,
		FetchCooldown:        queue.FetchCooldown,
		PollOnly:             cfg.PollOnly,
		FetchPollInterval:    pollInterval(cfg.PollOnly),
		Queues: map[string]river.QueueConfig{
			queue.OCR:     {MaxWorkers: cfg.OCRConcurrency},
			queue.LLM:     {MaxWorkers: cfg.LLMConcurrency},
			queue.Default: {MaxWorkers: 10},
			// Maintenance is background work: one job at a time per process.
			queue.Maintenance: {MaxWorkers: 1},
		},
		PeriodicJobs: periodic,
		Workers:      jobs.NewWorkers(cfg.Jobs),
		ErrorHandler: &jobs.ErrorHandler{Pipeline: cfg.Jobs.Pipeline},
		Middleware:   append(queue.Middleware(cfg.TracerProvider), newJobLog(cfg.Jobs.Logger, cfg.Jobs.Pipeline.Metrics), newTracker(id)),
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
	if cfg.Jobs.TrashRetention > 0 {
		out = append(out, periodicJob{queue.TrashPurgeArgs{}.Kind(), river.PeriodicInterval(queue.Day), func() (river.JobArgs, *river.InsertOpts) {
			return queue.TrashPurgeArgs{}, nil
		}})
	}
	if cfg.Jobs.Backups != nil && cfg.BackupSchedule != nil {
		period := shortestGap(cfg.BackupSchedule, time.Now())
		out = append(out, periodicJob{queue.BackupArgs{}.Kind(), cfg.BackupSchedule, func() (river.JobArgs, *river.InsertOpts) {
			opts := queue.BackupArgs{}.InsertOpts()
			opts.UniqueOpts.ByPeriod = period
			return queue.BackupArgs{}, &opts
		}})
	}
	if cfg.Jobs.OrphanMinAge > 0 {
		out = append(out, periodicJob{queue.OrphanSweepArgs{}.Kind(), river.PeriodicInterval(queue.Day), func() (river.JobArgs, *river.InsertOpts) {
			return queue.OrphanSweepArgs{}, nil
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

// pollInterval is River's FetchPollInterval: PollInterval when polling is
// all a worker has, else River's default (zero), a backstop to LISTEN.
func pollInterval(pollOnly bool) time.Duration {
	if pollOnly {
		return PollInterval
	}
	return 0
}
