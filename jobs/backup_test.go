package jobs_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/backup"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/jobs"
	"github.com/snapnote/snapnote/migrations"
	"github.com/snapnote/snapnote/storage"
)

// tableDumps returns the rows of every table but River's working ones
// (jobs, leader, queues change as the backup job runs), as JSON in a stable
// order.
func tableDumps(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	ctx := t.Context()
	rows, err := pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'
		AND (tablename NOT LIKE 'river\_%' OR tablename = 'river_migration') ORDER BY tablename`)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Contains(t, tables, "documents")
	out := map[string]string{}
	for _, table := range tables {
		var dump string
		require.NoError(t, pool.QueryRow(ctx, `SELECT coalesce(json_agg(t ORDER BY t::text), '[]')::text FROM `+
			pgx.Identifier{table}.Sanitize()+` t`).Scan(&dump))
		out[table] = dump
	}
	return out
}

func TestBackupRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := pgtest.Migrated(t)
	dir := t.TempDir()
	blobs, err := storage.NewLocal(dir)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, blobs.Close()) })

	alice := seedUser(t, pool, blobs, "alice", 3)
	bob := seedUser(t, pool, blobs, "bob", 2)
	q := db.New(pool)
	_, _, err = q.SetDocumentStatus(ctx, bob.user.ID, bob.docs[0], "trash")
	require.NoError(t, err)
	require.NoError(t, q.InsertAudit(ctx, db.AuditEntry{UserID: &alice.user.ID, Action: db.AuditCreate, EntityType: db.EntityCourse,
		EntityID: alice.course.ID, Changes: map[string]any{"name": "Course of alice"}}))

	manager := backup.New(backup.Config{Pool: pool, DatabaseURL: pool.Config().ConnString(), Blobs: blobs,
		IncludeBlobs: true, Keep: 3, Logger: discard()})
	client, events := startClient(t, pool, func(w *river.Workers) {
		river.AddWorker(w, &jobs.BackupWorker{Backups: manager, Logger: discard()})
	})
	_, err = client.Insert(ctx, queue.BackupArgs{}, nil)
	require.NoError(t, err)
	ev := waitFor(t, events, "backup")
	require.Equal(t, river.EventKindJobCompleted, ev.Kind, "backup job: %v", ev.Job.Errors)
	want := tableDumps(t, pool)
	require.Contains(t, want["documents"], "Note 2 of alice")
	require.Contains(t, want["audit_logs"], "Course of alice")

	all, err := manager.List(ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
	man := all[0]
	require.Equal(t, 5, man.BlobCount)
	mig, err := migrations.New(pool, discard())
	require.NoError(t, err)
	st, err := mig.Status(ctx)
	require.NoError(t, err)
	require.Equal(t, st.AppVersion, man.AppSchema)
	require.Equal(t, st.RiverVersion, man.RiverSchema)
	require.NotEmpty(t, man.PgDumpVersion)
	require.Len(t, man.Dump.SHA256, 64)

	// Lose everything: a new empty database, and no uploaded images.
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "uploads")))
	target, targetURL := pgtest.Empty(t)
	restorer := backup.New(backup.Config{Pool: target, DatabaseURL: targetURL, Blobs: blobs, Logger: discard()})
	_, err = restorer.Restore(ctx, "", false)
	require.NoError(t, err)

	require.Equal(t, want, tableDumps(t, target), "every row is back")
	for _, s := range []seed{alice, bob} {
		for key, image := range s.content {
			rc, _, err := blobs.Get(ctx, key)
			require.NoError(t, err, key)
			got, err := io.ReadAll(rc)
			require.NoError(t, err)
			require.NoError(t, rc.Close())
			require.Equal(t, image, got, key)
		}
	}

	mig, err = migrations.New(target, discard())
	require.NoError(t, err)
	require.NoError(t, mig.Check(ctx))
	doc, err := db.New(target).DocumentByID(ctx, alice.user.ID, alice.docs[1])
	require.NoError(t, err)
	require.Equal(t, "Note 1 of alice", doc.Title)
	hits, err := db.New(target).SearchDocuments(ctx, alice.user.ID, db.SearchParams{Query: "note", Sort: db.SortRelevance, Limit: 10})
	require.NoError(t, err)
	require.Len(t, hits, 3, "full-text search works on the restored database")
}
