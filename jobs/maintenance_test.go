package jobs_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/storage"
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// quickRetry retries a failed job at once, so tests need not sit out River's
// backoff of attempt⁴ seconds.
type quickRetry struct{}

func (quickRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now() }

// startClient starts a River client working the maintenance queue with the
// given workers, and returns it with a subscription to finished jobs.
func startClient(t *testing.T, pool *pgxpool.Pool, add func(*river.Workers)) (*river.Client[pgx.Tx], <-chan *river.Event) {
	t.Helper()
	workers := river.NewWorkers()
	add(workers)
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger:        discard(),
		FetchCooldown: 5 * time.Millisecond,
		Queues:        map[string]river.QueueConfig{queue.Maintenance: {MaxWorkers: 1}},
		RetryPolicy:   quickRetry{},
		Workers:       workers,
	})
	require.NoError(t, err)
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	require.NoError(t, client.Start(context.Background()))
	t.Cleanup(func() {
		cancel()
		ctx, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		require.NoError(t, client.Stop(ctx))
	})
	return client, events
}

// waitFor returns the next event about a job of kind, failing the test
// after a timeout.
func waitFor(t *testing.T, events <-chan *river.Event, kind string) *river.Event {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.Job.Kind == kind {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s job finished in 30s", kind)
		}
	}
}

// seed is a user's data made through the db queries.
type seed struct {
	user    db.User
	course  db.Course
	docs    []uuid.UUID
	keys    []string
	content map[string][]byte
}

// seedUser creates a user with a course of n notes, each with an image blob.
func seedUser(t *testing.T, pool *pgxpool.Pool, blobs storage.Store, subject string, n int) seed {
	t.Helper()
	ctx := t.Context()
	q := db.New(pool)
	user, err := q.UpsertUser(ctx, db.Identity{Subject: subject, Email: subject + "@example.com", Name: subject})
	require.NoError(t, err)
	course, err := q.CreateCourse(ctx, user.ID, db.CourseInput{Name: "Course of " + subject, Color: "#336699", Icon: "📘"})
	require.NoError(t, err)
	s := seed{user: user, course: course, content: map[string][]byte{}}
	for i := range n {
		s.addNote(t, pool, blobs, course.ID, fmt.Sprintf("Note %d of %s", i, subject))
	}
	return s
}

// addNote adds an upload, its image and its document to a course.
func (s *seed) addNote(t *testing.T, pool *pgxpool.Pool, blobs storage.Store, courseID uuid.UUID, title string) (uuid.UUID, string) {
	t.Helper()
	ctx := t.Context()
	q := db.New(pool)
	id := uuid.New()
	key := fmt.Sprintf("uploads/%s/%s.png", s.user.ID, id)
	image := make([]byte, 4096+len(s.keys))
	_, _ = rand.Read(image)
	_, err := blobs.Put(ctx, key, bytes.NewReader(image), "image/png")
	require.NoError(t, err)
	up, err := q.CreateUpload(ctx, db.NewUpload{ID: id, UserID: s.user.ID, CourseID: courseID, OriginalFilename: "IMG_0001.png", Title: title,
		Pages: []db.NewPage{{BlobKey: key, ContentType: "image/png", ByteSize: int64(len(image)),
			SHA256: fmt.Sprintf("%064x", len(image)), ImageWidth: 640, ImageHeight: 480}}})
	require.NoError(t, err)
	docID, err := q.InsertDocument(ctx, db.NewDocument{UserID: s.user.ID, CourseID: courseID, UploadID: up.ID,
		Title: title, OriginalText: "original " + title, FormattedNote: "# " + title + "\n\nSome words.",
		Excerpt: "Some words.", ImagePath: key, ProcessingTime: 1.5, Metadata: map[string]any{"wordCount": 2.0}})
	require.NoError(t, err)
	s.docs = append(s.docs, docID)
	s.keys = append(s.keys, key)
	s.content[key] = image
	return docID, key
}
