package storagetest

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/storage"
)

// FakeS3Bucket is the bucket the fake S3 server holds.
const FakeS3Bucket = "snapnote-test"

// NewFakeS3 returns an S3 store on an in-process gofakes3 server with an
// empty bucket, for tests of code that runs on S3 (presigned redirects,
// backups). The server checks no signatures; it is closed when t ends.
func NewFakeS3(t testing.TB) *storage.S3 {
	t.Helper()
	return NewS3At(t, NewFakeS3Server(t).URL)
}

// NewFakeS3Server starts an in-process gofakes3 server holding an empty
// FakeS3Bucket; it is closed when t ends, or earlier by the test.
func NewFakeS3Server(t testing.TB) *httptest.Server {
	t.Helper()
	backend := s3mem.New()
	require.NoError(t, backend.CreateBucket(FakeS3Bucket))
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return srv
}

// NewS3At returns an S3 store on FakeS3Bucket at endpoint, such as a
// NewFakeS3Server's URL or a proxy in front of it.
func NewS3At(t testing.TB, endpoint string) *storage.S3 {
	t.Helper()
	s, err := storage.NewS3(context.Background(), storage.S3Config{
		Bucket:         FakeS3Bucket,
		Endpoint:       endpoint,
		ForcePathStyle: true,
		Credentials:    credentials.NewStaticCredentialsProvider("KEY", "SECRET", ""),
	})
	require.NoError(t, err)
	return s
}
