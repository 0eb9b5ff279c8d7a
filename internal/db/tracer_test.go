package db_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/pgtest"
)

// lockedBuffer collects log lines written from pgx's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) records(t *testing.T) []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		out = append(out, rec)
	}
	return out
}

func tracedPool(t *testing.T, threshold time.Duration) (*pgxpool.Pool, *lockedBuffer) {
	t.Helper()
	_, url := pgtest.Empty(t)
	logs := &lockedBuffer{}
	pc, err := pgxpool.ParseConfig(url)
	require.NoError(t, err)
	pc.ConnConfig.Tracer = &db.SlowQueryTracer{Threshold: threshold, Logger: slog.New(slog.NewJSONHandler(logs, nil))}
	pool, err := pgxpool.NewWithConfig(context.Background(), pc)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool, logs
}

func TestSlowQueryIsLoggedWithoutItsArguments(t *testing.T) {
	t.Parallel()
	pool, logs := tracedPool(t, 10*time.Millisecond)
	ctx := context.Background()

	_, err := pool.Exec(ctx, "-- name: SleepALittle :exec\nSELECT pg_sleep(0.05), $1::text", "a student's secret note")
	require.NoError(t, err)
	_, err = pool.Exec(ctx, "SELECT pg_sleep(0.05)\n  ,  1")
	require.NoError(t, err)

	var slow []map[string]any
	for _, rec := range logs.records(t) {
		require.NotContains(t, rec, "args")
		if rec["msg"] == "slow query" {
			slow = append(slow, rec)
		}
	}
	require.Len(t, slow, 2)
	require.Equal(t, "WARN", slow[0]["level"])
	require.Equal(t, "SleepALittle", slow[0]["sql"])
	require.Equal(t, "SELECT pg_sleep(0.05) , 1", slow[1]["sql"])
	for _, rec := range slow {
		require.GreaterOrEqual(t, rec["duration"], float64(50*time.Millisecond), "pg_sleep(0.05) takes at least 50 ms")
		require.EqualValues(t, 1, rec["rows"])
	}
	logs.mu.Lock()
	require.NotContains(t, logs.buf.String(), "secret note")
	logs.mu.Unlock()
}

func TestQueriesUnderTheThresholdAreNotLogged(t *testing.T) {
	t.Parallel()
	pool, logs := tracedPool(t, time.Hour)
	_, err := pool.Exec(context.Background(), "SELECT pg_sleep(0.01)")
	require.NoError(t, err)
	require.Empty(t, logs.records(t))

	off, offLogs := tracedPool(t, 0)
	_, err = off.Exec(context.Background(), "SELECT pg_sleep(0.01)")
	require.NoError(t, err)
	require.Empty(t, offLogs.records(t), "0 turns the log off")
}

func TestStatementIsShortAndOnOneLine(t *testing.T) {
	t.Parallel()
	require.Equal(t, "ListDocuments", db.Statement("-- name: ListDocuments :many\nSELECT * FROM documents"))
	require.Equal(t, "SELECT id FROM documents WHERE user_id = $1",
		db.Statement("-- the caller's notes\nSELECT id\n\tFROM documents\n WHERE user_id = $1\n"))
	long := db.Statement("SELECT " + strings.Repeat("é, ", 300))
	require.Equal(t, db.StatementMaxLen, len([]rune(long)))
	require.True(t, strings.HasSuffix(long, "…"))
}
