package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/notes"
)

// VersionSummary is one earlier text of a note, as the list shows it.
type VersionSummary struct {
	N          int       `json:"n" example:"3" doc:"the version's number in the note: 1 for the first text kept, never reused"`
	Title      string    `json:"title" example:"The First Law of Thermodynamics"`
	ReplacedBy string    `json:"replacedBy" enum:"edit,reread,pages,restore" doc:"what replaced this text: an edit, the pages read again, pages added, or an older version restored"`
	CreatedAt  time.Time `json:"createdAt" doc:"when this text was replaced and kept"`
	URL        string    `json:"url" example:"/api/documents/0193a1c4-2b9d-7e61-8f0a-3c4d5e6f7a8b/versions/3" doc:"where the whole version is read"`
}

// Version is one earlier text of a note, whole.
type Version struct {
	VersionSummary
	OriginalText  string `json:"originalText" doc:"the text as OCR read it then"`
	FormattedNote string `json:"formattedNote" doc:"the note as Markdown then"`
}

func newVersionSummary(v db.Version) VersionSummary {
	return VersionSummary{N: v.N, Title: v.Title, ReplacedBy: v.ReplacedBy, CreatedAt: v.CreatedAt,
		URL: "/api/documents/" + v.DocumentID.String() + "/versions/" + strconv.Itoa(v.N)}
}

// VersionRef is the path of one version of one of the caller's notes.
type VersionRef struct {
	ByID
	N int `path:"n" minimum:"1" doc:"the version's number, as the list of versions gives it" example:"3"`
}

