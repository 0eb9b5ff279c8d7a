package db_test

import (
	"context"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/pgtest"
)

func TestIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Migrated(t)

	_, err := pool.Exec(ctx, "SELEC 1")
	require.Error(t, err)
	require.False(t, db.IsUnavailable(err), "a bad query is not an outage: %v", err)
	require.False(t, db.IsUnavailable(db.ErrNotFound))
	require.False(t, db.IsUnavailable(context.Canceled))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := ln.Addr().String()
	require.NoError(t, ln.Close())
	down, err := pgxpool.New(ctx, "postgres://postgres@"+closed+"/postgres?sslmode=disable&connect_timeout=2")
	require.NoError(t, err)
	t.Cleanup(down.Close)
	err = down.Ping(ctx)
	require.Error(t, err)
	require.True(t, db.IsUnavailable(err), "a refused connection is an outage: %v", err)
	_, err = db.New(down).UpsertUser(ctx, db.Identity{Subject: "alice"})
	require.True(t, db.IsUnavailable(err), "%v", err)
}
