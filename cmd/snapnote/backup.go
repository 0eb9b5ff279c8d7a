package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/snapnote/snapnote/internal/backup"
	"github.com/snapnote/snapnote/internal/config"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/storage"
)

// newBackups returns the backup manager the worker's job and the backup
// and restore commands share.
func newBackups(cfg *config.Config, pool *pgxpool.Pool, blobs storage.Store, logger *slog.Logger, progress func(int64)) (*backup.Manager, error) {
	url, err := cfg.SessionURL()
	if err != nil {
		return nil, err
	}
	return backup.New(backup.Config{
		Pool:         pool,
		DatabaseURL:  url,
		Blobs:        blobs,
		IncludeBlobs: cfg.Storage == "local",
		Keep:         cfg.BackupKeep,
		Progress:     progress,
		Logger:       logger,
	}), nil
}

// runBackup makes a backup now (`snapnote backup`), the same way the
// scheduled job does, or lists them (`snapnote backup list`).
func runBackup(ctx context.Context, cfg *config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) > 1 || (len(args) == 1 && args[0] != "list") {
		return errors.New("backup: usage: snapnote backup [list]")
	}
	logger := newLogger(cfg, stderr)
	pool, err := openPool(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer pool.Close()
	blobs, err := newBlobs(ctx, cfg)
	if err != nil {
		return err
	}
	if len(args) == 1 {
		backups, err := newBackups(cfg, pool, blobs, logger, nil)
		if err != nil {
			return err
		}
		return listBackups(ctx, backups, stdout)
	}
	progress := newProgressLine(stderr, "backup")
	backups, err := newBackups(cfg, pool, blobs, logger, progress.update)
	if err != nil {
		return err
	}
	man, err := backups.Backup(ctx)
	progress.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup %s: %s in %s (%d blobs)\n", man.Prefix(), formatBytes(man.Size()), man.Duration, man.BlobCount)
	return nil
}

func listBackups(ctx context.Context, m *backup.Manager, stdout io.Writer) error {
	all, err := m.List(ctx)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		fmt.Fprintln(stdout, "no backups yet: run `snapnote backup`")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tTIME\tSIZE\tBLOBS\tSCHEMA (APP/RIVER)\tSERVER")
	for _, man := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d/%d\t%s\n", man.Prefix(), man.CreatedAt.Format(time.RFC3339),
			formatBytes(man.Size()), man.BlobCount, man.AppSchema, man.RiverSchema, man.ServerVersion)
	}
	return tw.Flush()
}

// runRestore restores a backup: `snapnote restore [KEY|FILE] [--force]`.
func runRestore(ctx context.Context, cfg *config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: snapnote restore [KEY|FILE] [--force]\n\n"+
			"Restores the newest backup, the backup KEY (an id such as 2026-11-27T03-00-00.123456Z-3fa2c0d1\n"+
			"or its backups/… prefix) or a local .dump FILE into DATABASE_URL. Stop api and worker first.\n\n")
		fs.PrintDefaults()
	}
	force := fs.Bool("force", false, "replace a database that already has tables")
	// Flags may come before or after the backup's name.
	var from []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		from, rest = append(from, fs.Arg(0)), fs.Args()[1:]
	}
	if len(from) > 1 {
		fs.Usage()
		return errors.New("restore: name at most one backup")
	}
	logger := newLogger(cfg, stderr)
	// A new server has no database yet: restoring is how it gets one.
	if err := db.CreateIfMissing(ctx, cfg.DatabaseURL, redact(cfg.DatabaseURL), logger); err != nil {
		return err
	}
	pool, err := openPool(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer pool.Close()
	blobs, err := newBlobs(ctx, cfg)
	if err != nil {
		return err
	}
	progress := newProgressLine(stderr, "restore")
	backups, err := newBackups(cfg, pool, blobs, logger, progress.update)
	if err != nil {
		return err
	}
	man, err := backups.Restore(ctx, firstOr(from, ""), *force)
	progress.done()
	if err != nil {
		return err
	}
	database := pool.Config().ConnConfig.Database
	if man.ID == "" { // a lone dump file, without a manifest
		fmt.Fprintf(stdout, "restored %s into database %q\n", firstOr(from, ""), database)
		return nil
	}
	fmt.Fprintf(stdout, "restored %s (taken %s) into database %q: app schema %d, river schema %d, %d blobs\n",
		man.Prefix(), man.CreatedAt.Format(time.RFC3339), database, man.AppSchema, man.RiverSchema, man.BlobCount)
	return nil
}

func firstOr(s []string, def string) string {
	if len(s) == 0 {
		return def
	}
	return s[0]
}

// progressLine reports the bytes streamed so far on standard error at most
// once a second: rewriting one line on a terminal, a line each time
// elsewhere (a log file).
type progressLine struct {
	mu      sync.Mutex
	w       io.Writer
	label   string
	start   string // "\r" on a terminal
	end     string // "\n" elsewhere
	last    time.Time
	bytes   int64
	printed bool
}

func newProgressLine(w io.Writer, label string) *progressLine {
	p := &progressLine{w: w, label: label, last: time.Now(), end: "\n"}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.start, p.end = "\r", ""
		}
	}
	return p
}

func (p *progressLine) update(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bytes = n
	if time.Since(p.last) < time.Second {
		return
	}
	p.last = time.Now()
	p.printed = true
	fmt.Fprintf(p.w, "%s%s: %s streamed%s", p.start, p.label, formatBytes(n), p.end)
}

// done ends the progress line, if one was printed.
func (p *progressLine) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.printed && p.start != "" {
		fmt.Fprintf(p.w, "%s%s: %s streamed\n", p.start, p.label, formatBytes(p.bytes))
	}
}

func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
