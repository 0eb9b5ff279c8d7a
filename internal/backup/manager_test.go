package backup_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/backup"
	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/migrations"
	"github.com/snapnote/snapnote/storage"
	"github.com/snapnote/snapnote/storage/storagetest"
)

type testBundle struct {
	pool  *pgxpool.Pool
	url   string
	blobs storage.Store
	dir   string
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// setup returns a migrated database with a user in it, and local blob
// storage in a temporary directory.
func setup(t *testing.T) testBundle {
	t.Helper()
	pool := pgtest.Migrated(t)
	_, err := pool.Exec(t.Context(), `INSERT INTO users (auth0_user_id, email, name) VALUES ('alice', 'a@example.com', 'Alice')`)
	require.NoError(t, err)
	dir := t.TempDir()
	blobs, err := storage.NewLocal(dir)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, blobs.Close()) })
	return testBundle{pool: pool, url: pool.Config().ConnString(), blobs: blobs, dir: dir}
}

func (b testBundle) manager(cfg backup.Config) *backup.Manager {
	cfg.Pool, cfg.DatabaseURL, cfg.Logger = b.pool, b.url, discard()
	if cfg.Blobs == nil {
		cfg.Blobs = b.blobs
	}
	return backup.New(cfg)
}

// empty returns a bundle for a new empty database sharing b's blobs.
func (b testBundle) empty(t *testing.T) testBundle {
	pool, url := pgtest.Empty(t)
	return testBundle{pool: pool, url: url, blobs: b.blobs, dir: b.dir}
}

func userNames(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	var names []string
	rows, err := pool.Query(t.Context(), `SELECT name FROM users ORDER BY name`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		names = append(names, n)
	}
	require.NoError(t, rows.Err())
	return names
}

func TestRestoreRefusesNonEmptyDatabaseWithoutForce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	m := b.manager(backup.Config{})
	man, err := m.Backup(ctx)
	require.NoError(t, err)

	_, err = b.pool.Exec(ctx, `UPDATE users SET name = 'Changed since'`)
	require.NoError(t, err)
	_, err = m.Restore(ctx, "", false)
	require.ErrorIs(t, err, backup.ErrNotEmpty)
	require.ErrorContains(t, err, "--force")
	require.Equal(t, []string{"Changed since"}, userNames(t, b.pool), "a refused restore changes nothing")

	got, err := m.Restore(ctx, man.ID, true)
	require.NoError(t, err)
	require.Equal(t, man.ID, got.ID)
	require.Equal(t, []string{"Alice"}, userNames(t, b.pool), "--force replaces the rows with the backup's")
}

func TestRestoreRejectsACorruptDumpAndLeavesTheDatabaseAlone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	man, err := b.manager(backup.Config{}).Backup(ctx)
	require.NoError(t, err)

	// Flip one byte near the end of the dump, where pg_restore reads it last.
	path := filepath.Join(b.dir, filepath.FromSlash(man.Dump.Key))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	data[len(data)-10] ^= 0xff
	require.NoError(t, os.WriteFile(path, data, 0o640))

	target := b.empty(t)
	_, err = target.manager(backup.Config{}).Restore(ctx, man.Prefix(), false)
	require.ErrorContains(t, err, "does not match its manifest")
	var tables int
	require.NoError(t, target.pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables))
	require.Zero(t, tables, "the restore's transaction rolled back")
}

func TestRestoreFromLocalFile(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	man, err := b.manager(backup.Config{}).Backup(ctx)
	require.NoError(t, err)

	// A dump copied out of storage on its own, without its manifest.
	file := filepath.Join(t.TempDir(), "snapnote.dump")
	data, err := os.ReadFile(filepath.Join(b.dir, filepath.FromSlash(man.Dump.Key)))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, data, 0o600))

	target := b.empty(t)
	_, err = target.manager(backup.Config{}).Restore(ctx, file, false)
	require.NoError(t, err)
	require.Equal(t, []string{"Alice"}, userNames(t, target.pool))
}

func TestRestoreUnknownBackup(t *testing.T) {
	t.Parallel()
	b := setup(t)
	m := b.manager(backup.Config{})
	_, err := m.Restore(t.Context(), "", false)
	require.ErrorIs(t, err, backup.ErrNoBackup)
	_, err = m.Restore(t.Context(), "2020-01-01T00-00-00Z", false)
	require.ErrorIs(t, err, backup.ErrNoBackup)
	_, err = m.Restore(t.Context(), "no-such-file.dump", false)
	require.ErrorIs(t, err, backup.ErrNoBackup)
}

func TestBackupKeepsTheNewest(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	put := func(key, body string) {
		_, err := b.blobs.Put(ctx, key, strings.NewReader(body), "")
		require.NoError(t, err)
	}
	for _, id := range []string{"2020-01-01T00-00-00Z", "2020-01-02T00-00-00Z"} {
		body, err := json.Marshal(backup.Manifest{Format: 1, ID: id})
		require.NoError(t, err)
		put("backups/"+id+"/manifest.json", string(body))
		put("backups/"+id+"/db.dump", "old dump")
	}
	put("backups/2019-12-31T00-00-00Z/db.dump", "unfinished")

	m := b.manager(backup.Config{Keep: 2})
	man, err := m.Backup(ctx)
	require.NoError(t, err)
	all, err := m.List(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2)
	require.Equal(t, []string{man.ID, "2020-01-02T00-00-00Z"}, []string{all[0].ID, all[1].ID})

	infos, err := b.blobs.List(ctx, "backups/2019")
	require.NoError(t, err)
	require.Empty(t, infos, "an unfinished backup older than the kept ones goes too")
	infos, err = b.blobs.List(ctx, "backups/2020-01-01")
	require.NoError(t, err)
	require.Empty(t, infos)
}

