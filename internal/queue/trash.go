package queue

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/snapnote/snapnote/internal/db"
)

// EmptyTrash deletes for good everything the user in by has in trash, and
// records the deletion of its images as retried jobs, in one transaction:
// no row is left pointing at a deleted image, no failed deletion is
// forgotten, and deletions wait while a backup archives the images.
func (q *Queue) EmptyTrash(ctx context.Context, by db.AuditEntry) (db.Purged, error) {
	var purged db.Purged
	err := pgx.BeginFunc(ctx, q.pool, func(tx pgx.Tx) error {
		var err error
		if purged, err = db.New(tx).PurgeTrashBy(ctx, *by.UserID, time.Time{}, by); err != nil {
			return err
		}
		return InsertBlobDeletesTx(ctx, tx, q.client, purged.BlobKeys)
	})
	return purged, err
}

// PurgeTrashTx deletes, in tx, every user's trash deleted before cutoff and
// records the deletion of its images, as EmptyTrash does for one user.
func PurgeTrashTx(ctx context.Context, tx pgx.Tx, client *river.Client[pgx.Tx], cutoff time.Time) (db.Purged, error) {
	purged, err := db.New(tx).PurgeTrash(ctx, uuid.Nil, cutoff)
	if err != nil {
		return purged, err
	}
	return purged, InsertBlobDeletesTx(ctx, tx, client, purged.BlobKeys)
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
