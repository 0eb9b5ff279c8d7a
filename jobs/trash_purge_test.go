package jobs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/jobs"
	"github.com/snapnote/snapnote/storage"
)

// flakyDeletes is a Store whose Delete fails for one key the first n times.
type flakyDeletes struct {
	storage.Store
	key string
	mu  sync.Mutex
	n   int
}

var errDeleteDown = errors.New("storage unavailable")

func (f *flakyDeletes) Delete(ctx context.Context, key string) error {
	f.mu.Lock()
	fail := key == f.key && f.n > 0
	if fail {
		f.n--
	}
	f.mu.Unlock()
	if fail {
		return errDeleteDown
	}
	return f.Store.Delete(ctx, key)
}

func TestTrashPurge(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := pgtest.Migrated(t)
	local, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, local.Close()) })

	const retention = 30 * 24 * time.Hour
	s := seedUser(t, pool, local, "alice", 0)
	q := db.New(pool)
	justInside, keyInside := s.addNote(t, pool, local, s.course.ID, "in trash for 30 days less an hour")
	justOutside, keyOutside := s.addNote(t, pool, local, s.course.ID, "in trash for 30 days and an hour")
	active, keyActive := s.addNote(t, pool, local, s.course.ID, "not in trash")
	oldCourse, err := q.CreateCourse(ctx, s.user.ID, db.CourseInput{Name: "Dropped"})
	require.NoError(t, err)
	inOldCourse, keyInOldCourse := s.addNote(t, pool, local, oldCourse.ID, "active, in a course long in trash")

	setTrash := func(table string, id uuid.UUID, deletedAt time.Time) {
		_, err := pool.Exec(ctx, `UPDATE `+table+` SET status = 'trash', deleted_at = $2 WHERE id = $1`, id, deletedAt)
		require.NoError(t, err)
	}
	now := time.Now()
	setTrash("documents", justInside, now.Add(-retention+time.Hour))
	setTrash("documents", justOutside, now.Add(-retention-time.Hour))
	setTrash("courses", oldCourse.ID, now.Add(-retention-time.Hour))

	// The purged note's image cannot be deleted at first.
	blobs := &flakyDeletes{Store: local, key: keyOutside, n: 2}
	client, events := startClient(t, pool, func(w *river.Workers) {
		river.AddWorker(w, &jobs.TrashPurgeWorker{Pool: pool, Retention: retention, Logger: discard()})
		river.AddWorker(w, &jobs.BlobDeleteWorker{Pool: pool, Blobs: blobs, Logger: discard()})
	})
	_, err = client.Insert(ctx, queue.TrashPurgeArgs{}, nil)
	require.NoError(t, err)
	ev := waitFor(t, events, "trash_purge")
	require.Equal(t, river.EventKindJobCompleted, ev.Kind, "trash_purge: %v", ev.Job.Errors)

	for _, id := range []uuid.UUID{justInside, active} {
		_, err := q.DocumentByID(ctx, s.user.ID, id)
		require.NoError(t, err, "kept")
	}
	for _, id := range []uuid.UUID{justOutside, inOldCourse} {
		_, err := q.DocumentByID(ctx, s.user.ID, id)
		require.ErrorIs(t, err, db.ErrNotFound, "purged")
	}
	_, err = q.CourseByID(ctx, s.user.ID, oldCourse.ID)
	require.ErrorIs(t, err, db.ErrNotFound)

	// The first attempt to delete the blobs fails: the rows are gone, the
	// failed key is still on record in the retried job, the blob remains.
	ev = waitFor(t, events, "blob_delete")
	require.Equal(t, river.EventKindJobFailed, ev.Kind)
	require.Contains(t, []rivertype.JobState{rivertype.JobStateRetryable, rivertype.JobStateAvailable}, ev.Job.State, "to be retried")
	require.Contains(t, string(ev.Job.EncodedArgs), keyOutside)
	_, err = local.Stat(ctx, keyOutside)
	require.NoError(t, err)
	_, err = local.Stat(ctx, keyInOldCourse)
	require.ErrorIs(t, err, storage.ErrNotFound, "the keys that could go went at once")

	require.Equal(t, river.EventKindJobFailed, waitFor(t, events, "blob_delete").Kind)
	ev = waitFor(t, events, "blob_delete")
	require.Equal(t, river.EventKindJobCompleted, ev.Kind, "the third attempt succeeds")
	require.Equal(t, 3, ev.Job.Attempt)

	for _, key := range []string{keyOutside, keyInOldCourse} {
		_, err := local.Stat(ctx, key)
		require.ErrorIs(t, err, storage.ErrNotFound, key)
	}
	for _, key := range []string{keyInside, keyActive} {
		_, err := local.Stat(ctx, key)
		require.NoError(t, err, "a kept note keeps its image: %s", key)
	}
}
