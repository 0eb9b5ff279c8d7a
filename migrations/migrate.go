// Package migrations holds the database schema of SnapNote as embedded SQL
// files and applies it, together with River's own migrations, in one step.
//
// App migrations are files named NNN_name.up.sql and NNN_name.down.sql under
// sql/. Their applied versions are recorded in the snapnote_migrations table;
// River records its own in river_migration.
package migrations

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

// ErrOutOfDate is returned by Check when the database lags behind this build.
var ErrOutOfDate = errors.New("database schema is out of date: run `snapnote migrate up`")

// ErrTooNew is returned when the database has migrations this build does not
// know: a newer release migrated it (a rollback, say).
var ErrTooNew = errors.New("database schema is newer than this build: run the release that migrated it, or migrate down with that release first")

// lockID serialises migrators (a release step racing another) on one database.
const lockID = 0x5a4e_0001

// Migration is one app schema change.
type Migration struct {
	Version int
	Name    string
	up      string
	down    string
}

// Status tells where a database stands against this build.
type Status struct {
	AppVersion   int // highest applied app migration, 0 when none
	AppLatest    int // highest app migration this build has
	RiverVersion int
	RiverLatest  int
}

// Current reports whether nothing is left to apply.
func (s Status) Current() bool {
	return s.AppVersion == s.AppLatest && s.RiverVersion == s.RiverLatest
}

// Migrator applies and reverts the app's and River's migrations.
type Migrator struct {
	pool       *pgxpool.Pool
	river      *rivermigrate.Migrator[pgx.Tx]
	migrations []Migration
	logger     *slog.Logger
}

// New returns a Migrator for the database behind pool.
func New(pool *pgxpool.Pool, logger *slog.Logger) (*Migrator, error) {
	migrations, err := load(sqlFiles)
	if err != nil {
		return nil, err
	}
	river, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("create river migrator: %w", err)
	}
	return &Migrator{pool: pool, river: river, migrations: migrations, logger: logger}, nil
}

func load(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, "sql")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	byVersion := map[int]*Migration{}
	for _, e := range entries {
		name := e.Name()
		base, direction, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), ".")
		num, label, ok2 := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || !ok2 || err != nil || (direction != "up" && direction != "down") {
			return nil, fmt.Errorf("migration file %q: want NNN_name.up.sql or NNN_name.down.sql", name)
		}
		body, err := fs.ReadFile(fsys, path.Join("sql", name))
		if err != nil {
			return nil, fmt.Errorf("read migration %q: %w", name, err)
		}
		m := byVersion[version]
		if m == nil {
			m = &Migration{Version: version, Name: label}
			byVersion[version] = m
		}
		if direction == "up" {
			m.up = string(body)
		} else {
			m.down = string(body)
		}
	}
	var out []Migration
	for _, m := range byVersion {
		if m.up == "" || m.down == "" {
			return nil, fmt.Errorf("migration %03d_%s needs both an up and a down file", m.Version, m.Name)
		}
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration versions must run 1, 2, 3…; found %03d at position %d", m.Version, i+1)
		}
	}
	return out, nil
}

// Up applies River's pending migrations, then the app's. River applies each
// of its versions in a transaction of its own (some alter enums, which cannot
// share one); the app's pending migrations all go in one transaction, so a
// failure leaves the app schema as it was. It returns the app versions applied.
func (m *Migrator) Up(ctx context.Context) ([]int, error) {
	var applied []int
	err := m.locked(ctx, func(conn *pgxpool.Conn) error {
		res, err := m.river.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err != nil {
			return fmt.Errorf("apply river migrations: %w", err)
		}
		for _, v := range res.Versions {
			m.logger.InfoContext(ctx, "applied river migration", slog.Int("version", v.Version), slog.String("name", v.Name))
		}
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error { return m.upTx(ctx, tx, &applied) })
	})
	return applied, err
}

