// Package storagetest checks that a storage.Store behaves as package storage
// documents. Each backend's tests run RunSuite against it.
package storagetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/storage"
)

// errSource is the error failingReader returns.
var errSource = errors.New("source failed")

// RunSuite runs the behaviour every Store must have as parallel subtests of t.
// newStore is called once per subtest and must return an empty store that is
// cleaned up through t.
func RunSuite(t *testing.T, newStore func(t *testing.T) storage.Store) {
	for _, b := range behaviours {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			b.test(t, newStore(t))
		})
	}
}

// behaviours are the suite's subtests, each given a new empty store.
var behaviours = []struct {
	name string
	test func(t *testing.T, s storage.Store)
}{
	{"RoundTrip", testRoundTrip},
	{"Empty", testEmpty},
	{"Stat", testStat},
	{"Overwrite", testOverwrite},
	{"FailedPutKeepsOldBlob", testFailedPutKeepsOldBlob},
	{"Missing", testMissing},
	{"Delete", testDelete},
	{"DeleteMissing", testDeleteMissing},
	{"List", testList},
	{"LargeStreamOfUnknownLength", testLargeStreamOfUnknownLength},
	{"OSPipe", testOSPipe},
	{"ConcurrentWritersSameKey", testConcurrentWritersSameKey},
	{"ConcurrentWritersDistinctKeys", testConcurrentWritersDistinctKeys},
	{"InvalidKeys", testInvalidKeys},
	{"ContextCancelled", testContextCancelled},
	{"ContextCancelledMidStream", testContextCancelledMidStream},
}

func testRoundTrip(t *testing.T, s storage.Store) {
	ctx := t.Context()
	const key = "roundtrip/page.png"
	data := randomBytes(1, 100<<10)

	put, err := s.Put(ctx, key, bytes.NewReader(data), "image/png")
	require.NoError(t, err)
	require.Equal(t, key, put.Key)
	require.EqualValues(t, len(data), put.Size)
	require.Equal(t, "image/png", put.ContentType)
	require.NotEmpty(t, put.ETag)
	require.NotContains(t, put.ETag, `"`)
	require.WithinDuration(t, time.Now(), put.ModTime, time.Minute)

	got := requireContent(t, s, key, data)
	require.Equal(t, put.ContentType, got.ContentType)
	require.Equal(t, put.ETag, got.ETag)
}

func testEmpty(t *testing.T, s storage.Store) {
	ctx := t.Context()
	const key = "empty/note.txt"

	put, err := s.Put(ctx, key, strings.NewReader(""), "text/plain")
	require.NoError(t, err)
	require.Zero(t, put.Size)
	requireContent(t, s, key, nil)
}

func testStat(t *testing.T, s storage.Store) {
	ctx := t.Context()
	const key = "stat/page.png"

	put, err := s.Put(ctx, key, bytes.NewReader(randomBytes(2, 1000)), "image/png")
	require.NoError(t, err)
	info, err := s.Stat(ctx, key)
	require.NoError(t, err)
	require.Equal(t, key, info.Key)
	require.EqualValues(t, 1000, info.Size)
	require.Equal(t, "image/png", info.ContentType)
	require.Equal(t, put.ETag, info.ETag)
	require.WithinDuration(t, time.Now(), info.ModTime, time.Minute)
}

func testOverwrite(t *testing.T, s storage.Store) {
	ctx := t.Context()
	const key = "overwrite/page.png"
	first, second := randomBytes(3, 5000), randomBytes(4, 3000)

	put1, err := s.Put(ctx, key, bytes.NewReader(first), "image/png")
	require.NoError(t, err)
	put2, err := s.Put(ctx, key, bytes.NewReader(second), "image/png")
	require.NoError(t, err)
	require.NotEqual(t, put1.ETag, put2.ETag)
	requireContent(t, s, key, second)
}

func testFailedPutKeepsOldBlob(t *testing.T, s storage.Store) {
	ctx := t.Context()
	const key = "failed/backup.dump"
	old := randomBytes(5, 4000)

	_, err := s.Put(ctx, key, bytes.NewReader(old), "")
	require.NoError(t, err)
	_, err = s.Put(ctx, key, &failingReader{r: bytes.NewReader(randomBytes(6, 1<<20)), after: 64 << 10}, "")
	require.ErrorIs(t, err, errSource)
	requireContent(t, s, key, old)
}

func testMissing(t *testing.T, s storage.Store) {
	ctx := t.Context()
	const key = "missing/page.png"

	_, _, err := s.Get(ctx, key)
	require.ErrorIs(t, err, storage.ErrNotFound)
	_, err = s.Stat(ctx, key)
	require.ErrorIs(t, err, storage.ErrNotFound)
	infos, err := s.List(ctx, "missing/")
	require.NoError(t, err)
	require.Empty(t, infos)
}

