package intake_test

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/intake"
)

func TestRemoveStaleSpool(t *testing.T) {
	t.Parallel()
	stale, err := os.CreateTemp("", "snapnote-upload-*")
	require.NoError(t, err)
	require.NoError(t, stale.Close())
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(stale.Name(), old, old))
	fresh, err := os.CreateTemp("", "snapnote-upload-*")
	require.NoError(t, err)
	require.NoError(t, fresh.Close())
	t.Cleanup(func() { _ = os.Remove(fresh.Name()) })

	removed, err := intake.RemoveStaleSpool(10 * time.Minute)
	require.NoError(t, err)
	require.GreaterOrEqual(t, removed, 1)
	require.NoFileExists(t, stale.Name())
	require.FileExists(t, fresh.Name(), "an upload being received is left alone")
}
