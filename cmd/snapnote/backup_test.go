package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/pgtest"
)

func TestBackupListAndRestoreCommands(t *testing.T) {
	t.Parallel()
	_, url := pgtest.Empty(t)
	env := map[string]string{"DATABASE_URL": url, "DATA_DIR": t.TempDir()}
	_, _, err := program(t, env, "migrate", "up")
	require.NoError(t, err)

	out, _, err := program(t, env, "backup", "list")
	require.NoError(t, err)
	require.Contains(t, out, "no backups yet")

	out, _, err = program(t, env, "backup")
	require.NoError(t, err)
	require.Regexp(t, `^backup backups/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{6}Z-[0-9a-f]{8}/: `, out)

	out, _, err = program(t, env, "backup", "list")
	require.NoError(t, err)
	require.Regexp(t, `(?m)^KEY +TIME +SIZE +BLOBS +SCHEMA \(APP/RIVER\)`, out)
	require.Regexp(t, `(?m)^backups/\S+ +\S+ +[\d.]+ KiB +0 +\d+/\d+ `, out)

	_, _, err = program(t, env, "restore")
	require.ErrorContains(t, err, "pass --force")
	out, _, err = program(t, env, "restore", "--force")
	require.NoError(t, err)
	require.Contains(t, out, "restored backups/")

	_, _, err = program(t, env, "restore", "one", "two")
	require.ErrorContains(t, err, "at most one backup")
	_, _, err = program(t, env, "backup", "now")
	require.ErrorContains(t, err, "usage: snapnote backup [list]")
}

func TestFormatBytes(t *testing.T) {
	t.Parallel()
	require.Equal(t, "512 B", formatBytes(512))
	require.Equal(t, "1.5 KiB", formatBytes(1536))
	require.Equal(t, "37.2 MiB", formatBytes(39038365))
}