func TestBackupFailsClearlyWithoutLeavingParts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	m := backup.New(backup.Config{Pool: b.pool, DatabaseURL: strings.Replace(b.url, "/snapnote_test_", "/missing_", 1), Blobs: b.blobs, Logger: discard()})
	_, err := m.Backup(ctx)
	require.ErrorContains(t, err, "pg_dump")
	require.ErrorContains(t, err, "does not exist")
	infos, err := b.blobs.List(ctx, "backups/")
	require.NoError(t, err)
	require.Empty(t, infos)
}

func TestBackupAndRestoreThroughS3(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	s3 := storagetest.NewFakeS3(t)
	m := b.manager(backup.Config{Blobs: s3})
	man, err := m.Backup(ctx)
	require.NoError(t, err)
	require.Nil(t, man.Blobs, "S3 uploads are not archived")

	rc, _, err := s3.Get(ctx, man.Dump.Key)
	require.NoError(t, err)
	dump, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	require.True(t, bytes.HasPrefix(dump, []byte("PGDMP")), "a pg_dump custom-format archive")

	target := b.empty(t)
	_, err = target.manager(backup.Config{Blobs: s3}).Restore(ctx, "", false)
	require.NoError(t, err)
	require.Equal(t, []string{"Alice"}, userNames(t, target.pool))
	mig, err := migrations.New(target.pool, discard())
	require.NoError(t, err)
	require.NoError(t, mig.Check(ctx))
}

// A manual backup started in the same second as the scheduled one, or even in the same microsecond, gets an id
// of its own; ids sort by time, an id in the older second-only layout among them, and each restores.
func TestBackupsInTheSameSecond(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	at := func(m *backup.Manager, ts string) *backup.Manager {
		start, err := time.Parse(time.RFC3339Nano, ts)
		require.NoError(t, err)
		backup.SetNow(m, func() time.Time { return start })
		return m
	}
	ids := func() []string {
		all, err := b.manager(backup.Config{}).List(ctx)
		require.NoError(t, err)
		var out []string
		for _, man := range all {
			out = append(out, man.ID)
		}
		return out
	}

	scheduled, err := at(b.manager(backup.Config{Keep: 3}), "2026-11-27T03:00:00.25Z").Backup(ctx)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(scheduled.ID, "2026-11-27T03-00-00.250000Z-"), scheduled.ID)

	// A backup made by an earlier build, named by its second, which sorts before the one made later in it.
	const legacy = "2026-11-27T03-00-00Z"
	dump, _, err := b.blobs.Get(ctx, scheduled.Dump.Key)
	require.NoError(t, err)
	_, err = b.blobs.Put(ctx, "backups/"+legacy+"/db.dump", dump, "")
	require.NoError(t, err)
	require.NoError(t, dump.Close())
	legacyMan := scheduled
	legacyMan.ID, legacyMan.Blobs, legacyMan.Dump.Key = legacy, nil, "backups/"+legacy+"/db.dump"
	body, err := json.Marshal(legacyMan)
	require.NoError(t, err)
	_, err = b.blobs.Put(ctx, "backups/"+legacy+"/manifest.json", bytes.NewReader(body), "")
	require.NoError(t, err)
	require.Equal(t, []string{scheduled.ID, legacy}, ids())
	target := b.empty(t)
	restored, err := target.manager(backup.Config{}).Restore(ctx, legacy, false)
	require.NoError(t, err)
	require.Equal(t, legacy, restored.ID)
	require.Equal(t, []string{"Alice"}, userNames(t, target.pool))

	manual, err := at(b.manager(backup.Config{Keep: 3}), "2026-11-27T03:00:00.75Z").Backup(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{manual.ID, scheduled.ID, legacy}, ids())

	sameInstant, err := at(b.manager(backup.Config{Keep: 3}), "2026-11-27T03:00:00.75Z").Backup(ctx)
	require.NoError(t, err)
	require.NotEqual(t, manual.ID, sameInstant.ID)
	got := ids()
	require.Len(t, got, 3, "Keep 3: the oldest, the second-only one, is pruned")
	require.ElementsMatch(t, []string{manual.ID, sameInstant.ID}, got[:2])
	require.Equal(t, scheduled.ID, got[2])

	for _, id := range []string{sameInstant.ID, "backups/" + scheduled.ID + "/"} {
		target := b.empty(t)
		restored, err := target.manager(backup.Config{}).Restore(ctx, id, false)
		require.NoError(t, err)
		require.Equal(t, strings.TrimSuffix(strings.TrimPrefix(id, "backups/"), "/"), restored.ID)
		require.Equal(t, []string{"Alice"}, userNames(t, target.pool))
	}
}
