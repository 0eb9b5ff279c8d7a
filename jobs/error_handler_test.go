package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
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
	pool := pgtest.Migrated(t)
	q := db.New(pool)
	user, err := q.UpsertUser(ctx, db.Identity{Subject: "alice"})
	require.NoError(t, err)
	course, err := q.CreateCourse(ctx, user.ID, db.CourseInput{Name: "Physics"})
	require.NoError(t, err)
	newUpload := func() uuid.UUID {
		u, err := q.CreateUpload(ctx, db.NewUpload{ID: uuid.New(), UserID: user.ID, CourseID: course.ID,
			BlobKey: "uploads/" + uuid.NewString() + ".png", ContentType: "image/png", ByteSize: 1,
			SHA256: strings.Repeat("0", 64), ImageWidth: 1, ImageHeight: 1})
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