// rereadInput asks for a note's pages to be read again.
type rereadInput struct {
	ByID
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"a retried request with the same key returns the first upload instead of reading the note again twice"`
}

// versionsNote is said in every description of the routes on versions.
var versionsNote = "Whatever rewrites a note's text (an edit of its title or Markdown, its pages read again, pages added, " +
	"a version restored) first keeps the text it replaces as a version; the newest " + strconv.Itoa(snapnote.VersionsKept) +
	" are kept per note, the oldest dropped. Versions go with their note: not shown while it or its course is in trash " +
	"(409), deleted with it, and never exported (an export holds the current text)."

func (s *Server) registerVersions(api huma.API) {
	huma.Register(api, secured(huma.Operation{
		OperationID: "reread-document",
		Method:      http.MethodPost,
		Path:        "/api/documents/{id}/reread",
		Summary:     "Read a note's pages again",
		Description: "Runs the whole pipeline (OCR, formatting, extraction) again on the note's stored pages, in the " +
			"course's language as it is now. Answers 202 with the upload that does it: follow it as any upload " +
			"(`GET /api/uploads/{id}/events`); when it is done the same note holds the new text, its previous text " +
			"kept as a version, and a title you edited kept. 409 while the note is in trash, or while another upload " +
			"adds to it or reads it. " + versionsNote,
		Tags:          []string{"documents"},
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}), s.rereadDocument)

	huma.Register(api, secured(huma.Operation{
		OperationID: "list-document-versions",
		Method:      http.MethodGet,
		Path:        "/api/documents/{id}/versions",
		Summary:     "A note's earlier texts",
		Description: "Newest first, each without its text (read one at its `url`). " + versionsNote,
		Tags:        []string{"documents"},
		Errors:      []int{http.StatusNotFound, http.StatusConflict},
	}), s.listVersions)

	huma.Register(api, secured(huma.Operation{
		OperationID: "get-document-version",
		Method:      http.MethodGet,
		Path:        "/api/documents/{id}/versions/{n}",
		Summary:     "One earlier text of a note",
		Description: versionsNote,
		Tags:        []string{"documents"},
		Errors:      []int{http.StatusNotFound, http.StatusConflict},
	}), s.getVersion)

	huma.Register(api, secured(huma.Operation{
		OperationID: "restore-document-version",
		Method:      http.MethodPost,
		Path:        "/api/documents/{id}/versions/{n}/restore",
		Summary:     "Make an earlier text the note's text again",
		Description: "The note takes the version's title, Markdown and OCR text; its current text is kept as a " +
			"version first, so a restore can itself be undone. Answers with the note. " + versionsNote,
		Tags:   []string{"documents"},
		Errors: []int{http.StatusNotFound, http.StatusConflict},
	}), s.restoreVersion)
}

// noteForVersions returns one of the caller's notes for a route on its
// versions or its pages read again, locking its row when lock is set:
// 404 when it is not the caller's, 409 when it or its course is in trash.
func (s *Server) noteForVersions(ctx context.Context, q *db.Queries, id uuid.UUID, lock bool) (db.Document, error) {
	userID := userFrom(ctx).ID
	read := q.DocumentByID
	if lock {
		read = q.LockDocument
	}
	d, err := read(ctx, userID, id)
	if err != nil {
		return d, s.fail(ctx, "document", err)
	}
	if d.Status != snapnote.StatusActive {
		return d, huma.Error409Conflict("the note is in trash: restore it first")
	}
	c, err := q.CourseByID(ctx, userID, d.CourseID)
	if err != nil {
		return d, s.fail(ctx, "course", err)
	}
	if c.Status != snapnote.StatusActive {
		return d, huma.Error409Conflict("the note's course is in trash: restore the course first")
	}
	return d, nil
}

func (s *Server) rereadDocument(ctx context.Context, in *rereadInput) (*uploadOutput, error) {
	if out, ok, err := s.uploadByIdempotencyKey(ctx, in.IdempotencyKey, &in.ID, true); ok || err != nil {
		return out, err
	}
	u, err := s.cfg.Queue.RereadDocument(ctx, in.ID, in.IdempotencyKey, actor(ctx))
	switch {
	case errors.Is(err, db.ErrInTrash):
		return nil, huma.Error409Conflict("the note is in trash: restore it first")
	case errors.Is(err, db.ErrCourseInTrash):
		return nil, huma.Error409Conflict("the note's course is in trash: restore the course first")
	case errors.Is(err, db.ErrNoPages):
		return nil, huma.Error409Conflict("the note has no stored pages to read again")
	case errors.Is(err, db.ErrConflict) && in.IdempotencyKey != "":
		// A concurrent request with the same key won the race.
		if out, ok, err := s.uploadByIdempotencyKey(ctx, in.IdempotencyKey, &in.ID, true); ok || err != nil {
			return out, err
		}
	}
	if err != nil {
		return nil, s.fail(ctx, "document", err)
	}
	s.logger.InfoContext(ctx, "note queued to be read again", slog.String("upload_id", u.ID.String()),
		slog.String("document_id", in.ID.String()), slog.Int("pages", u.PageCount))
	return s.uploadAccepted(ctx, u)
}

func (s *Server) listVersions(ctx context.Context, in *ByID) (*output[[]VersionSummary], error) {
	q := s.cfg.DB.Queries
	if _, err := s.noteForVersions(ctx, q, in.ID, false); err != nil {
		return nil, err
	}
	versions, err := q.DocumentVersions(ctx, userFrom(ctx).ID, in.ID)
	if err != nil {
		return nil, s.fail(ctx, "versions", err)
	}
	out := &output[[]VersionSummary]{Body: make([]VersionSummary, 0, len(versions))}
	for _, v := range versions {
		out.Body = append(out.Body, newVersionSummary(v))
	}
	return out, nil
}

func (s *Server) getVersion(ctx context.Context, in *VersionRef) (*output[Version], error) {
	q := s.cfg.DB.Queries
	if _, err := s.noteForVersions(ctx, q, in.ID, false); err != nil {
		return nil, err
	}
	v, err := q.VersionByN(ctx, userFrom(ctx).ID, in.ID, in.N)
	if err != nil {
		return nil, s.fail(ctx, "version", err)
	}
	return &output[Version]{Body: Version{VersionSummary: newVersionSummary(v), OriginalText: v.OriginalText,
		FormattedNote: v.FormattedNote}}, nil
}

func (s *Server) restoreVersion(ctx context.Context, in *VersionRef) (*output[Document], error) {
	var d db.Document
	err := s.inTx(ctx, "document", func(q *db.Queries) error {
		var err error
		if d, err = s.noteForVersions(ctx, q, in.ID, true); err != nil {
			return err
		}
		v, err := q.VersionByN(ctx, d.UserID, d.ID, in.N)
		if err != nil {
			return s.fail(ctx, "version", err)
		}
		kept, err := q.KeepVersion(ctx, d.ID, snapnote.ReplacedByRestore)
		if err != nil {
			return err
		}
		d.Title, d.FormattedNote, d.OriginalText = v.Title, v.FormattedNote, v.OriginalText
		d.Excerpt = notes.Excerpt(d.FormattedNote, d.Title, snapnote.ExcerptMax)
		if d, err = q.UpdateDocument(ctx, d); err != nil {
			return err
		}
		return audit(ctx, q, db.AuditRestoreVersion, db.EntityDocument, d.ID,
			map[string]any{"version": v.N, "kept": kept.N})
	})
	if err != nil {
		return nil, err
	}
	return &output[Document]{Body: newDocument(d)}, nil
}
