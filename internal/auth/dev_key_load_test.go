package auth_test

import (
	"io/fs"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/auth"
)

func TestLoadDevKeyNeverCreatesOne(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := auth.LoadDevKey(dir)
	require.ErrorIs(t, err, fs.ErrNotExist)
	_, err = os.Stat(auth.DevKeyPath(dir))
	require.ErrorIs(t, err, fs.ErrNotExist, "no key was written")

	made, err := auth.LoadOrCreateDevKey(dir)
	require.NoError(t, err)
	loaded, err := auth.LoadDevKey(dir)
	require.NoError(t, err)
	require.Equal(t, made.JWKS().Keys[0].KeyID, loaded.JWKS().Keys[0].KeyID, "the same key")
}
