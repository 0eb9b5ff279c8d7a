package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/snapnote/snapnote/internal/backup"
	"github.com/snapnote/snapnote/storage"
)

// deletionSnooze is how long a deleting job waits when a backup is
// archiving the blobs.
const deletionSnooze = time.Minute

// lockDeletions takes the shared side of the backup's deletion lock, or
// snoozes the job (without using an attempt) while a backup archives the
// blobs. Call release when the deleting is done.
func lockDeletions(ctx context.Context, pool *pgxpool.Pool) (release func(), err error) {
	release, ok, err := backup.LockDeletions(ctx, pool)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, river.JobSnooze(deletionSnooze)
	}
	return release, nil
}

// blobDeleteBatch bounds the keys one BlobDeleteArgs job carries, so its
// args stay small however much trash a purge removes.
const blobDeleteBatch = 500

// BlobDeleteArgs deletes blobs that no row references any more. It is the
// durable record of a pending deletion: inserted in the transaction that
// removes the rows, retried by River until every key is gone.
type BlobDeleteArgs struct {
	Keys []string `json:"keys"`
}

// Kind identifies the job to River.
func (BlobDeleteArgs) Kind() string { return "blob_delete" }

// InsertOpts puts blob deletions on the maintenance queue. River retries a
// failed one with growing backoff for about three weeks; a key still left
// after that is unreferenced, so the orphan sweep takes it.
func (BlobDeleteArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMaintenance, MaxAttempts: 25}
}

// InsertBlobDeletesTx records, in tx, the deletion of keys, in jobs of at
// most blobDeleteBatch keys. Call it in the transaction that removes the
// rows referencing them.
func InsertBlobDeletesTx(ctx context.Context, tx pgx.Tx, client *river.Client[pgx.Tx], keys []string) error {
	var params []river.InsertManyParams
	for start := 0; start < len(keys); start += blobDeleteBatch {
		batch := keys[start:min(start+blobDeleteBatch, len(keys))]
		params = append(params, river.InsertManyParams{Args: BlobDeleteArgs{Keys: batch}})
	}
	if len(params) == 0 {
		return nil
	}
	if _, err := client.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("record %d blob deletions: %w", len(keys), err)
	}
	return nil
}

// BlobDeleteWorker deletes the blobs of a BlobDeleteArgs job.
type BlobDeleteWorker struct {
	river.WorkerDefaults[BlobDeleteArgs]
	Pool   *pgxpool.Pool
	Blobs  storage.Store
	Logger *slog.Logger
}

// Timeout allows for a slow store: a batch is a few hundred deletes.
func (w *BlobDeleteWorker) Timeout(*river.Job[BlobDeleteArgs]) time.Duration {
	return 10 * time.Minute
}

// Work deletes every key, carrying on past failures, and fails the job if
// any failed so River retries it. Deleting a missing blob succeeds, so a
// retry deleting the keys that went the first time is harmless.
func (w *BlobDeleteWorker) Work(ctx context.Context, job *river.Job[BlobDeleteArgs]) error {
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
	}
	log := w.Logger.With(slog.Int64("job_id", job.ID), slog.Int("attempt", job.Attempt), slog.Int("keys", len(job.Args.Keys)))
	if err := errors.Join(errs...); err != nil {
		log.WarnContext(ctx, "some blobs could not be deleted; will retry", slog.Int("failed", len(errs)), slog.Any("error", err))
		return fmt.Errorf("delete %d of %d blobs: %w", len(errs), len(job.Args.Keys), err)
	}
	log.InfoContext(ctx, "deleted blobs")
	return nil
}
