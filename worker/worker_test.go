package worker

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/robfig/cron/v3"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/backup"
	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/jobs"
	"github.com/snapnote/snapnote/storage"
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func dailyAt3(t *testing.T) cron.Schedule {
	t.Helper()
	s, err := cron.ParseStandard("CRON_TZ=UTC 0 3 * * *")
	require.NoError(t, err)
	return s
}

// effectiveOpts is what River inserts a periodic job with: the constructor's
// options where set, else the args' own.
func effectiveOpts(args river.JobArgs, opts *river.InsertOpts) river.InsertOpts {
	if opts != nil {
		return *opts
	}
	if a, ok := args.(river.JobArgsWithInsertOpts); ok {
		return a.InsertOpts()
	}
	return river.InsertOpts{}
}

func TestPeriodicJobsAreUniquePerPeriod(t *testing.T) {
	t.Parallel()
	every6h, err := cron.ParseStandard("CRON_TZ=UTC 0 */6 * * *")
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		schedule river.PeriodicSchedule
		backup   time.Duration
	}{
		"Daily":       {dailyAt3(t), 24 * time.Hour},
		"Every6Hours": {every6h, 6 * time.Hour},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pjs := periodicJobs(Config{Jobs: jobs.Config{TrashRetention: time.Hour, OrphanMinAge: time.Hour,
				Backups: &backup.Manager{}}, BackupSchedule: tc.schedule})
			kinds := map[string]time.Duration{}
			for _, pj := range pjs {
				args, opts := pj.construct()
				require.Equal(t, pj.kind, args.Kind())
				eff := effectiveOpts(args, opts)
				require.Equal(t, queue.Maintenance, eff.Queue, pj.kind)
				kinds[pj.kind] = eff.UniqueOpts.ByPeriod
			}
			require.Equal(t, map[string]time.Duration{
				"trash_purge": 24 * time.Hour, "orphan_sweep": 24 * time.Hour, "backup": tc.backup,
			}, kinds)
		})
	}
}

func TestTwoWorkersRunOneBackup(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := pgtest.Migrated(t)
	blobs, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, blobs.Close()) })

	cfg := Config{
		Jobs: jobs.Config{
			Pipeline:       &jobs.Pipeline{Pool: pool, Blobs: blobs, Logger: discard()},
			TrashRetention: 30 * 24 * time.Hour,
			OrphanMinAge:   24 * time.Hour,
			Backups: backup.New(backup.Config{Pool: pool, DatabaseURL: pool.Config().ConnString(), Blobs: blobs,
				IncludeBlobs: true, Keep: 14, Logger: discard()}),
			Logger: discard(),
		},
		OCRConcurrency: 1,
		LLMConcurrency: 1,
		BackupSchedule: dailyAt3(t),
	}
	var workers []*Worker
	for range 2 {
		w, err := New(cfg)
		require.NoError(t, err)
		require.NoError(t, w.Start(context.Background()))
		t.Cleanup(func() {
			stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			require.NoError(t, w.Stop(stopCtx))
		})
		workers = append(workers, w)
	}

	// Wait until the periodic jobs that ran on start have settled. The
	// orphan sweep may be snoozed, waiting for the backup to release the
	// deletion lock.
	count := func(kind, state string) int {
		var n int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND ($2 = '' OR state::text = $2)`,
			kind, state).Scan(&n))
		return n
	}
	require.Eventually(t, func() bool {
		return count("backup", "completed") == 1 && count("trash_purge", "completed") == 1 && count("orphan_sweep", "") == 1
	}, 30*time.Second, 50*time.Millisecond)

	// Either worker inserting today's jobs again, as a newly elected leader
	// running its RunOnStart would, is turned away as a duplicate.
	for _, w := range workers {
		for _, pj := range periodicJobs(cfg) {
			args, opts := pj.construct()
			res, err := w.Client().Insert(ctx, args, opts)
			require.NoError(t, err)
			require.True(t, res.UniqueSkippedAsDuplicate, pj.kind)
		}
	}
	time.Sleep(200 * time.Millisecond)
	require.Equal(t, 1, count("backup", ""), "one backup job row for the period")
	backups, err := cfg.Jobs.Backups.List(ctx)
	require.NoError(t, err)
	require.Len(t, backups, 1, "one backup in storage")
}

func TestShortestGap(t *testing.T) {
	t.Parallel()
	weekdays, err := cron.ParseStandard("CRON_TZ=UTC 0 3 * * 1-5")
	require.NoError(t, err)
	twice, err := cron.ParseStandard("CRON_TZ=UTC 0 3,4 * * *")
	require.NoError(t, err)
	from := time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC)
	require.Equal(t, 24*time.Hour, shortestGap(weekdays, from))
	require.Equal(t, time.Hour, shortestGap(twice, from))
	require.Equal(t, 24*time.Hour, shortestGap(river.PeriodicInterval(24*time.Hour), from))
}

func TestUnsetMaintenanceIsNotScheduled(t *testing.T) {
	t.Parallel()
	require.Empty(t, periodicJobs(Config{}))
	require.Len(t, periodicJobs(Config{Jobs: jobs.Config{TrashRetention: time.Hour}}), 1)
}
