package db

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/google/uuid"
)

// AuditAction is what an audit row says was done.
type AuditAction string

// Audit actions.
const (
	AuditCreate  AuditAction = "create"
	AuditUpdate  AuditAction = "update"
	AuditTrash   AuditAction = "trash"
	AuditRestore AuditAction = "restore"
	AuditPurge   AuditAction = "purge"
	AuditDelete  AuditAction = "delete"
	AuditRetry   AuditAction = "retry"
	// AuditReread is a note's pages queued to be read again.
	AuditReread AuditAction = "reread"
	// AuditRestoreVersion is a note's text replaced by one of its versions.
	AuditRestoreVersion AuditAction = "restore_version"
)

// AuditEntity is the kind of row an audit row is about.
type AuditEntity string

// The kinds of rows audited.
const (
	EntityCourse   AuditEntity = "course"
	EntityDocument AuditEntity = "document"
	EntityUpload   AuditEntity = "upload"
	EntityUser     AuditEntity = "user"
)

// AuditEntry is one change to record. Write it in the transaction of the
// change itself, so the log never claims a change that rolled back.
type AuditEntry struct {
	UserID     *uuid.UUID // nil for the system (scheduled jobs)
	Action     AuditAction
	EntityType AuditEntity
	EntityID   uuid.UUID
	Changes    map[string]any // changed fields: new values, or {"from":…, "to":…}
	IP         netip.Addr     // zero when not from a request
	UserAgent  string
}

// InsertAudit records an entry.
func (q *Queries) InsertAudit(ctx context.Context, e AuditEntry) error {
	var ip *netip.Addr
	if e.IP.IsValid() {
		ip = &e.IP
	}
	_, err := q.db.Exec(ctx, `
		INSERT INTO audit_logs (user_id, action, entity_type, entity_id, changes, ip_address, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, nullif($7, ''))`,
		e.UserID, string(e.Action), string(e.EntityType), e.EntityID, e.Changes, ip, e.UserAgent)
	if err != nil {
		return fmt.Errorf("record %s of %s %s: %w", e.Action, e.EntityType, e.EntityID, err)
	}
	return nil
}
