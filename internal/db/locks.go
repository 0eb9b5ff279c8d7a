package db

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// deletionLockID is the advisory lock that keeps blob deletions out of a
// backup's way. A backup holds it exclusively from before pg_dump starts
// until its blob archive is written, so a blob whose row is in the dump is
// in the archive too, even when the row is purged meanwhile; deleters share
// it.
const deletionLockID = 0x5a4e_0002

// LockDeletions takes the shared side of the deletion lock, for a job that
// deletes blobs. ok is false, and nothing is held, while a backup runs; the
// caller should try again later. Otherwise call release when done.
func LockDeletions(ctx context.Context, pool *pgxpool.Pool) (release func(), ok bool, err error) {
	return lock(ctx, pool, `SELECT pg_try_advisory_xact_lock_shared($1)`)
}

// LockForBackup takes the exclusive side of the deletion lock, waiting for
// deletions under way to finish. Call release when the blobs are archived.
func LockForBackup(ctx context.Context, pool *pgxpool.Pool) (release func(), err error) {
	release, _, err = lock(ctx, pool, `SELECT true FROM pg_advisory_xact_lock($1)`)
	return release, err
}

// lock runs take in a transaction kept open until release ends it, which
// lets the lock go. A transaction-scoped lock, not a session one: through
// a transaction-mode pooler (DATABASE_POOLING=transaction) a session lock
// would stay on whichever server connection took it, while a transaction
// keeps its server connection until it ends.
func lock(ctx context.Context, pool *pgxpool.Pool, take string) (release func(), ok bool, err error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("take blob deletion lock: %w", err)
	}
	if err := tx.QueryRow(ctx, take, int64(deletionLockID)).Scan(&ok); err != nil || !ok {
		_ = tx.Rollback(context.Background())
		if err != nil {
			return nil, false, fmt.Errorf("take blob deletion lock: %w", err)
		}
		return nil, false, nil
	}
	return func() {
		// A fresh context: the lock must go even when ctx has ended. A
		// connection whose rollback fails is closed, which unlocks too.
		_ = tx.Rollback(context.Background())
	}, true, nil
}