func testDelete(t *testing.T, s storage.Store) {
	ctx := t.Context()
	const key = "delete/page.png"

	_, err := s.Put(ctx, key, strings.NewReader("doomed"), "image/png")
	require.NoError(t, err)
	require.NoError(t, s.Delete(ctx, key))
	_, _, err = s.Get(ctx, key)
	require.ErrorIs(t, err, storage.ErrNotFound)
	_, err = s.Stat(ctx, key)
	require.ErrorIs(t, err, storage.ErrNotFound)
	require.NoError(t, s.Delete(ctx, key), "second delete")
}

func testDeleteMissing(t *testing.T, s storage.Store) {
	require.NoError(t, s.Delete(t.Context(), "delete-missing/never.png"))
}

func testList(t *testing.T, s storage.Store) {
	ctx := t.Context()
	// "-" sorts before "/", so key order is not directory-walk order.
	keys := []string{"list/b.txt", "list/a/x.txt", "list/a-c.txt", "list/ab/y.txt", "list-sibling.txt"}
	for i, key := range keys {
		_, err := s.Put(ctx, key, strings.NewReader(key), "text/plain")
		require.NoError(t, err, "put %d", i)
	}

	require.Equal(t, []string{"list/a-c.txt", "list/a/x.txt", "list/ab/y.txt", "list/b.txt"}, listKeys(t, s, "list/"))
	require.Equal(t, []string{"list/a-c.txt", "list/a/x.txt", "list/ab/y.txt"}, listKeys(t, s, "list/a"))
	require.Equal(t, []string{"list/a/x.txt"}, listKeys(t, s, "list/a/"))
	require.Equal(t, []string{"list-sibling.txt", "list/a-c.txt", "list/a/x.txt", "list/ab/y.txt", "list/b.txt"}, listKeys(t, s, ""))
	require.Empty(t, listKeys(t, s, "list/c"))

	infos, err := s.List(ctx, "list/b")
	require.NoError(t, err)
	require.Len(t, infos, 1)
	require.EqualValues(t, len("list/b.txt"), infos[0].Size)
	require.NotEmpty(t, infos[0].ETag)
	require.WithinDuration(t, time.Now(), infos[0].ModTime, time.Minute)
}

func testLargeStreamOfUnknownLength(t *testing.T, s storage.Store) {
	ctx := t.Context()
	const key, size, seed = "large/backup.dump", 24 << 20, 7

	pr, pw := io.Pipe()
	go func() {
		_, err := io.Copy(pw, randomReader(seed, size))
		pw.CloseWithError(err)
	}()
	put, err := s.Put(ctx, key, pr, "application/octet-stream")
	_ = pr.Close() // unblocks the writer if Put failed midway
	require.NoError(t, err)
	require.EqualValues(t, size, put.Size)

	rc, info, err := s.Get(ctx, key)
	require.NoError(t, err)
	require.EqualValues(t, size, info.Size)
	require.Equal(t, digest(t, randomReader(seed, size)), digest(t, rc))
	require.NoError(t, rc.Close())
}

func testOSPipe(t *testing.T, s storage.Store) {
	ctx := t.Context()
	const key = "pipe/backup.dump"
	data := randomBytes(9, 256<<10)

	// exec.Cmd.StdoutPipe hands over such an *os.File, whose Seek fails.
	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	go func() {
		// A failed write shows as a failed Put or wrong content below.
		_, _ = pw.Write(data)
		_ = pw.Close()
	}()
	_, err = s.Put(ctx, key, pr, "")
	_ = pr.Close() // unblocks the writer if Put failed midway
	require.NoError(t, err)
	requireContent(t, s, key, data)
}

func testConcurrentWritersSameKey(t *testing.T, s storage.Store) {
	ctx := t.Context()
	const key = "concurrent/same.bin"
	var bodies [8][]byte
	for i := range bodies {
		bodies[i] = randomBytes(byte(10+i), 256<<10)
	}

	var wg sync.WaitGroup
	for _, body := range bodies {
		wg.Go(func() {
			_, err := s.Put(ctx, key, bytes.NewReader(body), "")
			assert.NoError(t, err)
		})
	}
	wg.Wait()

	rc, _, err := s.Get(ctx, key)
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	for _, body := range bodies {
		if bytes.Equal(got, body) {
			return
		}
	}
	t.Fatalf("stored blob (%d bytes) matches none of the %d bodies written", len(got), len(bodies))
}

