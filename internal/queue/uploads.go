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
		if err := insertStageTx(ctx, tx, q.client, Stages[0], u.ID, pageNumbers(len(in.Pages))); err != nil {
			return err
		}
		by.Action, by.EntityType, by.EntityID = db.AuditCreate, db.EntityUpload, u.ID
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
		pages, err := db.New(tx).RequeuePages(ctx, u.ID)
		if err != nil {
			return err
		}
		if err := insertStageTx(ctx, tx, q.client, stage, u.ID, pages); err != nil {
			return err
		}
		by.Action, by.EntityType, by.EntityID = db.AuditRetry, db.EntityUpload, u.ID
		by.Changes = map[string]any{"stage": u.Stage}
		return db.New(tx).InsertAudit(ctx, by)
	})
	return u, err
}

// RereadDocument queues the stored pages of one of the user's notes (the
// user in by) to be read again by the whole pipeline, whose last stage
// rewrites the note and keeps its text as a version: an upload of copies of
// the note's pages, its first jobs and an audit row, in one transaction.
// Returns the errors of db.RereadOf, db.ErrNoteBusy while another upload
// works on the note, and db.ErrConflict when the user already sent the
// same idempotency key.
func (q *Queue) RereadDocument(ctx context.Context, documentID uuid.UUID, idempotencyKey string, by db.AuditEntry) (db.Upload, error) {
	var u db.Upload
	err := pgx.BeginFunc(ctx, q.pool, func(tx pgx.Tx) error {
		in, err := db.New(tx).RereadOf(ctx, *by.UserID, documentID)
		if err != nil {
			return err
		}
		in.ID, in.IdempotencyKey = uuid.New(), idempotencyKey
		if u, err = db.New(tx).CreateUpload(ctx, in); err != nil {
			return err
		}
		if err := insertStageTx(ctx, tx, q.client, Stages[0], u.ID, pageNumbers(len(in.Pages))); err != nil {
			return err
		}
		by.Action, by.EntityType, by.EntityID = db.AuditReread, db.EntityDocument, documentID
		by.Changes = map[string]any{"uploadId": u.ID, "pages": len(in.Pages)}
		return db.New(tx).InsertAudit(ctx, by)
	})
	return u, err
}

// insertStageTx enqueues stage for an upload: one job, or for a stage
// run per page, one for each of pages.
func insertStageTx(ctx context.Context, tx pgx.Tx, client *river.Client[pgx.Tx], stage Stage, uploadID uuid.UUID, pages []int) error {
	var params []river.InsertManyParams
	if stage.PerPage {
		for _, n := range pages {
			params = append(params, river.InsertManyParams{Args: stage.Job(StageArgs{UploadID: uploadID, Page: n})})
		}
	} else {
		params = append(params, river.InsertManyParams{Args: stage.Job(StageArgs{UploadID: uploadID})})
	}
	if len(params) == 0 {
		return fmt.Errorf("enqueue %s of upload %s: no page to read", stage.Name, uploadID)
	}
	if _, err := client.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("enqueue %s of upload %s: %w", stage.Name, uploadID, err)
	}
	return nil
}

// pageNumbers returns 1…n, or 1 alone for an upload that names no pages.
func pageNumbers(n int) []int {
	pages := []int{1}
	for i := 2; i <= n; i++ {
		pages = append(pages, i)
	}
	return pages
}

// HandOverTx hands an upload, in tx, from stage to the stage after it: it
// records the upload at the next stage and enqueues that stage's jobs. ok is
// false, and nothing is written, when stage is the last. The stage's worker
// calls it in the transaction that saves its result and completes its own
// job; pages is the upload's page count, for a next stage run per page.
// Returns an error wrapping db.ErrNotFound when the upload is no longer
// processing at stage.
func HandOverTx(ctx context.Context, tx pgx.Tx, client *river.Client[pgx.Tx], stage Stage, uploadID uuid.UUID, pages int) (next Stage, ok bool, err error) {
	if next, ok = stage.Next(); !ok {
		return Stage{}, false, nil
	}
	if err := db.New(tx).MoveToStage(ctx, uploadID, stage.Name, next.Name); err != nil {
		return next, true, err
	}
	return next, true, insertStageTx(ctx, tx, client, next, uploadID, pageNumbers(pages))
}
