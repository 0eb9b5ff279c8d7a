package storage

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"time"
)

// ErrNotFound is returned (wrapped) by Get and Stat when the key does not
// exist. Test for it with errors.Is.
var ErrNotFound = errors.New("blob not found")

// ErrInvalidKey is returned (wrapped) by every Store method given a key that
// breaks the rules in the package documentation, such as "", "/abs" or "../x".
var ErrInvalidKey = errors.New("invalid blob key")

// maxKeyLen is S3's limit on key length, in bytes.
const maxKeyLen = 1024

// Info describes a stored blob.
type Info struct {
	// Key is the blob's key.
	Key string
	// Size is the blob's length in bytes.
	Size int64
	// ContentType is the blob's media type. List results from S3 leave it
	// empty, because S3 does not list it.
	ContentType string
	// ModTime is when the blob was last written.
	ModTime time.Time
	// ETag is an opaque tag without quotes that changes whenever the blob is
	// rewritten, suitable for HTTP caching.
	ETag string
}

// Store keeps blobs under keys. Its methods are safe for concurrent use.
type Store interface {
	// Put stores r under key, replacing any existing blob atomically: readers
	// never see a partial blob, and a failed Put leaves the old blob in place.
	// The length of r may be unknown. It returns the stored Info, whose Size
	// is the number of bytes written.
	Put(ctx context.Context, key string, r io.Reader, contentType string) (Info, error)
	// Get opens the blob under key; the caller must close it. It returns
	// ErrNotFound if there is none.
	Get(ctx context.Context, key string) (io.ReadCloser, Info, error)
	// Stat describes the blob under key. It returns ErrNotFound if there is
	// none.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes the blob under key. Deleting a missing key is not an
	// error.
	Delete(ctx context.Context, key string) error
	// List returns every blob whose key starts with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]Info, error)
}

// Presigner is implemented by stores that can hand out a short-lived URL from
// which anyone can download a blob directly.
type Presigner interface {
	// PresignGet returns a URL that serves the blob under key for ttl.
	PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// validKey reports whether key follows the rules in the package documentation.
func validKey(key string) bool {
	return fs.ValidPath(key) && len(key) <= maxKeyLen &&
		!strings.HasPrefix(key, ".") && !strings.Contains(key, "/.") &&
		!strings.ContainsAny(key, "\\\x00")
}

// validPrefix reports whether some valid key starts with prefix.
func validPrefix(prefix string) bool {
	return validKey(prefix + "x")
}

// ctxReader stops reading once its context is done, so a cancelled Put stops
// consuming its source. It also hides the source's io.Seeker: a pipe is an
// *os.File, whose Seek fails.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
