package storage_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/storage"
	"github.com/snapnote/snapnote/storage/storagetest"
)

func newLocal(t testing.TB, dir string) *storage.Local {
	t.Helper()
	l, err := storage.NewLocal(dir)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, l.Close()) })
	return l
}

func TestLocal(t *testing.T) {
	t.Parallel()
	storagetest.RunSuite(t, func(t *testing.T) storage.Store {
		return newLocal(t, t.TempDir())
	})
}

func TestNewLocalCreatesRoot(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "blobs", "nested")
	newLocal(t, dir)

	fi, err := os.Stat(dir)
	require.NoError(t, err)
	require.True(t, fi.IsDir())
	require.Zero(t, fi.Mode().Perm()&^0o750, "mode %v", fi.Mode())
}

func TestLocalFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l, ctx := newLocal(t, dir), t.Context()
	const key = "uploads/u1/p1.png"

	_, err := l.Put(ctx, key, strings.NewReader("png"), "")
	require.NoError(t, err)

	fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(key)))
	require.NoError(t, err)
	require.Zero(t, fi.Mode().Perm()&^0o640, "file mode %v", fi.Mode())
	fi, err = os.Stat(filepath.Join(dir, "uploads", "u1"))
	require.NoError(t, err)
	require.Zero(t, fi.Mode().Perm()&^0o750, "directory mode %v", fi.Mode())

	rc, info, err := l.Get(ctx, key)
	require.NoError(t, err)
	require.IsType(t, &os.File{}, rc, "Get must return a seekable file for http.ServeContent")
	require.NoError(t, rc.Close())
	require.Equal(t, "image/png", info.ContentType, "content type comes from the extension")
}

func TestLocalFailedPutLeavesNoTempFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l, ctx := newLocal(t, dir), t.Context()

	errBroken := errors.New("pg_dump failed")
	_, err := l.Put(ctx, "backups/1.dump", io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(errBroken)), "")
	require.ErrorIs(t, err, errBroken)

	entries, err := os.ReadDir(filepath.Join(dir, "backups"))
	require.NoError(t, err)
	require.Empty(t, entries)
}

func TestLocalListSkipsLeftoverTempFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l, ctx := newLocal(t, dir), t.Context()

	_, err := l.Put(ctx, "backups/1.dump", strings.NewReader("dump"), "")
	require.NoError(t, err)
	// What a crash between create and rename leaves behind.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "backups", ".tmp-CRASHED"), []byte("du"), 0o640))

	infos, err := l.List(ctx, "")
	require.NoError(t, err)
	require.Len(t, infos, 1)
	require.Equal(t, "backups/1.dump", infos[0].Key)
}

func TestLocalSymlinkCannotEscapeRoot(t *testing.T) {
	t.Parallel()
	dir, outside := t.TempDir(), t.TempDir()
	l, ctx := newLocal(t, dir), t.Context()
	secret := filepath.Join(outside, "secret.txt")
	require.NoError(t, os.WriteFile(secret, []byte("secret"), 0o600))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "evil")))

	_, _, err := l.Get(ctx, "evil/secret.txt")
	require.Error(t, err)
	_, err = l.Stat(ctx, "evil/secret.txt")
	require.Error(t, err)
	require.Error(t, l.Delete(ctx, "evil/secret.txt"))
	require.FileExists(t, secret)

	_, err = l.Put(ctx, "evil/planted.txt", strings.NewReader("planted"), "")
	require.Error(t, err)
	require.NoFileExists(t, filepath.Join(outside, "planted.txt"))

	infos, err := l.List(ctx, "")
	require.NoError(t, err)
	require.Empty(t, infos)
}

func BenchmarkLocalPut(b *testing.B) {
	storagetest.RunPutBenchmark(b, newLocal(b, b.TempDir()))
}

// Deleting a folder's last blob removes the folders it leaves empty (a
// deleted account leaves no folder named after it), never the root, and a
// Put racing with it into the same folder still lands.
func TestLocalDeleteRemovesEmptyFolders(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	l := newLocal(t, dir)
	for _, key := range []string{"uploads/alice/1-p1.png", "uploads/alice/2-p1.png", "uploads/bob/1-p1.png"} {
		_, err := l.Put(ctx, key, strings.NewReader("x"), "")
		require.NoError(t, err)
	}
	require.NoError(t, l.Delete(ctx, "uploads/alice/1-p1.png"))
	require.DirExists(t, filepath.Join(dir, "uploads", "alice"), "a folder with a blob left stays")
	require.NoError(t, l.Delete(ctx, "uploads/alice/2-p1.png"))
	require.NoDirExists(t, filepath.Join(dir, "uploads", "alice"))
	require.DirExists(t, filepath.Join(dir, "uploads", "bob"))
	require.NoError(t, l.Delete(ctx, "uploads/bob/1-p1.png"))
	require.NoDirExists(t, filepath.Join(dir, "uploads"))
	require.DirExists(t, dir)

	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 300 {
			_, _ = l.Put(ctx, "uploads/carol/gone.png", strings.NewReader("x"), "")
			_ = l.Delete(ctx, "uploads/carol/gone.png")
		}
	}()
	for i := range 300 {
		_, err := l.Put(ctx, "uploads/carol/kept-"+strconv.Itoa(i)+".png", strings.NewReader("x"), "")
		require.NoError(t, err)
		require.NoError(t, l.Delete(ctx, "uploads/carol/kept-"+strconv.Itoa(i)+".png"))
	}
	<-done
}
