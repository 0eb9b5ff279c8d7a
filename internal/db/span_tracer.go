package db

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// SpanTracer is a pgx.QueryTracer that makes an OpenTelemetry span of every
// query, a child of the span in the query's context: named for the query
// (the "-- name:" of a named one, else its first word, as SELECT), with the
// statement as Statement shows it, never its arguments, and the rows it
// affected. Compose it with SlowQueryTracer through pgx's multitracer.
type SpanTracer struct {
	tracer trace.Tracer
}

// NewSpanTracer returns a SpanTracer making spans on tp.
func NewSpanTracer(tp trace.TracerProvider) *SpanTracer {
	return &SpanTracer{tracer: tp.Tracer("github.com/snapnote/snapnote/internal/db")}
}

// TraceQueryStart starts the query's span.
func (t *SpanTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	stmt := Statement(data.SQL)
	ctx, _ = t.tracer.Start(ctx, spanName(stmt), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", "postgresql"), attribute.String("db.query.text", stmt)))
	return ctx
}

// TraceQueryEnd ends the query's span, with its error when it failed.
func (t *SpanTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(attribute.Int64("db.response.returned_rows", data.CommandTag.RowsAffected()))
	if data.Err != nil {
		span.RecordError(data.Err)
		span.SetStatus(codes.Error, data.Err.Error())
	}
	span.End()
}

// spanName is a query's name when it has one (one word, as Statement gives
// it), else the first word of its statement: few distinct span names.
func spanName(stmt string) string {
	word, _, _ := strings.Cut(stmt, " ")
	if word == "" {
		return "query"
	}
	return word
}
