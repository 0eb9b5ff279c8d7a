package db

import (
	"context"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// SlowQueryTracer is a pgx.QueryTracer that logs, at WARN, every query that
// takes longer than Threshold: the statement (its sqlc-style name when it
// has one, else its text on one line, cut to StatementMaxLen characters), the
// duration, the rows it affected and its error. It never logs the query's
// arguments: they hold users' notes and names. Install it as the Tracer of
// a pool's ConnConfig.
type SlowQueryTracer struct {
	// Threshold is the duration above which a query is logged; 0 or less
	// logs nothing.
	Threshold time.Duration
	// Logger receives the warnings.
	Logger *slog.Logger
}

// StatementMaxLen is how many characters of a statement a slow-query
// warning shows.
const StatementMaxLen = 200

type queryStartKey struct{}

type queryStart struct {
	at  time.Time
	sql string
}

// TraceQueryStart notes when the query began.
func (t *SlowQueryTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if t.Threshold <= 0 {
		return ctx
	}
	return context.WithValue(ctx, queryStartKey{}, queryStart{at: time.Now(), sql: data.SQL})
}

// TraceQueryEnd logs the query when it took longer than Threshold.
func (t *SlowQueryTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	start, ok := ctx.Value(queryStartKey{}).(queryStart)
	if !ok {
		return
	}
	took := time.Since(start.at)
	if took <= t.Threshold {
		return
	}
	attrs := []slog.Attr{
		slog.String("sql", Statement(start.sql)),
		slog.Duration("duration", took),
		slog.Int64("rows", data.CommandTag.RowsAffected()),
	}
	if data.Err != nil {
		attrs = append(attrs, slog.String("error", data.Err.Error()))
	}
	t.Logger.LogAttrs(ctx, slog.LevelWarn, "slow query", attrs...)
}

// Statement is how a slow-query warning names sql: the name of a
// "-- name: X" comment (sqlc's convention), else the statement with its
// comments dropped and its whitespace folded to single spaces, cut to
// StatementMaxLen characters.
func Statement(sql string) string {
	var words []string
	for line := range strings.Lines(sql) {
		line = strings.TrimSpace(line)
		if name, ok := strings.CutPrefix(line, "-- name:"); ok {
			if f := strings.Fields(name); len(f) > 0 {
				return f[0]
			}
		}
		if strings.HasPrefix(line, "--") {
			continue
		}
		words = append(words, strings.Fields(line)...)
	}
	s := strings.Join(words, " ")
	if utf8.RuneCountInString(s) <= StatementMaxLen {
		return s
	}
	runes := []rune(s)
	return string(runes[:StatementMaxLen-1]) + "…"
}
