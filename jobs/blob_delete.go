package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/pdffile"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/storage"
)

// deletionSnooze is how long a deleting job waits when a backup is
// archiving the blobs.
const deletionSnooze = time.Minute

// lockDeletions takes the shared side of the backup's deletion lock, or
// snoozes the job (without using an attempt) while a backup archives the
// blobs. Call release when the deleting is done.
func lockDeletions(ctx context.Context, pool *pgxpool.Pool) (release func(), err error) {
	release, ok, err := db.LockDeletions(ctx, pool)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, river.JobSnooze(deletionSnooze)
	}
	return release, nil
}

// BlobDeleteWorker deletes the blobs of a BlobDeleteArgs job.
type BlobDeleteWorker struct {
	river.WorkerDefaults[queue.BlobDeleteArgs]
	Pool   *pgxpool.Pool
	Blobs  storage.Store
	Logger *slog.Logger
}

// Timeout allows for a slow store: a batch is a few hundred deletes.
func (w *BlobDeleteWorker) Timeout(*river.Job[queue.BlobDeleteArgs]) time.Duration {
	return 10 * time.Minute
}

// Work deletes every key, carrying on past failures, and fails the job if
// any failed so River retries it. Deleting a missing blob succeeds, so a
// retry deleting the keys that went the first time is harmless.
func (w *BlobDeleteWorker) Work(ctx context.Context, job *river.Job[queue.BlobDeleteArgs]) error {
	release, err := lockDeletions(ctx, w.Pool)
	if err != nil {
		return err
	}
	defer release()
	var errs []error
	for _, key := range job.Args.Keys {
		if err := w.Blobs.Delete(ctx, key); err != nil {
			errs = append(errs, err)
		}
		if strings.HasSuffix(key, pdffile.Extension) {
			errs = append(errs, w.deleteViews(ctx, key))
		}
	}
	errs = slices.DeleteFunc(errs, func(err error) bool { return err == nil })
	log := w.Logger.With(slog.Int64("job_id", job.ID), slog.Int("attempt", job.Attempt), slog.Int("keys", len(job.Args.Keys)))
	if err := errors.Join(errs...); err != nil {
		log.WarnContext(ctx, "some blobs could not be deleted; will retry", slog.Int("failed", len(errs)), slog.Any("error", err))
		return fmt.Errorf("delete %d of %d blobs: %w", len(errs), len(job.Args.Keys), err)
	}
	log.InfoContext(ctx, "deleted blobs")
	return nil
}

// deleteViews deletes the page views the OCR stage stored beside the PDF
// under key, which no row names.
func (w *BlobDeleteWorker) deleteViews(ctx context.Context, key string) error {
	views, err := w.Blobs.List(ctx, snapnote.PDFPageViewPrefix(key))
	if err != nil {
		return fmt.Errorf("list views of %s: %w", key, err)
	}
	var errs []error
	for _, v := range views {
		errs = append(errs, w.Blobs.Delete(ctx, v.Key))
	}
	return errors.Join(errs...)
}
