package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/snapnote/snapnote/migrations"
)

// adminURL is the maintenance database fresh databases are created from.
func adminURL() string {
	return cmp.Or(os.Getenv("ADMIN_DATABASE_URL"), "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
}

// scratchDB is a migrated database of its own, dropped by drop.
type scratchDB struct {
	Pool *pgxpool.Pool
	URL  string
	name string
}

// newScratchDB creates and migrates a database named snapnote_bench_…,
// as internal/pgtest does for tests (which this binary must not link).
func newScratchDB(ctx context.Context, maxConns int32) (*scratchDB, error) {
	admin, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		return nil, fmt.Errorf("connect to %s (set ADMIN_DATABASE_URL): %w", adminURL(), err)
	}
	defer func() { _ = admin.Close(context.WithoutCancel(ctx)) }()
	name := "snapnote_bench_" + strings.ToLower(rand.Text()[:10])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("create database: %w", err)
	}
	u, err := url.Parse(adminURL())
	if err != nil {
		return nil, fmt.Errorf("parse ADMIN_DATABASE_URL: %w", err)
	}
	u.Path = "/" + name
	s := &scratchDB{URL: u.String(), name: name}
	cfg, err := pgxpool.ParseConfig(s.URL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = maxConns
	if s.Pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		s.drop()
		return nil, fmt.Errorf("open database: %w", err)
	}
	m, err := migrations.New(s.Pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		_, err = m.Up(ctx)
	}
	if err != nil {
		s.drop()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return s, nil
}

// drop closes the pool and drops the database.
func (s *scratchDB) drop() {
	if s.Pool != nil {
		s.Pool.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		fmt.Fprintf(os.Stderr, "snapnote-bench: database %s left behind: %v\n", s.name, err)
		return
	}
	defer func() { _ = admin.Close(ctx) }()
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+s.name+" WITH (FORCE)"); err != nil {
		fmt.Fprintf(os.Stderr, "snapnote-bench: database %s left behind: %v\n", s.name, err)
	}
}
