package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path"
	"strings"
	"time"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/storage"
)

// Names of a backup's parts under its prefix.
const (
	dumpName     = "db.dump"
	blobsName    = "blobs.tar"
	manifestName = "manifest.json"
)

// A backup's id is the UTC time it started, to the microsecond, and a random
// suffix, e.g. 2026-11-27T03-00-00.123456Z-3fa2c0d1, so that a manual backup
// started in the same second (or microsecond) as the scheduled one gets a
// prefix of its own. Ids of one layout sort as their times do, and they have
// no colon, which some file systems refuse. Earlier builds named a backup by
// its second alone (legacyIDLayout); such ids are still listed, kept and
// restored, and compareIDs orders both layouts by time.
const (
	idLayout       = "2006-01-02T15-04-05.000000Z"
	legacyIDLayout = "2006-01-02T15-04-05Z"
	idSuffixLen    = 8 // hex digits
)

// newID returns the id of a backup started at start.
func newID(start time.Time) string {
	return fmt.Sprintf("%s-%0*x", start.UTC().Format(idLayout), idSuffixLen, rand.Uint32())
}

// parseID returns the start time an id of either layout names, and false for
// anything else.
func parseID(id string) (time.Time, bool) {
	if t, err := time.Parse(legacyIDLayout, id); err == nil {
		return t, true
	}
	stamp, suffix, ok := strings.Cut(id, "Z-")
	if !ok || len(suffix) != idSuffixLen || strings.Trim(suffix, "0123456789abcdef") != "" {
		return time.Time{}, false
	}
	t, err := time.Parse(idLayout, stamp+"Z")
	if err != nil || t.Format(idLayout) != stamp+"Z" {
		return time.Time{}, false
	}
	return t, true
}

// compareIDs orders backup ids by the time they name, then as strings (the
// random suffix decides between backups started in the same microsecond).
// Names that are not ids, such as a stray prefix, compare as strings.
func compareIDs(a, b string) int {
	ta, okA := parseID(a)
	tb, okB := parseID(b)
	if okA && okB {
		if c := ta.Compare(tb); c != 0 {
			return c
		}
	}
	return strings.Compare(a, b)
}

// manifestFormat is bumped when Manifest changes incompatibly.
const manifestFormat = 1

// Manifest describes one finished backup. It is stored as JSON beside the
// archives it lists.
type Manifest struct {
	Format        int       `json:"format"`
	ID            string    `json:"id"` // the UTC start time and a random suffix, e.g. 2026-11-27T03-00-00.123456Z-3fa2c0d1
	CreatedAt     time.Time `json:"created_at"`
	Duration      string    `json:"duration"`
	Database      string    `json:"database"`
	ServerVersion string    `json:"server_version"`
	PgDumpVersion string    `json:"pg_dump_version"`
	AppSchema     int       `json:"app_schema_version"`
	RiverSchema   int       `json:"river_schema_version"`
	Dump          File      `json:"dump"`
	// Blobs is the tar of every uploads/ blob; nil when the backup was made
	// from S3 storage, whose objects are not copied.
	Blobs     *File `json:"blobs,omitempty"`
	BlobCount int   `json:"blob_count"`
}

// File is one archive of a backup.
type File struct {
	Key    string `json:"key"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Prefix returns the blob-storage prefix holding the backup's parts.
func (m Manifest) Prefix() string {
	return snapnote.BackupBlobPrefix + m.ID + "/"
}

// Size is the bytes the backup takes in storage.
func (m Manifest) Size() int64 {
	n := m.Dump.Size
	if m.Blobs != nil {
		n += m.Blobs.Size
	}
	return n
}

// ErrNoBackup is returned (wrapped) when the backup asked for does not
// exist, or when there is none at all.
var ErrNoBackup = errors.New("no such backup")

// backupID turns what a person may type for a backup (its id, its prefix, or
// the key of one of its parts) into its id.
func backupID(s string) (string, error) {
	s = strings.TrimPrefix(strings.TrimSuffix(s, "/"), snapnote.BackupBlobPrefix)
	if base := path.Base(s); base == dumpName || base == blobsName || base == manifestName {
		s = path.Dir(s)
	}
	if _, ok := parseID(s); !ok {
		return "", fmt.Errorf("%w: %q is neither a local file nor a backup such as %s or %s%s/",
			ErrNoBackup, s, "2026-11-27T03-00-00.123456Z-3fa2c0d1", snapnote.BackupBlobPrefix, "ID")
	}
	return s, nil
}

func readManifest(ctx context.Context, blobs storage.Store, key string) (Manifest, error) {
	rc, _, err := blobs.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return Manifest{}, fmt.Errorf("%w: %s is missing", ErrNoBackup, key)
	}
	if err != nil {
		return Manifest{}, fmt.Errorf("read backup manifest: %w", err)
	}
	defer rc.Close()
	return decodeManifest(rc, key)
}

func decodeManifest(r io.Reader, name string) (Manifest, error) {
	var m Manifest
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("read backup manifest %s: %w", name, err)
	}
	if m.Format != manifestFormat {
		return Manifest{}, fmt.Errorf("backup manifest %s has format %d; this build reads format %d", name, m.Format, manifestFormat)
	}
	return m, nil
}
