package migrations_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/pgtest"
	"github.com/snapnote/snapnote/migrations"
)

func TestUpDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := pgtest.Empty(t)
	m, err := migrations.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)

	require.ErrorIs(t, m.Check(ctx), migrations.ErrOutOfDate)

	applied, err := m.Up(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, applied)
	require.NoError(t, m.Check(ctx))
	requireTables(t, pool, true)

	again, err := m.Up(ctx)
	require.NoError(t, err)
	require.Empty(t, again, "a second up applies nothing")

	reverted, err := m.Down(ctx, 0, true)
	require.NoError(t, err)
	require.Len(t, reverted, len(applied))
	requireTables(t, pool, false)
	st, err := m.Status(ctx)
	require.NoError(t, err)
	require.Zero(t, st.AppVersion)
	require.Zero(t, st.RiverVersion)

	_, err = m.Up(ctx)
	require.NoError(t, err)
	require.NoError(t, m.Check(ctx))
	requireTables(t, pool, true)
}

func TestDownOneStepMakesCheckFail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Migrated(t)
	m, err := migrations.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)

	reverted, err := m.Down(ctx, 1, false)
	require.NoError(t, err)
	require.Len(t, reverted, 1)
	require.ErrorIs(t, m.Check(ctx), migrations.ErrOutOfDate)
	require.ErrorContains(t, m.Check(ctx), "snapnote migrate up")
}

func requireTables(t *testing.T, pool *pgxpool.Pool, want bool) {
	t.Helper()
	for _, table := range []string{"users", "courses", "documents", "uploads", "audit_logs", "river_job"} {
		var exists bool
		require.NoError(t, pool.QueryRow(context.Background(),
			`SELECT to_regclass($1) IS NOT NULL`, table).Scan(&exists))
		require.Equal(t, want, exists, "table %s", table)
	}
}

// An older build (a rollback) must refuse a schema it does not know,
// not panic or tell the operator to migrate up.
func TestNewerSchemaIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Migrated(t)
	_, err := pool.Exec(ctx, `INSERT INTO snapnote_migrations (version, name) VALUES (999, 'from_the_future')`)
	require.NoError(t, err)
	m, err := migrations.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)

	require.ErrorIs(t, m.Check(ctx), migrations.ErrTooNew)
	_, err = m.Up(ctx)
	require.ErrorIs(t, err, migrations.ErrTooNew)
	_, err = m.Down(ctx, 1, false)
	require.ErrorIs(t, err, migrations.ErrTooNew)
}
