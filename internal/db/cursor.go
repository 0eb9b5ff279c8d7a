package db

import (
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Cursor marks a position in a list ordered by (created_at, id) descending.
type Cursor struct {
	CreatedAt time.Time
	ID        uuid.UUID
}

// ErrBadCursor is returned by ParseCursor for a string it did not make.
var ErrBadCursor = errors.New("malformed cursor")

// String encodes the cursor as an opaque URL-safe token.
func (c Cursor) String() string {
	raw := c.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + c.ID.String()
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// ParseCursor decodes a token made by Cursor.String; "" gives nil.
func ParseCursor(s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, ErrBadCursor
	}
	ts, id, ok := strings.Cut(string(raw), "|")
	if !ok {
		return nil, ErrBadCursor
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return nil, ErrBadCursor
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, ErrBadCursor
	}
	return &Cursor{CreatedAt: t, ID: u}, nil
}

func (c *Cursor) time() *time.Time {
	if c == nil {
		return nil
	}
	return &c.CreatedAt
}

func (c *Cursor) id() *uuid.UUID {
	if c == nil {
		return nil
	}
	return &c.ID
}
