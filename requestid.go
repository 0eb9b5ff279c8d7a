package snapnote

import "context"

// RequestIDMetadataKey is the key under which a River job's metadata carries
// the id of the request that queued it, so the job's logs name that request.
const RequestIDMetadataKey = "request_id"

type requestIDKey struct{}

// WithRequestID returns ctx carrying id, the id of the HTTP request (or of
// the request that queued the job) being served.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id ctx carries, or "" when it carries none.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
