package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/migrations"
	"github.com/snapnote/snapnote/storage"
)

// paxContentType carries a blob's media type in its tar header, so a restore
// into S3 keeps it.
const paxContentType = "SNAPNOTE.content_type"

// Config configures a Manager.
type Config struct {
	// Pool is the database to back up or restore into.
	Pool *pgxpool.Pool
	// DatabaseURL is the same database's URL, for pg_dump and pg_restore.
	DatabaseURL string
	// Blobs holds the backups, and the uploads archived with them.
	Blobs storage.Store
	// IncludeBlobs adds a tar of every uploads/ blob to each backup. Set it
	// for local storage, whose disk a lost server takes with it; an S3
	// bucket keeps its objects by itself.
	IncludeBlobs bool
	// Keep is how many of the newest finished backups Backup keeps; older
	// ones are deleted. Zero keeps every backup.
	Keep int
	// Progress, when set, is called with the bytes streamed so far, from the
	// goroutine that streams them, many times a second.
	Progress func(bytes int64)
	// Logger receives what backups and restores did.
	Logger *slog.Logger
}

// Manager makes, lists, prunes and restores backups.
type Manager struct {
	cfg Config
	now func() time.Time
}

// New returns a Manager for cfg.
func New(cfg Config) *Manager {
	return &Manager{cfg: cfg, now: time.Now}
}

// Backup makes a backup now and then deletes the backups beyond Keep. It
// returns the new backup's manifest. When it fails, nothing of the new
// backup is left in storage. A failure to delete old backups is logged, not
// returned: the backup itself is good, and the next one prunes again.
func (m *Manager) Backup(ctx context.Context) (Manifest, error) {
	start := m.now().UTC()
	man := Manifest{Format: manifestFormat, ID: newID(start), CreatedAt: start}
	log := m.cfg.Logger.With(slog.String("backup_id", man.ID))
	// Writing into another backup's prefix would corrupt it; with a random
	// suffix on a microsecond this takes two backups and a one-in-4-billion
	// draw.
	infos, err := m.cfg.Blobs.List(ctx, man.Prefix())
	if err != nil {
		return Manifest{}, fmt.Errorf("back up database: %w", err)
	}
	if len(infos) > 0 {
		return Manifest{}, fmt.Errorf("back up database: backup %s exists already", man.ID)
	}
	if err := m.create(ctx, &man); err != nil {
		m.deleteParts(context.WithoutCancel(ctx), man.Prefix())
		return Manifest{}, fmt.Errorf("back up database: %w", err)
	}
	log.InfoContext(ctx, "backup finished", slog.Int64("dump_bytes", man.Dump.Size),
		slog.Int("blob_count", man.BlobCount), slog.String("duration", man.Duration))
	if err := m.prune(ctx); err != nil {
		log.WarnContext(ctx, "could not delete old backups", slog.Any("error", err))
	}
	return man, nil
}

func (m *Manager) create(ctx context.Context, man *Manifest) error {
	num, serverText, err := db.New(m.cfg.Pool).ServerVersion(ctx)
	if err != nil {
		return err
	}
	pgDump, err := findTool(ctx, "pg_dump", majorOf(num))
	if err != nil {
		return err
	}
	mig, err := migrations.New(m.cfg.Pool, m.cfg.Logger)
	if err != nil {
		return err
	}
	st, err := mig.Status(ctx)
	if err != nil {
		return err
	}
	man.Database = m.cfg.Pool.Config().ConnConfig.Database
	man.ServerVersion = serverText
	man.PgDumpVersion = pgDump.Version
	man.AppSchema, man.RiverSchema = st.AppVersion, st.RiverVersion

	// The dump comes first: blobs its rows reference exist by then (an
	// upload writes its blob before its row), and the deletion lock keeps
	// them until the archive made next holds them.
	if m.cfg.IncludeBlobs {
		release, err := db.LockForBackup(ctx, m.cfg.Pool)
		if err != nil {
			return err
		}
		defer release()
	}
	cmd, err := newCommand(ctx, pgDump, m.cfg.DatabaseURL, "--format=custom")
	if err != nil {
		return err
	}
	defer cmd.stop()
	stdout, err := cmd.cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("pg_dump: %w", err)
	}
	if err := cmd.cmd.Start(); err != nil {
		return fmt.Errorf("start pg_dump: %w", err)
	}
	man.Dump, err = m.put(ctx, man.Prefix()+dumpName, outputReader{stdout, cmd}, 0)
	if err != nil {
		return err
	}
	if m.cfg.IncludeBlobs {
		blobs, count, err := m.putUploadsTar(ctx, man.Prefix()+blobsName, man.Dump.Size)
		if err != nil {
			return err
		}
		man.Blobs, man.BlobCount = &blobs, count
	}
	man.Duration = time.Since(man.CreatedAt).Round(time.Millisecond).String()
	body, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	if _, err := m.cfg.Blobs.Put(ctx, man.Prefix()+manifestName, bytes.NewReader(body), "application/json"); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}

