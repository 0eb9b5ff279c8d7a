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

// NewFakeS3 returns an S3 store on an in-process gofakes3 server with an
// empty bucket, for tests of code that runs on S3 (presigned redirects,
// backups). The server checks no signatures; it is closed when t ends.
func NewFakeS3(t testing.TB) *storage.S3 {
	t.Helper()
	const bucket = "snapnote-test"
	backend := s3mem.New()
	require.NoError(t, backend.CreateBucket(bucket))
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	s, err := storage.NewS3(context.Background(), storage.S3Config{
		Bucket:         bucket,
		Endpoint:       srv.URL,
		ForcePathStyle: true,
		Credentials:    credentials.NewStaticCredentialsProvider("KEY", "SECRET", ""),
	})
	require.NoError(t, err)
	return s
}
