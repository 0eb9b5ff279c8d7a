package queue

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/snapnote/snapnote/internal/db"
)

// CreateUpload records a stored image as a queued upload and enqueues the
// pipeline's first stage, with an audit row by the user in by, all in one
// transaction: a committed upload always has its job. Returns
// db.ErrConflict when the user already sent the same idempotency key.
func (q *Queue) CreateUpload(ctx context.Context, in db.NewUpload, by db.AuditEntry) (db.Upload, error) {
	var u db.Upload
	err := pgx.BeginFunc(ctx, q.pool, func(tx pgx.Tx) error {
		var err error
		if u, err = db.New(tx).CreateUpload(ctx, in); err != nil {
			return err
		}
		if err := q.insertStageTx(ctx, tx, Stages[0], u); err != nil {
			return err
		}
		by.Action, by.EntityType, by.EntityID = db.AuditCreate, "upload", u.ID
		by.Changes = map[string]any{"courseId": u.CourseID, "contentType": u.ContentType, "byteSize": u.ByteSize}
		return db.New(tx).InsertAudit(ctx, by)
	})
	return u, err
}

// RetryUpload puts one of the user's failed uploads back in the queue at
// the stage it failed in, with its job and an audit row, in one
// transaction. Returns db.ErrNotFound, db.ErrNotFailed for an upload that
// has not failed, and db.ErrCourseInTrash when its course is in trash.
func (q *Queue) RetryUpload(ctx context.Context, id uuid.UUID, by db.AuditEntry) (db.Upload, error) {
	var u db.Upload
	err := pgx.BeginFunc(ctx, q.pool, func(tx pgx.Tx) error {
		var err error
		if u, err = db.New(tx).RetryUpload(ctx, *by.UserID, id); err != nil {
			return err
		}
		stage, err := StageNamed(u.Stage)
		if err != nil {
			return err
		}
		if err := q.insertStageTx(ctx, tx, stage, u); err != nil {
			return err
		}
		by.Action, by.EntityType, by.EntityID = "retry", "upload", u.ID
		by.Changes = map[string]any{"stage": u.Stage}
		return db.New(tx).InsertAudit(ctx, by)
	})
	return u, err
}

func (q *Queue) insertStageTx(ctx context.Context, tx pgx.Tx, stage Stage, u db.Upload) error {
	args := stage.Job(StageArgs{UploadID: u.ID})
	if _, err := q.client.InsertTx(ctx, tx, args, nil); err != nil {
		return fmt.Errorf("enqueue %s of upload %s: %w", args.Kind(), u.ID, err)
	}
	return nil
}

// InsertNextStageTx enqueues, in tx, the stage after the one a job ran;
// ok is false when that stage was the last. The stage's worker calls it in
// the transaction that saves its result and completes its own job.
func InsertNextStageTx(ctx context.Context, tx pgx.Tx, client *river.Client[pgx.Tx], stage Stage, args StageArgs) (next Stage, ok bool, err error) {
	if next, ok = stage.Next(); !ok {
		return Stage{}, false, nil
	}
	job := next.Job(args)
	if _, err := client.InsertTx(ctx, tx, job, nil); err != nil {
		return next, true, fmt.Errorf("enqueue %s of upload %s: %w", job.Kind(), args.UploadID, err)
	}
	return next, true, nil
}
