package api

import (
	"github.com/danielgtaylor/huma/v2"

	"github.com/snapnote/snapnote/internal/db"
)

// pageInput is the query of every keyset-paginated list.
type pageInput struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"items per page"`
	Cursor string `query:"cursor" maxLength:"200" doc:"nextCursor of the previous page"`
}

func (p *pageInput) cursor() (*db.Cursor, error) {
	c, err := db.ParseCursor(p.Cursor)
	if err != nil {
		return nil, huma.Error422UnprocessableEntity("invalid cursor",
			&huma.ErrorDetail{Location: "query.cursor", Message: "not a cursor this API returned", Value: p.Cursor})
	}
	return c, nil
}

// page trims a list fetched with limit+1 rows to limit, and returns the
// cursor of the next page when there is one.
func page[T any](items []T, limit int, cursorOf func(T) db.Cursor) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, cursorOf(items[limit-1]).String()
}