func (m *Migrator) upTx(ctx context.Context, tx pgx.Tx, applied *[]int) error {
	current, err := m.knownVersion(ctx, tx)
	if err != nil {
		return err
	}
	for _, mig := range m.migrations[current:] {
		if _, err := tx.Exec(ctx, mig.up); err != nil {
			return fmt.Errorf("apply migration %03d_%s: %w", mig.Version, mig.Name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO snapnote_migrations (version, name) VALUES ($1, $2)`, mig.Version, mig.Name); err != nil {
			return fmt.Errorf("record migration %03d: %w", mig.Version, err)
		}
		m.logger.InfoContext(ctx, "applied migration", slog.Int("version", mig.Version), slog.String("name", mig.Name))
		*applied = append(*applied, mig.Version)
	}
	return nil
}

// Down reverts the newest steps app migrations. With all set it reverts every
// app migration and then River's tables too, leaving an empty schema.
func (m *Migrator) Down(ctx context.Context, steps int, all bool) ([]int, error) {
	var reverted []int
	err := m.locked(ctx, func(conn *pgxpool.Conn) error {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error { return m.downTx(ctx, tx, steps, all, &reverted) })
		if err != nil || !all {
			return err
		}
		if _, err := m.river.Migrate(ctx, rivermigrate.DirectionDown, &rivermigrate.MigrateOpts{TargetVersion: -1}); err != nil {
			return fmt.Errorf("revert river migrations: %w", err)
		}
		return nil
	})
	return reverted, err
}

func (m *Migrator) downTx(ctx context.Context, tx pgx.Tx, steps int, all bool, reverted *[]int) error {
	current, err := m.knownVersion(ctx, tx)
	if err != nil {
		return err
	}
	target := max(current-steps, 0)
	if all {
		target = 0
	}
	for v := current; v > target; v-- {
		mig := m.migrations[v-1]
		if _, err := tx.Exec(ctx, mig.down); err != nil {
			return fmt.Errorf("revert migration %03d_%s: %w", mig.Version, mig.Name, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM snapnote_migrations WHERE version = $1`, v); err != nil {
			return fmt.Errorf("unrecord migration %03d: %w", v, err)
		}
		m.logger.InfoContext(ctx, "reverted migration", slog.Int("version", v), slog.String("name", mig.Name))
		*reverted = append(*reverted, v)
	}
	if all {
		if _, err := tx.Exec(ctx, `DROP TABLE snapnote_migrations`); err != nil {
			return fmt.Errorf("drop migrations table: %w", err)
		}
	}
	return nil
}

// Status reads the applied versions without changing anything.
func (m *Migrator) Status(ctx context.Context) (Status, error) {
	st := Status{AppLatest: len(m.migrations)}
	riverAll := m.river.AllVersions()
	st.RiverLatest = riverAll[len(riverAll)-1].Version

	var exists bool
	if err := m.pool.QueryRow(ctx, `SELECT to_regclass('snapnote_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return st, fmt.Errorf("read migration status: %w", err)
	}
	if exists {
		if err := m.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM snapnote_migrations`).Scan(&st.AppVersion); err != nil {
			return st, fmt.Errorf("read app migration version: %w", err)
		}
	}
	riverApplied, err := m.river.ExistingVersions(ctx)
	if err != nil {
		return st, fmt.Errorf("read river migration version: %w", err)
	}
	if n := len(riverApplied); n > 0 {
		st.RiverVersion = riverApplied[n-1].Version
	}
	return st, nil
}

// Check returns an error wrapping ErrOutOfDate when migrations are pending,
// so that api and worker refuse to run on a schema they were not built for.
func (m *Migrator) Check(ctx context.Context) error {
	st, err := m.Status(ctx)
	if err != nil {
		return err
	}
	if st.AppVersion > st.AppLatest {
		return fmt.Errorf("%w (app schema %d, this build knows up to %d)", ErrTooNew, st.AppVersion, st.AppLatest)
	}
	if !st.Current() {
		return fmt.Errorf("%w (app schema %d of %d, river schema %d of %d)",
			ErrOutOfDate, st.AppVersion, st.AppLatest, st.RiverVersion, st.RiverLatest)
	}
	return nil
}

// locked runs fn while holding a session advisory lock on a dedicated
// connection, so two migrators never interleave.
func (m *Migrator) locked(ctx context.Context, fn func(*pgxpool.Conn) error) error {
	conn, err := m.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection for migrations: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockID); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	defer func() {
		// A fresh context: the lock must go even when ctx was cancelled.
		if _, err := conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, lockID); err != nil {
			conn.Conn().Close(context.Background())
		}
	}()
	return fn(conn)
}

// knownVersion is the applied app version, refused when this build has no
// migration file for it.
func (m *Migrator) knownVersion(ctx context.Context, tx pgx.Tx) (int, error) {
	v, err := appVersion(ctx, tx)
	if err == nil && v > len(m.migrations) {
		return v, fmt.Errorf("%w (app schema %d, this build knows up to %d)", ErrTooNew, v, len(m.migrations))
	}
	return v, err
}

func appVersion(ctx context.Context, tx pgx.Tx) (int, error) {
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS snapnote_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
	)`); err != nil {
		return 0, fmt.Errorf("create migrations table: %w", err)
	}
	var v int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM snapnote_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read app migration version: %w", err)
	}
	return v, nil
}
