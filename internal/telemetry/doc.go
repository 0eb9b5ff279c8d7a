// Package telemetry is how SnapNote's processes report what they do beyond
// their own answers: OpenTelemetry traces, exported by OTLP when
// OTEL_EXPORTER_OTLP_ENDPOINT is set and off otherwise, and a slog handler
// that puts the request id and the trace id in every log line made with a
// request's (or a job's) context.
//
// The spans of one upload form one trace: the HTTP request (otelhttp), the
// River insert of its first job, each stage's job and the next insert
// (otelriver, with the job's parent taken from its metadata), and every SQL
// query (the pgx tracer in package db).
package telemetry
