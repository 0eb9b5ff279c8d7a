package backup

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/migrations"
)

// ErrNotEmpty is returned (wrapped) by Restore when the database already has
// tables and force was not given.
var ErrNotEmpty = errors.New("database is not empty")

// source is where a restore reads a backup's parts from.
type source struct {
	desc     string
	manifest *Manifest // nil for a lone dump file: nothing to verify against
	dumpName string
	open     func(ctx context.Context, name string) (io.ReadCloser, error)
}

// Restore restores a backup into the database and blob storage. from names
// the backup: empty for the newest in storage, a path to a local .dump file
// (with manifest.json and blobs.tar used when they sit beside it), or a
// backup's id or prefix in storage.
//
// It returns an error wrapping ErrNotEmpty if the database has any table in
// schema public, unless force is set: then every object the backup holds is
// dropped and recreated. pg_restore runs in one transaction and sees the end
// of the archive only once its SHA-256 matches the manifest, so a failed or
// corrupt restore leaves the database as it was. Blobs are restored first
// (extra blobs are harmless: the orphan sweep takes them). Afterwards the
// schema must pass migrations.Check; when it does not, the error says to
// migrate.
func (m *Manager) Restore(ctx context.Context, from string, force bool) (Manifest, error) {
	src, err := m.resolve(ctx, from)
	if err != nil {
		return Manifest{}, err
	}
	log := m.cfg.Logger.With(slog.String("backup", src.desc))
	tables, err := db.New(m.cfg.Pool).PublicTables(ctx)
	if err != nil {
		return Manifest{}, fmt.Errorf("restore: inspect database: %w", err)
	}
	if tables > 0 && !force {
		return Manifest{}, fmt.Errorf("restore: %w: database %q has %d tables in schema public; pass --force to replace them with the backup's",
			ErrNotEmpty, m.cfg.Pool.Config().ConnConfig.Database, tables)
	}
	var man Manifest
	if src.manifest != nil {
		man = *src.manifest
	}
	var restored int64 // bytes streamed so far, for progress
	if man.Blobs != nil {
		n, err := m.restoreBlobs(ctx, src, *man.Blobs)
		if err != nil {
			return Manifest{}, fmt.Errorf("restore blobs from %s: %w", src.desc, err)
		}
		log.InfoContext(ctx, "restored blobs", slog.Int("blob_count", n))
		restored = man.Blobs.Size
	}
	if err := m.restoreDatabase(ctx, src, force, restored); err != nil {
		return Manifest{}, fmt.Errorf("restore database from %s: %w", src.desc, err)
	}
	// The restore dropped and recreated types that pooled connections may
	// have cached.
	m.cfg.Pool.Reset()
	mig, err := migrations.New(m.cfg.Pool, m.cfg.Logger)
	if err != nil {
		return Manifest{}, err
	}
	if err := mig.Check(ctx); err != nil {
		return man, fmt.Errorf("restored %s, but: %w", src.desc, err)
	}
	log.InfoContext(ctx, "restore finished", slog.Bool("force", force))
	return man, nil
}

// resolve finds the backup from names.
func (m *Manager) resolve(ctx context.Context, from string) (source, error) {
	if from != "" {
		if fi, err := os.Stat(from); err == nil && fi.Mode().IsRegular() {
			return localSource(from)
		}
	}
	var man Manifest
	if from == "" {
		all, err := m.List(ctx)
		if err != nil {
			return source{}, err
		}
		if len(all) == 0 {
			return source{}, fmt.Errorf("restore: %w: there are no backups in blob storage", ErrNoBackup)
		}
		man = all[0]
	} else {
		id, err := backupID(from)
		if err != nil {
			return source{}, fmt.Errorf("restore: %w", err)
		}
		if man, err = readManifest(ctx, m.cfg.Blobs, snapnote.BackupBlobPrefix+id+"/"+manifestName); err != nil {
			return source{}, fmt.Errorf("restore: %w", err)
		}
	}
	return source{
		desc:     man.Prefix(),
		manifest: &man,
		dumpName: dumpName,
		open: func(ctx context.Context, name string) (io.ReadCloser, error) {
			rc, _, err := m.cfg.Blobs.Get(ctx, man.Prefix()+name)
			return rc, err
		},
	}, nil
}

