package telemetry_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/telemetry"
)

// TestTracingExportsByOTLP: with an endpoint, spans reach an OTLP/HTTP
// collector (here an httptest server) by the time Shutdown returns.
func TestTracingExportsByOTLP(t *testing.T) {
	var mu sync.Mutex
	var got []string
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type")+" "+string(body))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	t.Cleanup(collector.Close)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)

	tracing, err := telemetry.StartTracing(context.Background(), "snapnote-test", collector.URL)
	require.NoError(t, err)
	require.True(t, tracing.Enabled)
	_, span := tracing.Provider.Tracer("test").Start(context.Background(), "exported-span")
	span.End()
	require.NoError(t, tracing.Shutdown(context.Background()))

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 1)
	require.True(t, strings.HasPrefix(got[0], "POST /v1/traces application/x-protobuf"), got[0])
	require.Contains(t, got[0], "exported-span")
	require.Contains(t, got[0], "snapnote-test")
}

// TestTracingOffWithoutEndpoint: no endpoint, no exporter, spans that record nothing.
func TestTracingOffWithoutEndpoint(t *testing.T) {
	t.Parallel()
	tracing, err := telemetry.StartTracing(context.Background(), "snapnote-test", "")
	require.NoError(t, err)
	require.False(t, tracing.Enabled)
	_, span := tracing.Provider.Tracer("test").Start(context.Background(), "nothing")
	require.False(t, span.IsRecording())
	span.End()
	require.NoError(t, tracing.Shutdown(context.Background()))
}

// TestLogHandlerNamesTheRequest: a line logged with a request's context says
// its request id and trace id; one without says neither.
func TestLogHandlerNamesTheRequest(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := telemetry.Logger(slog.New(slog.NewTextHandler(&buf, nil)))
	require.Same(t, logger.Handler(), telemetry.LogHandler(logger.Handler()), "wrapping twice adds nothing")

	traceID, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	spanID, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(snapnote.WithRequestID(context.Background(), "req-1"),
		trace.NewSpanContext(trace.SpanContextConfig{TraceID: traceID, SpanID: spanID, TraceFlags: trace.FlagsSampled}))
	logger.With("part", "api").InfoContext(ctx, "served")
	logger.Info("alone")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2)
	require.Contains(t, lines[0], "part=api request_id=req-1 trace_id=4bf92f3577b34da6a3ce929d0e0e4736")
	require.NotContains(t, lines[1], "request_id")
	require.NotContains(t, lines[1], "trace_id")
}