// put streams r into the blob under key, hashing and counting it on the way.
func (m *Manager) put(ctx context.Context, key string, r io.Reader, progressBase int64) (File, error) {
	d := newDigest(progressBase, m.cfg.Progress)
	info, err := m.cfg.Blobs.Put(ctx, key, io.TeeReader(r, d), "application/octet-stream")
	if err != nil {
		return File{}, err
	}
	if info.Size != d.n {
		return File{}, fmt.Errorf("put blob %q: storage reports %d bytes, %d were sent", key, info.Size, d.n)
	}
	return File{Key: key, Size: d.n, SHA256: d.sum()}, nil
}

// putUploadsTar streams a tar of every uploads/ blob into the blob under
// key. It returns the archive and how many blobs it holds.
func (m *Manager) putUploadsTar(ctx context.Context, key string, progressBase int64) (File, int, error) {
	infos, err := m.cfg.Blobs.List(ctx, snapnote.UploadBlobPrefix)
	if err != nil {
		return File{}, 0, err
	}
	pr, pw := io.Pipe()
	count := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(m.writeTar(ctx, pw, infos, &count))
	}()
	f, err := m.put(ctx, key, pr, progressBase)
	// Unblocks the writer when Put stopped reading early.
	pr.CloseWithError(errors.New("blob archive upload ended"))
	<-done
	if err != nil {
		return File{}, 0, fmt.Errorf("archive uploads: %w", err)
	}
	return f, count, nil
}

func (m *Manager) writeTar(ctx context.Context, w io.Writer, infos []storage.Info, count *int) error {
	tw := tar.NewWriter(w)
	for _, info := range infos {
		rc, bi, err := m.cfg.Blobs.Get(ctx, info.Key)
		if errors.Is(err, storage.ErrNotFound) {
			continue // deleted since listed: purged or swept, so no row needs it
		}
		if err != nil {
			return err
		}
		err = tw.WriteHeader(&tar.Header{
			Typeflag: tar.TypeReg, Name: bi.Key, Size: bi.Size, Mode: 0o640, ModTime: bi.ModTime,
			PAXRecords: map[string]string{paxContentType: bi.ContentType},
		})
		if err == nil {
			_, err = io.CopyN(tw, rc, bi.Size)
		}
		if err := errors.Join(err, rc.Close()); err != nil {
			return fmt.Errorf("archive blob %q: %w", bi.Key, err)
		}
		*count++
	}
	return tw.Close()
}

// List returns the finished backups in storage, newest first.
func (m *Manager) List(ctx context.Context) ([]Manifest, error) {
	infos, err := m.cfg.Blobs.List(ctx, snapnote.BackupBlobPrefix)
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	var out []Manifest
	for _, info := range infos {
		if !strings.HasSuffix(info.Key, "/"+manifestName) {
			continue
		}
		man, err := readManifest(ctx, m.cfg.Blobs, info.Key)
		if err != nil {
			return nil, err
		}
		out = append(out, man)
	}
	slices.SortFunc(out, func(a, b Manifest) int { return compareIDs(b.ID, a.ID) })
	return out, nil
}

// prune deletes every backup older than the Keep newest finished ones,
// unfinished ones included.
func (m *Manager) prune(ctx context.Context) error {
	if m.cfg.Keep <= 0 {
		return nil
	}
	infos, err := m.cfg.Blobs.List(ctx, snapnote.BackupBlobPrefix)
	if err != nil {
		return fmt.Errorf("list backups to prune: %w", err)
	}
	var finished []string
	for _, info := range infos {
		if id, ok := strings.CutSuffix(strings.TrimPrefix(info.Key, snapnote.BackupBlobPrefix), "/"+manifestName); ok {
			finished = append(finished, id)
		}
	}
	if len(finished) <= m.cfg.Keep {
		return nil
	}
	slices.SortFunc(finished, compareIDs)
	oldestKept := finished[len(finished)-m.cfg.Keep]
	var errs []error
	for _, info := range infos {
		id, _, _ := strings.Cut(strings.TrimPrefix(info.Key, snapnote.BackupBlobPrefix), "/")
		if compareIDs(id, oldestKept) >= 0 {
			continue
		}
		if err := m.cfg.Blobs.Delete(ctx, info.Key); err != nil {
			errs = append(errs, err)
			continue
		}
		m.cfg.Logger.InfoContext(ctx, "deleted old backup part", slog.String("key", info.Key))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("prune backups: %w", err)
	}
	return nil
}

// deleteParts removes what a failed backup wrote under prefix.
func (m *Manager) deleteParts(ctx context.Context, prefix string) {
	infos, err := m.cfg.Blobs.List(ctx, prefix)
	if err != nil {
		m.cfg.Logger.WarnContext(ctx, "could not list a failed backup's parts", slog.String("prefix", prefix), slog.Any("error", err))
		return
	}
	for _, info := range infos {
		if err := m.cfg.Blobs.Delete(ctx, info.Key); err != nil {
			m.cfg.Logger.WarnContext(ctx, "could not delete a failed backup's part", slog.String("key", info.Key), slog.Any("error", err))
		}
	}
}
