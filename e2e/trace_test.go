package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/jobs"
	"github.com/snapnote/snapnote/worker"
)

// lockedBuffer collects log lines written from many goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimSpace(b.buf.String()), "\n")
}

// TestUploadIsOneTrace follows one upload through the real stack — API,
// River, the three stage jobs on a real worker, Postgres — with an
// in-memory span exporter, and finds one trace: the HTTP request's span,
// the River insert under it, each stage's job under the insert that queued
// it, and SQL spans under the request and under every job. The caller's
// X-Request-Id comes back, and every job's metadata and log line names it.
func TestUploadIsOneTrace(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))

	var traced *pgxpool.Pool
	b := setup(t,
		withAPI(func(b *apitest.Bundle, cfg *api.Config) {
			pc := b.Pool.Config()
			pc.ConnConfig.Tracer = db.NewSpanTracer(tp)
			var err error
			traced, err = pgxpool.NewWithConfig(context.Background(), pc)
			require.NoError(t, err)
			t.Cleanup(traced.Close)
			cfg.DB = db.Open(traced, logger)
			cfg.Queue, err = queue.NewTraced(traced, logger, tp)
			require.NoError(t, err)
			b.Logger = logger
			cfg.TracerProvider, cfg.Logger = tp, logger
		}),
		withPipeline(func(p *jobs.Pipeline) { p.Pool = traced }),
		withWorker(func(c *worker.Config) { c.OCRConcurrency, c.LLMConcurrency, c.TracerProvider = 1, 1, tp }))

	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	body, ct := apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "page.png", File: apitest.LecturePNG(t)}.Encode(t)
	const requestID = "req-7f3a9c.upload-1"
	res := alice.Call(http.MethodPost, "/api/uploads", body, map[string]string{"Content-Type": ct, "X-Request-Id": requestID})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	require.Equal(t, requestID, res.Header.Get("X-Request-Id"), "the caller's request id is echoed")
	var up api.Upload
	res.JSON(t, &up)
	require.Equal(t, "done", alice.WaitSettled(up.ID).Status)

	// A job's span ends just after the job commits: wait for the last one.
	byName := func(all tracetest.SpanStubs, name string) []tracetest.SpanStub {
		var out []tracetest.SpanStub
		for _, s := range all {
			if s.Name == name {
				out = append(out, s)
			}
		}
		return out
	}
	var all tracetest.SpanStubs
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		all = spans.GetSpans()
		if len(byName(all, "river.work/extract")) > 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "no river.work/extract span")
	}

	posts := byName(all, "POST /api/uploads")
	require.Len(t, posts, 1)
	root := posts[0]
	require.False(t, root.Parent.IsValid(), "the request's span starts the trace")
	traceID := root.SpanContext.TraceID()
	byID := map[trace.SpanID]tracetest.SpanStub{}
	var trail []tracetest.SpanStub
	for _, s := range all {
		if s.SpanContext.TraceID() == traceID {
			byID[s.SpanContext.SpanID()] = s
			trail = append(trail, s)
		}
	}
	parent := func(s tracetest.SpanStub) tracetest.SpanStub {
		p, ok := byID[s.Parent.SpanID()]
		require.True(t, ok, "span %s has its parent in the upload's trace", s.Name)
		return p
	}
	underRoot := func(s tracetest.SpanStub) bool {
		for s.Parent.IsValid() {
			s = parent(s)
		}
		return s.SpanContext.SpanID() == root.SpanContext.SpanID()
	}

	// The request inserted the OCR job; each stage's job sits under the insert
	// that queued it, and that insert under the previous stage's job.
	previous := root
	for _, stage := range []string{"ocr", "format", "extract"} {
		works := byName(trail, "river.work/"+stage)
		require.Len(t, works, 1, "one %s job in the upload's trace", stage)
		insert := parent(works[0])
		require.Equal(t, "river.insert_many", insert.Name, "the %s job's parent", stage)
		require.True(t, underRoot(insert))
		for p := insert; p.SpanContext.SpanID() != previous.SpanContext.SpanID(); p = parent(p) {
			require.True(t, p.Parent.IsValid(), "the %s insert sits under %s", stage, previous.Name)
		}
		hasSQL := slices.ContainsFunc(trail, func(s tracetest.SpanStub) bool {
			return s.SpanKind == trace.SpanKindClient && s.Parent.SpanID() == works[0].SpanContext.SpanID()
		})
		require.True(t, hasSQL, "the %s job's queries are spans under it", stage)
		previous = works[0]
	}
	require.True(t, slices.ContainsFunc(trail, func(s tracetest.SpanStub) bool {
		return s.SpanKind == trace.SpanKindClient && s.Parent.SpanID() == root.SpanContext.SpanID()
	}), "the request's queries are spans under it")

	var tree strings.Builder
	var show func(id trace.SpanID, depth int)
	show = func(id trace.SpanID, depth int) {
		for _, s := range trail {
			if s.Parent.SpanID() == id && (depth > 0 || s.Parent.IsValid()) {
				fmt.Fprintf(&tree, "%s%s %s\n", strings.Repeat("  ", depth), s.Name, s.EndTime.Sub(s.StartTime).Round(time.Microsecond))
				show(s.SpanContext.SpanID(), depth+1)
			}
		}
	}
	fmt.Fprintf(&tree, "%s %s\n", root.Name, root.EndTime.Sub(root.StartTime).Round(time.Microsecond))
	show(root.SpanContext.SpanID(), 1)
	t.Logf("one upload's trace %s:\n%s", traceID, tree.String())

	// The request id followed the upload into each job: metadata and logs.
	rows, err := b.Pool.Query(context.Background(),
		`SELECT kind, coalesce(metadata->>'request_id', '') FROM river_job WHERE args->>'upload_id' = $1 ORDER BY id`, up.ID.String())
	require.NoError(t, err)
	meta := map[string]string{}
	for rows.Next() {
		var kind, id string
		require.NoError(t, rows.Scan(&kind, &id))
		meta[kind] = id
	}
	require.NoError(t, rows.Err())
	require.Equal(t, map[string]string{"ocr": requestID, "format": requestID, "extract": requestID}, meta)

	lines := logs.lines()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`msg="http request" method=POST path=/api/uploads status=202 .*request_id=` + regexp.QuoteMeta(requestID) + ` trace_id=` + traceID.String()),
		regexp.MustCompile(`msg="job worked" .*kind=ocr .*request_id=` + regexp.QuoteMeta(requestID) + ` trace_id=` + traceID.String()),
		regexp.MustCompile(`msg="job worked" .*kind=format .*request_id=` + regexp.QuoteMeta(requestID)),
		regexp.MustCompile(`msg="job worked" .*kind=extract .*request_id=` + regexp.QuoteMeta(requestID)),
	} {
		require.True(t, slices.ContainsFunc(lines, want.MatchString), "no log line matches %s in:\n%s", want, strings.Join(lines, "\n"))
	}
}
