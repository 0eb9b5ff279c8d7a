package db

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/pgtest"
)

func TestBackupKeepsDeletionsOut(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := pgtest.Migrated(t)

	releaseDeleter, ok, err := LockDeletions(ctx, pool)
	require.NoError(t, err)
	require.True(t, ok)
	releaseOther, ok, err := LockDeletions(ctx, pool)
	require.NoError(t, err)
	require.True(t, ok, "deleters share the lock")
	releaseDeleter()
	releaseOther()

	releaseBackup, err := LockForBackup(ctx, pool)
	require.NoError(t, err)
	_, ok, err = LockDeletions(ctx, pool)
	require.NoError(t, err)
	require.False(t, ok, "no deletions while a backup archives blobs")
	releaseBackup()

	release, ok, err := LockDeletions(ctx, pool)
	require.NoError(t, err)
	require.True(t, ok)
	release()
}
