package storage_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/storage"
	"github.com/snapnote/snapnote/storage/storagetest"
)

const testBucket = "snapnote-test"

// fakeS3 is an in-process S3 server holding testBucket. It checks no
// signatures. When the test ends, it fails the test if any request carried a
// checksum: some S3-compatible servers mishandle them (see storage.S3).
type fakeS3 struct {
	url         string
	parts       atomic.Int64 // UploadPart requests served
	aborts      atomic.Int64 // AbortMultipartUpload requests served
	checksummed atomic.Int64 // requests with checksum headers or trailers
}

func newFakeS3(t testing.TB) *fakeS3 {
	t.Helper()
	backend := s3mem.New()
	require.NoError(t, backend.CreateBucket(testBucket))
	handler := gofakes3.New(backend).Server()
	f := &fakeS3{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Query().Has("partNumber"):
			f.parts.Add(1)
		case r.Method == http.MethodDelete && r.URL.Query().Has("uploadId"):
			f.aborts.Add(1)
		}
		for name := range r.Header {
			if strings.HasPrefix(name, "X-Amz-Checksum-") || name == "X-Amz-Sdk-Checksum-Algorithm" || name == "X-Amz-Trailer" {
				f.checksummed.Add(1)
			}
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		srv.Close()
		require.Zero(t, f.checksummed.Load(), "requests with checksums")
	})
	f.url = srv.URL
	return f
}

func (f *fakeS3) config() storage.S3Config {
	return storage.S3Config{
		Bucket:         testBucket,
		Endpoint:       f.url,
		ForcePathStyle: true,
		Credentials:    credentials.NewStaticCredentialsProvider("KEY", "SECRET", ""),
	}
}

func newS3(t testing.TB, cfg storage.S3Config) *storage.S3 {
	t.Helper()
	s, err := storage.NewS3(t.Context(), cfg)
	require.NoError(t, err)
	return s
}

func TestS3(t *testing.T) {
	t.Parallel()
	storagetest.RunSuite(t, func(t *testing.T) storage.Store {
		return newS3(t, newFakeS3(t).config())
	})
}

func TestS3UploadsLongBodiesInParts(t *testing.T) {
	t.Parallel()
	f := newFakeS3(t)
	cfg := f.config()
	cfg.PartSize = 5 << 20
	s, ctx := newS3(t, cfg), t.Context()

	// Exactly one part still fits a single PutObject.
	info, err := s.Put(ctx, "backups/one-part.dump", struct{ io.Reader }{strings.NewReader(strings.Repeat("x", 5<<20))}, "")
	require.NoError(t, err)
	require.EqualValues(t, 5<<20, info.Size)
	require.Zero(t, f.parts.Load())

	info, err = s.Put(ctx, "backups/three-parts.dump", struct{ io.Reader }{strings.NewReader(strings.Repeat("x", 12<<20))}, "")
	require.NoError(t, err)
	require.EqualValues(t, 12<<20, info.Size)
	require.EqualValues(t, 3, f.parts.Load())
}

func TestS3AbortsFailedMultipartUploads(t *testing.T) {
	t.Parallel()
	f := newFakeS3(t)
	cfg := f.config()
	cfg.PartSize = 5 << 20
	s := newS3(t, cfg)
	sevenMiB := strings.Repeat("x", 7<<20) // more than a part: the upload is multipart
	errSource := errors.New("pg_dump failed")

	_, err := s.Put(t.Context(), "backups/failed.dump", io.MultiReader(strings.NewReader(sevenMiB), iotest.ErrReader(errSource)), "")
	require.ErrorIs(t, err, errSource)
	require.EqualValues(t, 1, f.aborts.Load())

	// The abort must not use the cancelled context.
	ctx, cancel := context.WithCancel(t.Context())
	_, err = s.Put(ctx, "backups/cancelled.dump", io.MultiReader(strings.NewReader(sevenMiB), cancelReader(cancel), strings.NewReader(sevenMiB)), "")
	require.ErrorIs(t, err, context.Canceled)
	require.EqualValues(t, 2, f.aborts.Load())

	_, err = s.Stat(t.Context(), "backups/failed.dump")
	require.ErrorIs(t, err, storage.ErrNotFound)
	_, err = s.Stat(t.Context(), "backups/cancelled.dump")
	require.ErrorIs(t, err, storage.ErrNotFound)
}

// cancelReader calls cancel when first read, and then reads as empty.
type cancelReader context.CancelFunc

func (c cancelReader) Read([]byte) (int, error) {
	c()
	return 0, io.EOF
}

func TestS3PresignGet(t *testing.T) {
	t.Parallel()
	s, ctx := newS3(t, newFakeS3(t).config()), t.Context()
	const key = "uploads/u1/p1.png"
	_, err := s.Put(ctx, key, strings.NewReader("png bytes"), "image/png")
	require.NoError(t, err)

	url, err := s.PresignGet(ctx, key, time.Minute)
	require.NoError(t, err)
	require.Contains(t, url, "X-Amz-Signature=")
	resp, err := http.Get(url)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "png bytes", string(body))
}

func TestNewS3Errors(t *testing.T) {
	t.Parallel()
	f := newFakeS3(t)
	for name, tc := range map[string]struct {
		edit func(*storage.S3Config)
		want string
	}{
		"MissingBucket":  {func(c *storage.S3Config) { c.Bucket = "no-such-bucket" }, `open bucket "no-such-bucket": bucket does not exist`},
		"NoBucket":       {func(c *storage.S3Config) { c.Bucket = "" }, "bucket is required"},
		"PartSizeTooLow": {func(c *storage.S3Config) { c.PartSize = 1 << 20 }, "below the minimum"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := f.config()
			tc.edit(&cfg)
			_, err := storage.NewS3(t.Context(), cfg)
			require.ErrorContains(t, err, tc.want)
			require.NotErrorIs(t, err, storage.ErrNotFound)
		})
	}
}

func BenchmarkS3Put(b *testing.B) {
	storagetest.RunPutBenchmark(b, newS3(b, newFakeS3(b).config()))
}
