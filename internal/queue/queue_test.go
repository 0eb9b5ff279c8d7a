package queue_test

import (
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/internal/queue"
)

func TestStagesFollowTheTable(t *testing.T) {
	t.Parallel()
	require.Equal(t, snapnote.StageOCR, queue.Stages[0].Name, "the pipeline starts with OCR")
	var names []string
	stage := queue.Stages[0]
	for {
		names = append(names, stage.Name)
		byKind, ok := queue.StageOfKind(stage.Job(queue.StageArgs{}).Kind())
		require.True(t, ok)
		require.Equal(t, stage.Name, byKind.Name, "each stage's job kind names its stage")
		require.NotEmpty(t, stage.Fail.Code)
		next, ok := stage.Next()
		if !ok {
			break
		}
		stage = next
	}
	require.Equal(t, []string{snapnote.StageOCR, snapnote.StageFormat, snapnote.StageExtract}, names)
	_, err := queue.StageNamed("bogus")
	require.Error(t, err)
	_, ok := queue.StageOfKind("backup")
	require.False(t, ok, "a maintenance job is no stage")
}

type bundle struct {
	pool   *pgxpool.Pool
	q      *queue.Queue
	db     *db.Queries
	user   db.User
	course db.Course
}

func setup(t *testing.T) bundle {
	t.Helper()
	b := bundle{pool: pgtest.Migrated(t)}
	var err error
	b.q, err = queue.New(b.pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	b.db = db.New(b.pool)
	b.user, err = b.db.UpsertUser(t.Context(), db.Identity{Subject: "alice"})
	require.NoError(t, err)
	b.course, err = b.db.CreateCourse(t.Context(), b.user.ID, db.CourseInput{Name: "Physics"})
	require.NoError(t, err)
	return b
}

// jobs returns the kinds of the jobs queued for upload id.
func (b bundle) jobs(t *testing.T, id uuid.UUID) []string {
	t.Helper()
	rows, err := b.pool.Query(t.Context(), `SELECT kind FROM river_job WHERE args->>'upload_id' = $1 ORDER BY id`, id.String())
	require.NoError(t, err)
	var kinds []string
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		kinds = append(kinds, k)
	}
	require.NoError(t, rows.Err())
	return kinds
}

func (b bundle) newUpload(key string) db.NewUpload {
	id := uuid.New()
	return db.NewUpload{ID: id, UserID: b.user.ID, CourseID: b.course.ID, IdempotencyKey: key,
		Pages: []db.NewPage{{BlobKey: snapnote.PageBlobKey(b.user.ID, id, 1, ".png"), ContentType: "image/png", ByteSize: 1,
			SHA256: strings.Repeat("0", 64), ImageWidth: 1, ImageHeight: 1}}}
}

func TestCreateUploadQueuesItsFirstStage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	by := db.AuditEntry{UserID: &b.user.ID}

	u, err := b.q.CreateUpload(ctx, b.newUpload("k1"), by)
	require.NoError(t, err)
	require.Equal(t, snapnote.UploadQueued, u.Status)
	require.Equal(t, []string{"ocr"}, b.jobs(t, u.ID))

	// The same idempotency key again: neither a row nor a job is added.
	again := b.newUpload("k1")
	_, err = b.q.CreateUpload(ctx, again, by)
	require.ErrorIs(t, err, db.ErrConflict)
	require.Empty(t, b.jobs(t, again.ID))
	_, err = b.db.UploadByID(ctx, b.user.ID, again.ID)
	require.ErrorIs(t, err, db.ErrNotFound)
}

func TestRetryUploadQueuesTheFailedStage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	by := db.AuditEntry{UserID: &b.user.ID}
	u, err := b.q.CreateUpload(ctx, b.newUpload(""), by)
	require.NoError(t, err)

	_, err = b.q.RetryUpload(ctx, u.ID, by)
	require.ErrorIs(t, err, db.ErrNotFailed, "a queued upload is not retried")
	require.Equal(t, []string{"ocr"}, b.jobs(t, u.ID), "a refused retry adds no job")

	require.NoError(t, b.db.StartStage(ctx, u.ID, snapnote.StageOCR, 1))
	require.NoError(t, b.db.MoveToStage(ctx, u.ID, snapnote.StageOCR, snapnote.StageFormat))
	require.NoError(t, b.db.FailUpload(ctx, u.ID, 0, snapnote.Failure{Code: snapnote.ErrFormatFailed, Message: "failed"}))

	retried, err := b.q.RetryUpload(ctx, u.ID, by)
	require.NoError(t, err)
	require.Equal(t, snapnote.UploadQueued, retried.Status)
	require.Equal(t, snapnote.StageFormat, retried.Stage)
	require.Equal(t, []string{"ocr", "format"}, b.jobs(t, u.ID), "the retry starts from the stage that failed")
}

// TestStageCheckIsTheTable: the stages migration 001's CHECK lets an upload
// record are the names of queue.Stages.
func TestStageCheckIsTheTable(t *testing.T) {
	t.Parallel()
	pool := pgtest.Migrated(t)
	var def string
	require.NoError(t, pool.QueryRow(t.Context(), `
		SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
		WHERE c.conrelid = 'uploads'::regclass AND c.contype = 'c'
		  AND pg_get_constraintdef(c.oid) LIKE '%stage%'`).Scan(&def))
	var names, checked []string
	for _, s := range queue.Stages {
		names = append(names, s.Name)
	}
	for _, m := range regexp.MustCompile(`'([a-z_]+)'`).FindAllStringSubmatch(def, -1) {
		checked = append(checked, m[1])
	}
	require.ElementsMatch(t, names, checked, "the CHECK on uploads.stage: %s", def)
}

// TestStageKindIsItsName: River knows a stage's job by the stage's name.
func TestStageKindIsItsName(t *testing.T) {
	t.Parallel()
	for _, s := range queue.Stages {
		require.Equal(t, s.Name, s.Job(queue.StageArgs{}).Kind())
	}
}

// reviewArgs is the job of a stage that the tests add to the table.
type reviewArgs struct{ queue.StageArgs }

func (reviewArgs) Kind() string { return "review" }

// TestAStageIsARow adds a stage after the last one, as a row and its
// job's Args, and finds the pipeline's lookups follow it with no other
// change. (The database still needs its name in the CHECK on
// uploads.stage: TestStageCheckIsTheTable says so.) Not parallel: it
// changes the table while no other test of the package runs.
func TestAStageIsARow(t *testing.T) {
	last := queue.Stages[len(queue.Stages)-1]
	saved := queue.Stages
	queue.Stages = append(saved[:len(saved):len(saved)], queue.Stage{Name: "review",
		Job: func(a queue.StageArgs) queue.StageJob { return reviewArgs{a} }, Fail: snapnote.Failure{Code: "review_failed"}})
	t.Cleanup(func() { queue.Stages = saved })

	next, ok := last.Next()
	require.True(t, ok)
	require.Equal(t, "review", next.Name, "the last stage hands over to the new row")
	_, ok = next.Next()
	require.False(t, ok, "the new row is the last")
	byName, err := queue.StageNamed("review")
	require.NoError(t, err)
	byKind, ok := queue.StageOfKind("review")
	require.True(t, ok)
	require.Equal(t, byName.Name, byKind.Name)
}
