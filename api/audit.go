package api

import (
	"context"
	"net"
	"net/http"
	"net/netip"

	"github.com/google/uuid"

	"github.com/snapnote/snapnote/internal/db"
)

type clientKey struct{}

// client is who sent a request, for the audit log.
type client struct {
	IP        netip.Addr
	UserAgent string
}

// withClient notes the peer address and user agent of the request. The
// address is the TCP peer: behind a proxy it is the proxy's, since trusting
// X-Forwarded-For from anyone would let a client write its own audit trail.
func withClient(r *http.Request) *http.Request {
	c := client{UserAgent: r.UserAgent()}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		c.IP, _ = netip.ParseAddr(host)
	}
	return r.WithContext(context.WithValue(r.Context(), clientKey{}, c))
}

// actor is who makes a change, for its audit row: the caller, from where.
func actor(ctx context.Context) db.AuditEntry {
	user := userFrom(ctx)
	c, _ := ctx.Value(clientKey{}).(client)
	return db.AuditEntry{UserID: &user.ID, IP: c.IP, UserAgent: c.UserAgent}
}

// audit records a change by the caller, in the transaction q runs in.
func audit(ctx context.Context, q *db.Queries, action db.AuditAction, entityType db.AuditEntity, id uuid.UUID, changes map[string]any) error {
	e := actor(ctx)
	e.Action, e.EntityType, e.EntityID, e.Changes = action, entityType, id, changes
	return q.InsertAudit(ctx, e)
}
