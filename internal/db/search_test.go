package db_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/pgtest"
)

func TestSearchDocumentsHighlightsOnlyMatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Migrated(t)
	q := db.New(pool)
	user, err := q.UpsertUser(ctx, db.Identity{Subject: "alice"})
	require.NoError(t, err)
	course, err := q.CreateCourse(ctx, user.ID, db.CourseInput{Name: "Physics"})
	require.NoError(t, err)
	// A note that carries the highlighter's own markers cannot forge a highlight.
	_, err = pool.Exec(ctx, `INSERT INTO documents (course_id, user_id, title, original_text, formatted_note)
		VALUES ($1, $2, 'Heat', '', $3)`, course.ID, user.ID,
		"forged "+db.HighlightStart+"mark"+db.HighlightStop+" then entropy rises")
	require.NoError(t, err)

	hits, err := q.SearchDocuments(ctx, user.ID, db.SearchParams{Query: "entropy", Mode: db.MatchFullText, Limit: 10})
	require.NoError(t, err)
	require.Len(t, hits, 1)
	require.Equal(t, 1, strings.Count(hits[0].Snippet, db.HighlightStart), hits[0].Snippet)
	require.Contains(t, hits[0].Snippet, db.HighlightStart+"entropy"+db.HighlightStop)
	require.Equal(t, "Physics", hits[0].CourseName)

	_, err = q.SearchDocuments(ctx, user.ID, db.SearchParams{Query: "x", Mode: "regex", Limit: 10})
	require.Error(t, err)
}

func TestListDocumentsBreaksTiesByID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Migrated(t)
	q := db.New(pool)
	user, err := q.UpsertUser(ctx, db.Identity{Subject: "alice"})
	require.NoError(t, err)
	course, err := q.CreateCourse(ctx, user.ID, db.CourseInput{Name: "Physics"})
	require.NoError(t, err)
	same := time.Now().Truncate(time.Microsecond)
	for range 7 {
		_, err = pool.Exec(ctx, `INSERT INTO documents (course_id, user_id, title, original_text, formatted_note, created_at)
			VALUES ($1, $2, 't', '', '', $3)`, course.ID, user.ID, same)
		require.NoError(t, err)
	}
	seen := map[uuid.UUID]bool{}
	var after *db.Cursor
	for {
		page, err := q.ListDocuments(ctx, user.ID, db.DocumentFilter{Status: snapnote.StatusActive, After: after, Limit: 3})
		require.NoError(t, err)
		for _, d := range page {
			require.False(t, seen[d.ID])
			seen[d.ID] = true
		}
		if len(page) < 3 {
			break
		}
		after = &db.Cursor{CreatedAt: page[2].CreatedAt, ID: page[2].ID}
	}
	require.Len(t, seen, 7)
}
