package storage_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/faultproxy"
	"github.com/snapnote/snapnote/storage"
	"github.com/snapnote/snapnote/storage/storagetest"
)

// An S3 server that stops answering makes every call fail with
// ErrUnavailable (and a missing key is still ErrNotFound, not an outage);
// when it is back the same store works again.
func TestS3OutageIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := storagetest.NewFakeS3Server(t)
	proxy, err := faultproxy.Start(strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = proxy.Close() })
	s := storagetest.NewS3At(t, "http://"+proxy.Addr())

	require.NoError(t, s.Check(ctx))
	require.NoError(t, storage.Check(ctx, s))
	_, err = s.Put(ctx, "a/b", strings.NewReader("x"), "text/plain")
	require.NoError(t, err)
	_, err = s.Stat(ctx, "missing")
	require.ErrorIs(t, err, storage.ErrNotFound)
	require.NotErrorIs(t, err, storage.ErrUnavailable)

	proxy.Cut()
	_, err = s.Put(ctx, "a/c", strings.NewReader("x"), "text/plain")
	require.ErrorIs(t, err, storage.ErrUnavailable)
	_, _, err = s.Get(ctx, "a/b")
	require.ErrorIs(t, err, storage.ErrUnavailable)
	_, err = s.Stat(ctx, "a/b")
	require.ErrorIs(t, err, storage.ErrUnavailable)
	_, err = s.List(ctx, "a/")
	require.ErrorIs(t, err, storage.ErrUnavailable)
	require.ErrorIs(t, s.Delete(ctx, "a/b"), storage.ErrUnavailable)
	require.ErrorIs(t, s.Check(ctx), storage.ErrUnavailable)

	proxy.Restore()
	require.NoError(t, s.Check(ctx))
	_, err = s.Stat(ctx, "a/b")
	require.NoError(t, err)
}

// A local store whose root is gone is unavailable; one that is there is
// fine, and a store without Check of its own is checked through Stat.
func TestLocalCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, storage.Check(ctx, s))
	require.NoError(t, storage.Check(ctx, statOnly{s}))
	require.NoError(t, s.Close())
	err = s.Check(ctx)
	require.ErrorIs(t, err, storage.ErrUnavailable)
	require.False(t, errors.Is(err, storage.ErrNotFound))
}

// statOnly hides a store's Check.
type statOnly struct{ storage.Store }
