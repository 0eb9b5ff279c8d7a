package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/jobs"
)

// A stage job that panics or errors on its last attempt, by a path the stage
// does not handle, must not leave its upload "processing" for good.
func TestErrorHandlerFailsUploadOnLastAttempt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, q, user, course := aliceWithCourse(t)
	newUpload := func() uuid.UUID {
		u, err := q.CreateUpload(ctx, db.NewUpload{ID: uuid.New(), UserID: user.ID, CourseID: course.ID,
			Pages: []db.NewPage{{BlobKey: "uploads/" + uuid.NewString() + ".png", ContentType: "image/png", ByteSize: 1,
				SHA256: strings.Repeat("0", 64), ImageWidth: 1, ImageHeight: 1}}})
		require.NoError(t, err)
		require.NoError(t, q.StartStage(ctx, u.ID, snapnote.StageFormat, 1))
		return u.ID
	}
	job := func(id uuid.UUID, attempt int) *rivertype.JobRow {
		return &rivertype.JobRow{ID: 1, Kind: queue.FormatArgs{}.Kind(), Attempt: attempt, MaxAttempts: 8,
			EncodedArgs: []byte(fmt.Sprintf(`{"upload_id":%q}`, id))}
	}
	h := &jobs.ErrorHandler{Pipeline: &jobs.Pipeline{Pool: pool, Logger: discard()}}

	early := newUpload()
	h.HandlePanic(ctx, job(early, 3), "boom", "stack")
	h.HandleError(ctx, job(early, 7), errors.New("commit failed"))
	u, err := q.UploadByID(ctx, user.ID, early)
	require.NoError(t, err)
	require.Equal(t, snapnote.UploadProcessing, u.Status, "River retries before the last attempt")

	for name, settle := range map[string]func(uuid.UUID){
		"panic": func(id uuid.UUID) { h.HandlePanic(ctx, job(id, 8), "boom", "stack") },
		"error": func(id uuid.UUID) { h.HandleError(ctx, job(id, 8), errors.New("commit failed")) },
	} {
		id := newUpload()
		settle(id)
		u, err := q.UploadByID(ctx, user.ID, id)
		require.NoError(t, err)
		require.Equal(t, snapnote.UploadFailed, u.Status, name)
		require.Equal(t, "format_failed", u.ErrorCode, name)
		require.NotEmpty(t, u.ErrorMessage, name)
	}
}

// When River gives up on the job reading one page of several, that page
// fails with the upload, and the upload's message names it: no page shows
// "processing" under a failed upload.
func TestErrorHandlerFailsThePageItsJobRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, q, user, course := aliceWithCourse(t)
	page := func() db.NewPage {
		return db.NewPage{BlobKey: "uploads/" + uuid.NewString() + ".png", ContentType: "image/png", ByteSize: 1,
			SHA256: strings.Repeat("0", 64), ImageWidth: 1, ImageHeight: 1}
	}
	u, err := q.CreateUpload(ctx, db.NewUpload{ID: uuid.New(), UserID: user.ID, CourseID: course.ID,
		Pages: []db.NewPage{page(), page()}})
	require.NoError(t, err)
	require.NoError(t, q.StartStage(ctx, u.ID, snapnote.StageOCR, 1))
	require.NoError(t, q.StartPage(ctx, u.ID, 1, 1))
	require.NoError(t, q.StartPage(ctx, u.ID, 2, 8))

	h := &jobs.ErrorHandler{Pipeline: &jobs.Pipeline{Pool: pool, Logger: discard()}}
	h.HandlePanic(ctx, &rivertype.JobRow{ID: 1, Kind: queue.OCRArgs{}.Kind(), Attempt: 8, MaxAttempts: 8,
		EncodedArgs: []byte(fmt.Sprintf(`{"upload_id":%q,"page":2}`, u.ID))}, "boom", "stack")

	got, err := q.UploadByID(ctx, user.ID, u.ID)
	require.NoError(t, err)
	require.Equal(t, snapnote.UploadFailed, got.Status)
	require.Equal(t, snapnote.ErrOCRFailed, got.ErrorCode)
	require.Equal(t, "Page 2 of 2: "+snapnote.FailOCRFailed.Message, got.ErrorMessage)
	pages, err := q.PagesOfUploads(ctx, []uuid.UUID{u.ID})
	require.NoError(t, err)
	require.Equal(t, snapnote.UploadFailed, pages[u.ID][1].Status)
	require.Equal(t, snapnote.FailOCRFailed.Message, pages[u.ID][1].ErrorMessage)
	require.Equal(t, snapnote.UploadProcessing, pages[u.ID][0].Status, "the other page's job may still finish it")

	// A second failure of the finished upload changes nothing.
	h.HandleError(ctx, &rivertype.JobRow{ID: 2, Kind: queue.OCRArgs{}.Kind(), Attempt: 8, MaxAttempts: 8,
		EncodedArgs: []byte(fmt.Sprintf(`{"upload_id":%q,"page":1}`, u.ID))}, errors.New("commit failed"))
	again, err := q.UploadByID(ctx, user.ID, u.ID)
	require.NoError(t, err)
	require.Equal(t, got.ErrorMessage, again.ErrorMessage)
}

// aliceWithCourse returns a migrated database with a user, alice, and her
// course.
func aliceWithCourse(t *testing.T) (*pgxpool.Pool, *db.Queries, db.User, db.Course) {
	t.Helper()
	pool := pgtest.Migrated(t)
	q := db.New(pool)
	user, err := q.UpsertUser(t.Context(), db.Identity{Subject: "alice"})
	require.NoError(t, err)
	course, err := q.CreateCourse(t.Context(), user.ID, db.CourseInput{Name: "Physics"})
	require.NoError(t, err)
	return pool, q, user, course
}