func testConcurrentWritersDistinctKeys(t *testing.T, s storage.Store) {
	ctx := t.Context()
	const writers = 16
	key := func(i int) string { return fmt.Sprintf("distinct/%02d.bin", i) }
	body := func(i int) []byte { return randomBytes(byte(20+i), 64<<10) }

	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			_, err := s.Put(ctx, key(i), bytes.NewReader(body(i)), "")
			assert.NoError(t, err)
		})
	}
	wg.Wait()

	require.Len(t, listKeys(t, s, "distinct/"), writers)
	for i := range writers {
		requireContent(t, s, key(i), body(i))
	}
}

func testInvalidKeys(t *testing.T, s storage.Store) {
	ctx := t.Context()
	keys := []string{
		"", ".", "..", "../x", "/abs", "a/../../b", "a/./b", "a//b", "a/",
		".hidden", "a/.tmp-x", `a\b`, "a\x00b", "\xff", strings.Repeat("k", 1025),
	}
	for _, key := range keys {
		_, err := s.Put(ctx, key, strings.NewReader("x"), "")
		require.ErrorIs(t, err, storage.ErrInvalidKey, "Put %q", key)
		_, _, err = s.Get(ctx, key)
		require.ErrorIs(t, err, storage.ErrInvalidKey, "Get %q", key)
		_, err = s.Stat(ctx, key)
		require.ErrorIs(t, err, storage.ErrInvalidKey, "Stat %q", key)
		require.ErrorIs(t, s.Delete(ctx, key), storage.ErrInvalidKey, "Delete %q", key)
	}
	for _, prefix := range []string{"../", "/abs", "a//"} {
		_, err := s.List(ctx, prefix)
		require.ErrorIs(t, err, storage.ErrInvalidKey, "List %q", prefix)
	}
}

func testContextCancelled(t *testing.T, s storage.Store) {
	const key = "cancelled/backup.dump"
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	_, err := s.Put(ctx, key, strings.NewReader("never stored"), "")
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.List(ctx, "")
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.Stat(t.Context(), key)
	require.ErrorIs(t, err, storage.ErrNotFound)
}

func testContextCancelledMidStream(t *testing.T, s storage.Store) {
	const key = "cancelled/stream.dump"
	ctx, cancel := context.WithCancel(t.Context())
	r := &failingReader{r: bytes.NewReader(randomBytes(8, 1<<20)), after: 64 << 10, cancel: cancel}

	_, err := s.Put(ctx, key, r, "")
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.Stat(t.Context(), key)
	require.ErrorIs(t, err, storage.ErrNotFound)
}

// RunPutBenchmark measures Put of 1 MiB and 8 MiB bodies whose length is
// unknown, as an HTTP upload or a pipe delivers them.
func RunPutBenchmark(b *testing.B, s storage.Store) {
	for _, size := range []int{1 << 20, 8 << 20} {
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			data := randomBytes(1, size)
			b.SetBytes(int64(size))
			for i := 0; b.Loop(); i++ {
				key := fmt.Sprintf("bench/%dMiB/%d.bin", size>>20, i)
				if _, err := s.Put(b.Context(), key, struct{ io.Reader }{bytes.NewReader(data)}, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// requireContent checks that the blob under key holds exactly want, and
// returns its Info.
func requireContent(t *testing.T, s storage.Store, key string, want []byte) storage.Info {
	t.Helper()
	rc, info, err := s.Get(t.Context(), key)
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	require.Equal(t, key, info.Key)
	require.EqualValues(t, len(want), info.Size)
	require.True(t, bytes.Equal(want, got), "content of %q differs: got %d bytes, want %d", key, len(got), len(want))
	return info
}

func listKeys(t *testing.T, s storage.Store, prefix string) []string {
	t.Helper()
	infos, err := s.List(t.Context(), prefix)
	require.NoError(t, err)
	keys := make([]string, 0, len(infos))
	for _, info := range infos {
		keys = append(keys, info.Key)
	}
	return keys
}

// randomReader returns size pseudo-random bytes, the same for the same seed.
func randomReader(seed byte, size int64) io.Reader {
	return io.LimitReader(rand.NewChaCha8([32]byte{seed}), size)
}

func randomBytes(seed byte, size int) []byte {
	b, _ := io.ReadAll(randomReader(seed, int64(size)))
	return b
}

func digest(t *testing.T, r io.Reader) [sha256.Size]byte {
	t.Helper()
	h := sha256.New()
	_, err := io.Copy(h, r)
	require.NoError(t, err)
	return [sha256.Size]byte(h.Sum(nil))
}

// failingReader reads from r until after bytes have been read. Then it calls
// cancel, if set, and otherwise fails with errSource.
type failingReader struct {
	r      io.Reader
	after  int
	cancel context.CancelFunc
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.after <= 0 {
		if f.cancel != nil {
			f.cancel()
			return f.r.Read(p)
		}
		return 0, errSource
	}
	n, err := f.r.Read(p[:min(len(p), f.after)])
	f.after -= n
	return n, err
}
