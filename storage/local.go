package storage

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"slices"
	"strings"
)

// tempPrefix starts the names of files being written. The leading dot makes
// them invalid keys, so List skips the ones a crash leaves behind.
const tempPrefix = ".tmp-"

// Local is a Store that keeps each blob as a file under a root directory.
// Keys cannot reach outside the root, not even through symbolic links.
//
// Local derives a blob's ContentType from its key's extension (falling back to
// application/octet-stream) and ignores the contentType given to Put. Its ETag
// is made of the file's modification time and size, so it changes whenever
// the blob is rewritten, even with the same content.
type Local struct {
	root *os.Root
}

var _ Store = (*Local)(nil)

// NewLocal opens a Local store rooted at dir, creating dir if it is missing.
// Call Close when done.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create blob root: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open blob root: %w", err)
	}
	return &Local{root: root}, nil
}

// Close releases the root directory. The store cannot be used afterwards.
func (l *Local) Close() error {
	return l.root.Close()
}

// Put writes r to a temporary file next to the blob, syncs it and renames it
// over the blob. On failure the temporary file is removed.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, _ string) (Info, error) {
	if !validKey(key) {
		return Info{}, fmt.Errorf("put blob %q: %w", key, ErrInvalidKey)
	}
	info, err := l.put(ctx, key, r)
	if err != nil {
		return Info{}, fmt.Errorf("put blob %q: %w", key, err)
	}
	return info, nil
}

func (l *Local) put(ctx context.Context, key string, r io.Reader) (Info, error) {
	dir := path.Dir(key)
	tmp, f, err := l.createTemp(dir)
	if err != nil {
		return Info{}, err
	}
	fi, err := writeFile(ctx, f, r)
	if err == nil {
		err = l.root.Rename(tmp, key)
	}
	if err != nil {
		return Info{}, errors.Join(err, l.root.Remove(tmp))
	}
	// The rename is durable only once the directory is synced too.
	if err := l.syncDir(dir); err != nil {
		return Info{}, err
	}
	return localInfo(key, fi), nil
}

// createTemp makes dir and a temporary file in it. A Delete may remove a
// folder of dir, left empty, while it is made or before the file is: then
// both are tried again, and once the file is made its folders are no
// longer empty. MkdirAll then fails with "not exist", or with "file exists"
// when another Put made the folder and a Delete removed it between its
// attempt and its check that the folder is there.
func (l *Local) createTemp(dir string) (string, *os.File, error) {
	for attempt := 1; ; attempt++ {
		tmp := path.Join(dir, tempPrefix+rand.Text())
		err := l.root.MkdirAll(dir, 0o750)
		var f *os.File
		if err == nil {
			f, err = l.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
		}
		if (errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrExist)) && attempt < 100 {
			continue
		}
		return tmp, f, err
	}
}

// writeFile copies r into f, flushes f to disk and closes it.
func writeFile(ctx context.Context, f *os.File, r io.Reader) (fs.FileInfo, error) {
	_, err := io.Copy(f, ctxReader{ctx, r})
	if err == nil {
		err = f.Sync()
	}
	var fi fs.FileInfo
	if err == nil {
		fi, err = f.Stat()
	}
	return fi, errors.Join(err, f.Close())
}

func (l *Local) syncDir(dir string) error {
	d, err := l.root.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// Get opens the blob's file. The returned ReadCloser is an *os.File, so it is
// also an io.ReadSeeker that http.ServeContent can serve ranges from.
func (l *Local) Get(_ context.Context, key string) (io.ReadCloser, Info, error) {
	if !validKey(key) {
		return nil, Info{}, fmt.Errorf("get blob %q: %w", key, ErrInvalidKey)
	}
	f, err := l.root.Open(key)
	if err != nil {
		return nil, Info{}, fmt.Errorf("get blob %q: %w", key, interpretFileError(err))
	}
	fi, err := f.Stat()
	if err == nil && fi.IsDir() {
		err = ErrNotFound
	}
	if err != nil {
		return nil, Info{}, fmt.Errorf("get blob %q: %w", key, errors.Join(err, f.Close()))
	}
	return f, localInfo(key, fi), nil
}

// Stat describes the blob's file.
func (l *Local) Stat(_ context.Context, key string) (Info, error) {
	if !validKey(key) {
		return Info{}, fmt.Errorf("stat blob %q: %w", key, ErrInvalidKey)
	}
	fi, err := l.root.Stat(key)
	if err == nil && fi.IsDir() {
		err = ErrNotFound
	}
	if err != nil {
		return Info{}, fmt.Errorf("stat blob %q: %w", key, interpretFileError(err))
	}
	return localInfo(key, fi), nil
}

// Delete removes the blob's file, then the directories it leaves empty up
// to the root, so that a deleted account leaves no folder named after it.
// A Put into a directory removed under it makes the directory again (see
// createTemp).
func (l *Local) Delete(_ context.Context, key string) error {
	if !validKey(key) {
		return fmt.Errorf("delete blob %q: %w", key, ErrInvalidKey)
	}
	if err := l.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete blob %q: %w", key, err)
	}
	// A directory that is not empty, or already gone, ends the climb.
	for dir := path.Dir(key); dir != "."; dir = path.Dir(dir) {
		if l.root.Remove(dir) != nil {
			break
		}
	}
	return nil
}

// List walks the deepest directory that prefix names. Files whose names are
// not valid keys, such as temporary files, and symbolic links are skipped.
func (l *Local) List(ctx context.Context, prefix string) ([]Info, error) {
	if !validPrefix(prefix) {
		return nil, fmt.Errorf("list blobs %q: %w", prefix, ErrInvalidKey)
	}
	dir := path.Dir(prefix + "x")
	var infos []Info
	err := fs.WalkDir(l.root.FS(), dir, func(name string, d fs.DirEntry, err error) error {
		switch {
		case name == dir && errors.Is(err, fs.ErrNotExist):
			return fs.SkipAll
		case err != nil:
			return err
		case ctx.Err() != nil:
			return ctx.Err()
		case name == dir:
			return nil
		case !strings.HasPrefix(name, prefix):
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		case !d.Type().IsRegular() || !validKey(name):
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted or renamed over since the directory was read
		}
		if err != nil {
			return err
		}
		infos = append(infos, localInfo(name, fi))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list blobs %q: %w", prefix, err)
	}
	// The walk goes directory by directory, which is not key order:
	// "a/b" comes before "a-c".
	slices.SortFunc(infos, func(a, b Info) int { return strings.Compare(a.Key, b.Key) })
	return infos, nil
}

func localInfo(key string, fi fs.FileInfo) Info {
	return Info{
		Key:         key,
		Size:        fi.Size(),
		ContentType: cmp.Or(mime.TypeByExtension(path.Ext(key)), "application/octet-stream"),
		ModTime:     fi.ModTime(),
		ETag:        fmt.Sprintf("%x-%x", fi.ModTime().UnixNano(), fi.Size()),
	}
}

// interpretFileError turns a missing file into ErrNotFound.
func interpretFileError(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNotFound
	}
	return err
}
