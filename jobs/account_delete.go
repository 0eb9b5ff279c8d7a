package jobs

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/snapnote/snapnote/internal/queue"
)

// AccountDeleteWorker removes an account that asked to leave. Its rows and
// the record of its blobs' deletion go in one transaction, as a purge's do:
// BlobDeleteArgs jobs delete the blobs after, retried until they are gone.
type AccountDeleteWorker struct {
	river.WorkerDefaults[queue.AccountDeleteArgs]
	Pool   *pgxpool.Pool
	Logger *slog.Logger
}

// Work deletes the account. A pipeline job of the account that runs after
// finds its upload gone and stops.
func (w *AccountDeleteWorker) Work(ctx context.Context, job *river.Job[queue.AccountDeleteArgs]) error {
	var blobs int
	err := pgx.BeginFunc(ctx, w.Pool, func(tx pgx.Tx) error {
		var err error
		if blobs, err = queue.DeleteAccountTx(ctx, tx, river.ClientFromContext[pgx.Tx](ctx), job.Args.UserID); err != nil {
			return err
		}
		if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err != nil {
			return fmt.Errorf("complete job %d: %w", job.ID, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete account %s: %w", job.Args.UserID, err)
	}
	w.Logger.InfoContext(ctx, "deleted account", slog.Int64("job_id", job.ID),
		slog.String("user_id", job.Args.UserID.String()), slog.Int("blobs", blobs))
	return nil
}
