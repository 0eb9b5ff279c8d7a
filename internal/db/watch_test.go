package db_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/pgtest"
)

// TestUploadChangesHearsTheTrigger holds the channel the migration's trigger
// notifies and the one UploadChanges listens on together.
func TestUploadChangesHearsTheTrigger(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := db.Open(pgtest.Migrated(t), slog.New(slog.DiscardHandler))
	user, err := d.UpsertUser(ctx, db.Identity{Subject: "alice"})
	require.NoError(t, err)
	course, err := d.CreateCourse(ctx, user.ID, db.CourseInput{Name: "Physics"})
	require.NoError(t, err)
	id := uuid.New()
	_, err = d.CreateUpload(ctx, db.NewUpload{ID: id, UserID: user.ID, CourseID: course.ID,
		Pages: []db.NewPage{{BlobKey: snapnote.PageBlobKey(user.ID, id, 1, ".png"), ContentType: "image/png", ByteSize: 1,
			SHA256: strings.Repeat("0", 64), ImageWidth: 1, ImageHeight: 1}}})
	require.NoError(t, err)

	changed, leave := d.UploadChanges(id)
	defer leave()
	other, leaveOther := d.UploadChanges(uuid.New())
	defer leaveOther()
	// The listener wakes every watcher once it listens: after that, only
	// the upload's own changes reach its watchers.
	<-changed
	<-other
	require.NoError(t, d.StartStage(ctx, id, snapnote.StageOCR, 1))
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("no notification of the upload's change")
	}
	select {
	case <-other:
		t.Fatal("a watcher of another upload was woken")
	default:
	}
}

// TestUploadChangesPollsWithoutListen: through a transaction-mode pooler
// with no direct connection, watchers are woken by polling, and a change
// is seen without LISTEN.
func TestUploadChangesPollsWithoutListen(t *testing.T) {
	t.Parallel()
	pool := pgtest.Migrated(t)
	d := db.OpenPooled(pool, nil, slog.New(slog.DiscardHandler))
	changed, leave := d.UploadChanges(uuid.New())
	defer leave()
	for range 2 {
		select {
		case <-changed:
		case <-time.After(10 * db.UploadPollInterval):
			t.Fatal("a polled watcher was not woken")
		}
	}
	var listening int
	require.NoError(t, pool.QueryRow(t.Context(),
		`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'`).Scan(&listening))
	require.Zero(t, listening, "no LISTEN without a direct connection")
}
