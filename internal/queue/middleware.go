package queue

import (
	"context"
	"encoding/json"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/riverqueue/rivercontrib/otelriver"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/snapnote/snapnote"
)

// Middleware is what every River client of SnapNote carries, the API's
// insert-only one and the workers': Propagation, then otelriver's spans
// (river.insert_many; river.work/KIND) on tp (nil: the global provider).
func Middleware(tp trace.TracerProvider) []rivertype.Middleware {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return []rivertype.Middleware{
		&Propagation{},
		otelriver.NewMiddleware(&otelriver.MiddlewareConfig{
			EnableTracePropagation:      true,
			EnableWorkSpanJobKindSuffix: true,
			TracerProvider:              tp,
		}),
	}
}

// Propagation carries a request into the jobs it causes. On insert it writes
// the context's request id into each job's metadata (otelriver writes the
// trace context beside it); on work it puts both back into the job's
// context: the request id for its logs, and the inserting span as the
// parent of the job's span, so an upload's stages join the trace of the
// request that made it. (otelriver alone only links a job to its inserter,
// which starts a new trace per job.)
type Propagation struct {
	river.MiddlewareDefaults
}

// InsertMany adds the request id to the metadata of every job inserted.
func (*Propagation) InsertMany(ctx context.Context, manyParams []*rivertype.JobInsertParams,
	doInner func(context.Context) ([]*rivertype.JobInsertResult, error),
) ([]*rivertype.JobInsertResult, error) {
	if id := snapnote.RequestID(ctx); id != "" {
		for _, p := range manyParams {
			meta := map[string]any{}
			if len(p.Metadata) > 0 {
				if err := json.Unmarshal(p.Metadata, &meta); err != nil {
					continue
				}
			}
			meta[snapnote.RequestIDMetadataKey] = id
			if data, err := json.Marshal(meta); err == nil {
				p.Metadata = data
			}
		}
	}
	return doInner(ctx)
}

// Work gives the job's context the request id and the parent span its
// metadata names.
func (*Propagation) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	var meta map[string]any
	if len(job.Metadata) == 0 || json.Unmarshal(job.Metadata, &meta) != nil {
		return doInner(ctx)
	}
	carrier := propagation.MapCarrier{}
	for k, v := range meta {
		if s, ok := v.(string); ok {
			carrier[k] = s
		}
	}
	if id := carrier[snapnote.RequestIDMetadataKey]; id != "" {
		ctx = snapnote.WithRequestID(ctx, id)
	}
	return doInner(propagation.TraceContext{}.Extract(ctx, carrier))
}