// localSource reads a dump file, with the manifest and blob archive beside
// it when there are (a backup copied out of storage whole).
func localSource(file string) (source, error) {
	dir := filepath.Dir(file)
	src := source{
		desc:     file,
		dumpName: filepath.Base(file),
		open: func(_ context.Context, name string) (io.ReadCloser, error) {
			return os.Open(filepath.Join(dir, name))
		},
	}
	f, err := os.Open(filepath.Join(dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return src, nil
	}
	if err != nil {
		return source{}, fmt.Errorf("restore: %w", err)
	}
	man, err := decodeManifest(f, f.Name())
	f.Close()
	if err != nil {
		return source{}, fmt.Errorf("restore: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, blobsName)); err != nil {
		man.Blobs = nil
	}
	src.manifest = &man
	return src, nil
}

func (m *Manager) restoreDatabase(ctx context.Context, src source, force bool, progressBase int64) error {
	num, _, err := db.New(m.cfg.Pool).ServerVersion(ctx)
	if err != nil {
		return err
	}
	pgRestore, err := findTool(ctx, "pg_restore", majorOf(num))
	if err != nil {
		return err
	}
	args := []string{"--no-owner", "--no-acl", "--single-transaction", "--exit-on-error"}
	if force {
		args = append(args, "--clean", "--if-exists")
	}
	cmd, err := newCommand(ctx, pgRestore, m.cfg.DatabaseURL, args...)
	if err != nil {
		return err
	}
	defer cmd.stop()
	stdin, err := cmd.cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("pg_restore: %w", err)
	}
	rc, err := src.open(ctx, src.dumpName)
	if err != nil {
		return fmt.Errorf("open %s: %w", src.dumpName, err)
	}
	defer rc.Close()
	if err := cmd.cmd.Start(); err != nil {
		return fmt.Errorf("start pg_restore: %w", err)
	}
	d := newDigest(progressBase, m.cfg.Progress)
	verify := func() error { return nil }
	if src.manifest != nil {
		verify = func() error { return d.verify(src.manifest.Dump) }
	}
	if err := copyHoldingLast(stdin, io.TeeReader(rc, d), verify); err != nil {
		// Killing pg_restore before it has read the whole archive rolls its
		// transaction back.
		cmd.stop()
		return errors.Join(err, cmd.err)
	}
	if err := stdin.Close(); err != nil {
		cmd.stop()
		return fmt.Errorf("pg_restore: %w", err)
	}
	return cmd.wait()
}

// restoreBlobs writes every blob in the backup's archive back into storage,
// and checks the archive against the manifest. It returns how many it wrote.
func (m *Manager) restoreBlobs(ctx context.Context, src source, want File) (int, error) {
	rc, err := src.open(ctx, blobsName)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	d := newDigest(0, m.cfg.Progress)
	tr := tar.NewReader(io.TeeReader(rc, d))
	n := 0
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		if hdr.Typeflag != tar.TypeReg || !strings.HasPrefix(hdr.Name, snapnote.UploadBlobPrefix) {
			return n, fmt.Errorf("archive entry %q is not an uploaded blob", hdr.Name)
		}
		if _, err := m.cfg.Blobs.Put(ctx, hdr.Name, tr, hdr.PAXRecords[paxContentType]); err != nil {
			return n, err
		}
		n++
	}
	// The tar reader stops at the end-of-archive marker; the padding after
	// it counts towards the checksum too.
	if _, err := io.Copy(io.Discard, io.TeeReader(rc, d)); err != nil {
		return n, err
	}
	return n, d.verify(want)
}
