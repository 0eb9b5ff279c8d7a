package queue

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/snapnote/snapnote/internal/db"
)

// AccountDeleteArgs removes a user who asked to leave, with everything the
// user owned: rows, then blobs.
type AccountDeleteArgs struct {
	UserID uuid.UUID `json:"user_id"`
}

// Kind identifies the job to River.
func (AccountDeleteArgs) Kind() string { return "account_delete" }

// InsertOpts puts the deletion on the default queue: the maintenance queue
// may be busy with a backup for a while, and a user who leaves expects to
// be gone soon.
func (AccountDeleteArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Default, MaxAttempts: 25}
}

// DeleteAccount starts the deletion of the account of the user in by: at
// once the user's subject is freed (a token used afterwards meets a new,
// empty account), and a job removes the old account's rows and blobs.
// Returns db.ErrNotFound when the account is being deleted already.
func (q *Queue) DeleteAccount(ctx context.Context, by db.AuditEntry) error {
	return pgx.BeginFunc(ctx, q.pool, func(tx pgx.Tx) error {
		if err := db.New(tx).TombstoneUser(ctx, *by.UserID); err != nil {
			return err
		}
		if _, err := q.client.InsertTx(ctx, tx, AccountDeleteArgs{UserID: *by.UserID}, nil); err != nil {
			return fmt.Errorf("enqueue deletion of account %s: %w", *by.UserID, err)
		}
		return nil
	})
}

// DeleteAccountTx removes, in tx, an account's rows and records the
// deletion of its blobs, as EmptyTrash does for trash.
func DeleteAccountTx(ctx context.Context, tx pgx.Tx, client *river.Client[pgx.Tx], userID uuid.UUID) (blobs int, err error) {
	keys, err := db.New(tx).DeleteAccount(ctx, userID)
	if err != nil {
		return 0, err
	}
	return len(keys), InsertBlobDeletesTx(ctx, tx, client, keys)
}
