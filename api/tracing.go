package api

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// traced makes a server span of every request (otelhttp) on the configured
// tracer provider, continuing a caller's W3C traceparent. The span is named
// for its method until nameSpan, for operations, names it for the route.
func (s *Server) traced(next http.Handler) http.Handler {
	tp := s.cfg.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return otelhttp.NewHandler(next, "http",
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithPropagators(otel.GetTextMapPropagator()),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }),
	)
}

// nameSpan is a Huma middleware naming the request's span for its operation's
// route ("POST /api/uploads"), so spans group by route, not by id.
func nameSpan(ctx huma.Context, next func(huma.Context)) {
	if op := ctx.Operation(); op != nil {
		span := trace.SpanFromContext(ctx.Context())
		span.SetName(op.Method + " " + op.Path)
		span.SetAttributes(attribute.String("http.route", op.Path), attribute.String("snapnote.operation", op.OperationID))
	}
	next(ctx)
}
