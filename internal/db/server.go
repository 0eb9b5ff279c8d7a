package db

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ServerVersion returns the server's version number (150020) and its text
// (15.20).
func (q *Queries) ServerVersion(ctx context.Context) (num int, text string, err error) {
	if err := q.db.QueryRow(ctx, `SELECT current_setting('server_version_num')::int, current_setting('server_version')`).Scan(&num, &text); err != nil {
		return 0, "", fmt.Errorf("read server version: %w", err)
	}
	return num, text, nil
}

// PublicTables returns how many tables the database has in schema public.
func (q *Queries) PublicTables(ctx context.Context) (int, error) {
	var n int
	if err := q.db.QueryRow(ctx, `SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count tables: %w", err)
	}
	return n, nil
}

// CreateIfMissing makes the database url names when the server is there but
// the database is not, so a laptop's first `snapnote dev` works on a fresh
// server. redacted is url without its password, for messages.
func CreateIfMissing(ctx context.Context, url, redacted string, logger *slog.Logger) error {
	conn, err := pgx.Connect(ctx, url)
	if err == nil {
		return conn.Close(ctx)
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); !ok || pgErr.Code != "3D000" { // invalid_catalog_name
		return fmt.Errorf("connect to database at %s: %w", redacted, err)
	}
	cc, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	name := cc.Database
	cc.Database = "postgres"
	admin, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return fmt.Errorf("connect to the server to create database %q: %w", name, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("create database %q: %w", name, interpretError(err))
	}
	logger.InfoContext(ctx, "created database", slog.String("database", name))
	return nil
}
