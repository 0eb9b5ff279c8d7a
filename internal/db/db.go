// Package db holds every SQL statement of SnapNote, written by hand for
// pgx/v5, and the row types they return, so a reader finds each query by
// the method named for it. Beside the queries: transactions (DB.Tx), the
// LISTEN fan-out of upload changes (DB.UploadChanges), and the advisory
// lock between backups and blob deletions. The few statements on River's
// own table (queue depths, handing back a dead worker's jobs) are all in
// river.go.
//
// SQL lives nowhere else in the module, with three exceptions: River's own
// queries (inserted and worked through its client, in package queue and
// package worker), the migrations' bookkeeping (package migrations, which
// runs the schema files), and test helpers (internal/pgtest, api/apitest,
// and tests that inspect rows). The benchmark under cmd/ runs EXPLAIN on these queries,
// and holds the search as it was before migration 008 as the baseline its
// search scenario compares with.
//
// Every method that reads or changes a user's rows takes the user's id and
// scopes the query by it: another user's row is indistinguishable from a
// missing one, and both return ErrNotFound.
package db

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotFound is returned when a row does not exist or belongs to another user.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a change would break a uniqueness rule.
var ErrConflict = errors.New("conflict")

// ErrInvalidText is returned for text Postgres cannot store: a NUL
// character, more characters than the column holds, or more words than a
// search index (tsvector, at most 1 MB) holds.
var ErrInvalidText = errors.New("text cannot be stored")

// DBTX is what queries run on: a pool, a connection or a transaction.
type DBTX interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// DB is the database: its queries run on a pool, and it opens transactions
// and watches uploads.
type DB struct {
	*Queries
	pool  *pgxpool.Pool
	watch *uploadWatch
}

// Open returns the DB on pool; logger reports a lost LISTEN connection.
func Open(pool *pgxpool.Pool, logger *slog.Logger) *DB {
	return &DB{Queries: New(pool), pool: pool, watch: &uploadWatch{pool: pool, logger: logger}}
}

// UploadPollInterval is how often UploadChanges wakes its watchers when
// there is no connection to LISTEN on (OpenPooled without a direct pool).
const UploadPollInterval = time.Second

// OpenPooled returns the DB on pool, a connection through a
// transaction-mode pooler, where LISTEN does not work. UploadChanges
// listens on direct (past the pooler) when it is set; else it wakes its
// watchers every UploadPollInterval to read the upload again.
func OpenPooled(pool, direct *pgxpool.Pool, logger *slog.Logger) *DB {
	d := Open(pool, logger)
	d.watch.pool = direct
	if direct == nil {
		d.watch.pollEvery = UploadPollInterval
	}
	return d
}

// Tx runs fn in one transaction, committed when fn returns nil and rolled
// back otherwise; fn's error is returned as it is.
func (d *DB) Tx(ctx context.Context, fn func(q *Queries) error) error {
	return pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error { return fn(New(tx)) })
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	return d.pool.Ping(ctx)
}

// Queries runs SnapNote's queries on a DBTX.
type Queries struct {
	db DBTX
}

// New returns Queries that run on db.
func New(db DBTX) *Queries {
	return &Queries{db: execBoundary{db}}
}

// execBoundary passes the error of every Exec on a DBTX through
// interpretError, so that no statement's error reaches a caller as the
// driver's.
type execBoundary struct{ DBTX }

func (b execBoundary) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := b.DBTX.Exec(ctx, sql, args...)
	return tag, interpretError(err)
}

// scanner is a row to read: pgx.Row and pgx.Rows both are.
type scanner interface{ Scan(...any) error }

// list runs a query and reads every row with scan; what names the query in
// errors.
func list[T any](ctx context.Context, db DBTX, what string, scan func(scanner) (T, error), sql string, args ...any) ([]T, error) {
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// interpretError turns driver errors into the package's own, once, here.
func interpretError(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch pgErr.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%w: %s", ErrConflict, pgErr.ConstraintName)
		case "22021", "22001", // character_not_in_repertoire (NUL), string_data_right_truncation
			"54000": // program_limit_exceeded: a note too long for its search index
			return fmt.Errorf("%w: %s", ErrInvalidText, pgErr.Message)
		}
	}
	return err
}
