// Package worker runs SnapNote's jobs: a Worker is the River client that
// works the pipeline's queues and the periodic maintenance (trash purge,
// backup, orphan sweep), with its whole lifecycle: the heartbeat that tells
// the other workers it lives, the hand-back of dead workers' jobs, and the
// stop that drains what is in flight.
package worker

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"go.opentelemetry.io/otel/trace"

	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/jobs"
)

// Config says how many jobs of each kind run at once, how the periodic
// maintenance jobs are scheduled, and when a silent worker is dead.
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
	// DeadAfter is how long a worker may go without a heartbeat before the
	// others hand its running jobs back (WORKER_DEAD_AFTER);
	// DefaultDeadAfter when zero.
	DeadAfter time.Duration
	// ShutdownTimeout is how long Run gives jobs in flight to finish once
	// its context ends, before it cancels them (SHUTDOWN_TIMEOUT); 30 s
	// when zero.
	ShutdownTimeout time.Duration
	// AfterStop, when set, runs once the jobs have stopped and before the
	// heartbeat does: what the jobs used (the OCR engines) closes there.
	AfterStop func()
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

// Worker is one worker process's River client and the liveness around it.
// Make it with New, then Start and Stop it, or Run it.
type Worker struct {
	client          *river.Client[pgx.Tx]
	liveness        *liveness
	afterStop       func()
	shutdownTimeout time.Duration
	logger          *slog.Logger

	stopBeating context.CancelFunc
	beating     chan struct{}
}

// New returns a Worker whose River client works the pipeline's queues and
// the maintenance queue. Every worker carries the periodic jobs; River's
// elected leader enqueues them, each unique per period, so any number of
// workers run each at most once a period. Nothing runs until Start.
func New(cfg Config) (*Worker, error) {
	var periodic []*river.PeriodicJob
	for _, pj := range periodicJobs(cfg) {
		periodic = append(periodic, river.NewPeriodicJob(pj.schedule, pj.construct,
			&river.PeriodicJobOpts{ID: pj.kind, RunOnStart: true}))
	}
	id := cmp.Or(cfg.ID, NewWorkerID())
	tracker := newJobTracker()
	client, err := river.NewClient(riverpgxv5.New(cfg.Jobs.Pipeline.Pool), &river.Config{
		ID: id,
		// A dead worker's jobs are handed back within WORKER_DEAD_AFTER by
		// the liveness loop; River's own rescue is the backstop, and must
		// not take a job that is only slow: it waits out the longest job's
		// timeout.
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
		Middleware:   append(queue.Middleware(cfg.TracerProvider), newJobLog(cfg.Jobs.Logger, cfg.Jobs.Pipeline.Metrics), tracker),
	})
	if err != nil {
		return nil, fmt.Errorf("create river worker client: %w", err)
	}
	logger := cmp.Or(cfg.Jobs.Logger, slog.New(slog.DiscardHandler))
	return &Worker{
		client: client,
		liveness: &liveness{db: db.Open(cfg.Jobs.Pipeline.Pool, logger), client: client, tracker: tracker,
			deadAfter: cmp.Or(cfg.DeadAfter, DefaultDeadAfter), logger: logger},
		afterStop:       cfg.AfterStop,
		shutdownTimeout: cmp.Or(cfg.ShutdownTimeout, 30*time.Second),
		logger:          logger,
	}, nil
}

// ID returns the worker's River client id, as river_job.attempted_by and
// its heartbeat name it.
func (w *Worker) ID() string { return w.client.ID() }

// Client returns the worker's River client, to insert jobs or subscribe to
// its events. Start and stop the Worker, never the client alone: it would
// claim jobs without a heartbeat.
func (w *Worker) Client() *river.Client[pgx.Tx] { return w.client }

// Start writes the worker's first heartbeat, hands back the jobs of dead
// workers, then starts the River client and the liveness loop. The
// heartbeat comes first so that no job is ever running under this worker's
// id without one: a worker killed the moment after it claimed a job is
// dead like any other. It returns an error, having started nothing and run
// AfterStop, when the heartbeat cannot be written or the client cannot
// start. The client and the loop outlive ctx's cancellation until Stop.
func (w *Worker) Start(ctx context.Context) error {
	if err := w.liveness.beat(ctx); err != nil {
		w.runAfterStop()
		return fmt.Errorf("start worker: %w", err)
	}
	// Hand back before claiming: a worker that restarts in a loop, with no
	// other to notice, still frees its earlier lives' jobs.
	w.liveness.handBackDead(ctx)
	if err := w.client.Start(context.WithoutCancel(ctx)); err != nil {
		w.liveness.forget(ctx)
		w.runAfterStop()
		return fmt.Errorf("start worker: %w", err)
	}
	beatCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	w.stopBeating, w.beating = stop, make(chan struct{})
	go func() {
		defer close(w.beating)
		w.liveness.run(beatCtx)
	}()
	return nil
}

// Stop stops claiming jobs and waits for those in flight until ctx ends,
// then cancels them (River retries them later); then runs AfterStop, and
// last stops the heartbeat and removes it, so a clean stop is not taken
// for a death. Its error is the client's.
func (w *Worker) Stop(ctx context.Context) error {
	err := w.client.Stop(ctx)
	if err != nil {
		w.logger.WarnContext(ctx, "jobs still running at the end of the shutdown grace are cancelled", slog.Any("error", err))
		err = w.client.StopAndCancel(context.WithoutCancel(ctx))
	}
	w.runAfterStop()
	if w.stopBeating != nil {
		w.stopBeating()
		<-w.beating
	}
	return err
}

func (w *Worker) runAfterStop() {
	if w.afterStop != nil {
		w.afterStop()
	}
}

// Run starts the worker, works until ctx ends, and stops it, giving jobs
// in flight ShutdownTimeout to finish.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.shutdownTimeout)
	defer cancel()
	return w.Stop(stopCtx)
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
