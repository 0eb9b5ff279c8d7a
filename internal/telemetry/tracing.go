package telemetry

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Tracing is a process's tracer provider and how to flush it.
type Tracing struct {
	// Provider makes the process's spans; a no-op one when tracing is off.
	Provider trace.TracerProvider
	// Enabled says whether spans are recorded and exported.
	Enabled  bool
	shutdown func(context.Context) error
}

// StartTracing returns the tracing of a process named service. With
// endpoint empty (OTEL_EXPORTER_OTLP_ENDPOINT unset) tracing is off: the
// provider makes no-op spans. Otherwise spans are batched and sent by OTLP
// over HTTP to endpoint (the exporter reads the other OTEL_EXPORTER_OTLP_*
// variables, headers among them, itself), and the provider becomes the
// global one, with W3C trace-context propagation.
func StartTracing(ctx context.Context, service, endpoint string) (*Tracing, error) {
	if endpoint == "" {
		return &Tracing{Provider: noop.NewTracerProvider(), shutdown: func(context.Context) error { return nil }}, nil
	}
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter for %s: %w", endpoint, err)
	}
	// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, read after, win.
	res, err := resource.New(ctx, resource.WithAttributes(semconv.ServiceName(service)),
		resource.WithTelemetrySDK(), resource.WithHost(), resource.WithFromEnv())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	provider := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	otel.SetTracerProvider(provider)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return &Tracing{Provider: provider, Enabled: true, shutdown: provider.Shutdown}, nil
}

// Shutdown sends the spans still buffered and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if err := t.shutdown(ctx); err != nil {
		return fmt.Errorf("flush traces: %w", err)
	}
	return nil
}
