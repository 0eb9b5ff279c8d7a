package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
)

// statusRoute registers the operation that moves one of the caller's rows
// (a course or a document) to status: trash or restore, the same shape for
// both. The answer is the row; moving a row already in status changes
// nothing and writes no audit row.
func statusRoute[Row, Out any](s *Server, api huma.API, op huma.Operation, entity db.AuditEntity, status string,
	move func(q *db.Queries, ctx context.Context, userID, id uuid.UUID, status string) (Row, bool, error),
	view func(Row) Out) {
	action := db.AuditTrash
	if status == snapnote.StatusActive {
		action = db.AuditRestore
	}
	op.Tags = []string{string(entity) + "s"}
	op.Errors = append(op.Errors, http.StatusNotFound)
	huma.Register(api, secured(op), func(ctx context.Context, in *ByID) (*output[Out], error) {
		var row Row
		err := s.inTx(ctx, string(entity), func(q *db.Queries) error {
			var changed bool
			var err error
			row, changed, err = move(q, ctx, userFrom(ctx).ID, in.ID, status)
			if errors.Is(err, db.ErrCourseInTrash) {
				return huma.Error409Conflict("the document's course is in trash: restore the course first")
			}
			if err != nil || !changed {
				return err
			}
			return audit(ctx, q, action, entity, in.ID, map[string]any{"status": status})
		})
		if err != nil {
			return nil, err
		}
		return &output[Out]{Body: view(row)}, nil
	})
}

// Trash is what the caller has in trash.
type Trash struct {
	Courses    []Course   `json:"courses" doc:"every course in trash, each with the count of its documents that restoring it brings back"`
	Documents  []Document `json:"documents" doc:"documents in trash, newest first; a page of them when nextCursor is set"`
	NextCursor string     `json:"nextCursor,omitempty" doc:"pass as cursor for the next page of documents"`
}

// Purge counts what emptying the trash deleted.
type Purge struct {
	Courses   int `json:"courses" example:"1" doc:"courses deleted, with all their documents"`
	Documents int `json:"documents" example:"7" doc:"documents deleted, in those courses or trashed on their own"`
}

func (s *Server) registerTrash(api huma.API) {
	huma.Register(api, secured(huma.Operation{
		OperationID: "list-trash",
		Method:      http.MethodGet,
		Path:        "/api/trash",
		Summary:     "What is in trash",
		Description: "Courses and documents moved to trash, with `deletedAt`. Documents of a course in trash " +
			"that were active are not listed: they come back with the course (see its `documentCount`).",
		Tags: []string{"trash"},
	}), s.listTrash)

	huma.Register(api, secured(huma.Operation{
		OperationID: "empty-trash",
		Method:      http.MethodDelete,
		Path:        "/api/trash",
		Summary:     "Empty the trash now",
		Description: "Deletes for good every course and document in trash, with the documents of those " +
			"courses, their uploads and images. The daily purge does the same after the retention period.",
		Tags: []string{"trash"},
	}), s.emptyTrash)
}

func (s *Server) listTrash(ctx context.Context, in *pageInput) (*output[Trash], error) {
	after, err := in.cursor()
	if err != nil {
		return nil, err
	}
	userID := userFrom(ctx).ID
	q := s.cfg.DB.Queries
	courses, err := q.ListCourses(ctx, userID, snapnote.StatusTrash)
	if err != nil {
		return nil, s.fail(ctx, "trash", err)
	}
	docs, next, err := s.documentPage(ctx, q, db.DocumentFilter{Status: snapnote.StatusTrash, After: after, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	out := &output[Trash]{Body: Trash{Courses: make([]Course, 0, len(courses)), Documents: docs, NextCursor: next}}
	for _, c := range courses {
		out.Body.Courses = append(out.Body.Courses, newCourse(c))
	}
	return out, nil
}

func (s *Server) emptyTrash(ctx context.Context, _ *struct{}) (*output[Purge], error) {
	purged, err := s.cfg.Queue.EmptyTrash(ctx, actor(ctx))
	if err != nil {
		return nil, s.fail(ctx, "trash", err)
	}
	return &output[Purge]{Body: Purge{Courses: len(purged.Courses), Documents: len(purged.Documents)}}, nil
}
