package db_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/pgtest"
)

// Claims the columns cannot hold must not lock the user out.
func TestUpsertUserWithOversizedClaims(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	q := db.New(pgtest.Migrated(t))
	long := strings.Repeat("ü", 600)
	u, err := q.UpsertUser(ctx, db.Identity{Subject: "auth0|x", Name: long, Email: long + "@example.edu", Picture: "https://p/" + long})
	require.NoError(t, err)
	require.Equal(t, 255, len([]rune(u.Name)))
	require.Empty(t, u.Email)
	require.Empty(t, u.AvatarURL)
}

// A statement run with Exec answers with the package's errors too: text
// Postgres cannot store is ErrInvalidText, not the driver's error.
func TestExecErrorsGoThroughTheBoundary(t *testing.T) {
	t.Parallel()
	q := db.New(pgtest.Migrated(t))
	err := q.SaveStage(t.Context(), uuid.New(), db.FormatResult{Markdown: "a\x00b"}, 0)
	require.ErrorIs(t, err, db.ErrInvalidText)
}
