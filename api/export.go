package api

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/httpx"
	"github.com/snapnote/snapnote/internal/intake"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/storage"
)

// exportBatch is how many notes an export reads from the database at once.
const exportBatch = 100

func (s *Server) registerExport(api huma.API) {
	zipResponse := map[string]*huma.Response{"200": {
		Description: "A zip that opens as an Obsidian vault: a folder per course, a Markdown file per note " +
			"with YAML front matter (title, course, created, updated, source pages), and the pages' images " +
			"in each course's attachments folder. Streamed as it is made.",
		Content: map[string]*huma.MediaType{"application/zip": {Schema: &huma.Schema{Type: "string", Format: "binary"}}},
	}}
	huma.Register(api, secured(huma.Operation{
		OperationID: "export-all",
		Method:      http.MethodGet,
		Path:        "/api/export",
		Summary:     "Every note of the caller, as a zip",
		Description: "Every active note in every active course, with its page images.",
		Tags:        []string{"export"},
		Responses:   zipResponse,
	}), s.exportAll)

	huma.Register(api, secured(huma.Operation{
		OperationID: "export-course",
		Method:      http.MethodGet,
		Path:        "/api/courses/{id}/export",
		Summary:     "A course's notes, as a zip",
		Description: "The course's active notes, with their page images, laid out as `GET /api/export` lays out every course.",
		Tags:        []string{"export"},
		Responses:   zipResponse,
		Errors:      []int{http.StatusNotFound, http.StatusConflict},
	}), s.exportCourse)
}

// export streams the zip of the caller's active notes, of one course or
// (courseID uuid.Nil) of all: a batch of notes at a time from the
// database, each image copied from storage into the zip as it is read, so
// an account of any size is exported in bounded memory.
func (s *Server) export(ctx context.Context, courseID uuid.UUID, name string) (*huma.StreamResponse, error) {
	userID := userFrom(ctx).ID
	courses, err := s.cfg.DB.ListCourses(ctx, userID, snapnote.StatusActive)
	if err != nil {
		return nil, s.fail(ctx, "export", err)
	}
	folders := newNames()
	folder := map[uuid.UUID]string{}
	for _, c := range courses {
		folder[c.ID] = folders.unique(fileName(c.Name))
	}
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		hctx.SetHeader("Content-Type", "application/zip")
		hctx.SetHeader("Content-Disposition", httpx.Attachment(name))
		hctx.SetHeader("Cache-Control", "no-store")
		zw := zip.NewWriter(hctx.BodyWriter())
		e := &exporter{s: s, zw: zw, folder: folder, courseNames: map[uuid.UUID]string{}, names: map[uuid.UUID]*names{}}
		for _, c := range courses {
			e.courseNames[c.ID] = c.Name
		}
		err := e.run(ctx, userID, courseID)
		if err == nil {
			err = zw.Close()
		}
		if err != nil {
			// The status is sent: a client sees a zip cut short, which its reader refuses.
			s.logger.ErrorContext(ctx, "export failed", slog.Any("error", err))
			return
		}
		s.logger.InfoContext(ctx, "exported notes", slog.Int("notes", e.notes), slog.Int("images", e.images))
	}}, nil
}

type exporter struct {
	s           *Server
	zw          *zip.Writer
	folder      map[uuid.UUID]string // course → folder in the zip
	courseNames map[uuid.UUID]string
	names       map[uuid.UUID]*names // course → the file names used in its folder
	notes       int
	images      int
}

func (e *exporter) run(ctx context.Context, userID, courseID uuid.UUID) error {
	q := e.s.cfg.DB
	filter := db.DocumentFilter{Status: snapnote.StatusActive, CourseID: courseID, Limit: exportBatch}
	for {
		docs, err := q.ListDocuments(ctx, userID, filter)
		if err != nil || len(docs) == 0 {
			return err
		}
		ids := make([]uuid.UUID, len(docs))
		for i, d := range docs {
			ids[i] = d.ID
		}
		pages, err := q.PagesOfDocuments(ctx, userID, ids)
		if err != nil {
			return err
		}
		figures, err := q.FiguresOfDocuments(ctx, userID, ids)
		if err != nil {
			return err
		}
		for _, d := range docs {
			if err := e.note(ctx, d, pages[d.ID], figures[d.ID]); err != nil {
				return err
			}
		}
		last := docs[len(docs)-1]
		filter.After = &db.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
}

// note writes a note's Markdown file, its pages' images and its figures.
func (e *exporter) note(ctx context.Context, d db.Document, pages []db.Page, figures []db.Figure) error {
	used := e.names[d.CourseID]
	if used == nil {
		used = newNames()
		used.unique("attachments")
		e.names[d.CourseID] = used
	}
	base := used.unique(fileName(d.Title))
	dir := e.folder[d.CourseID]
	var images []string
	for _, p := range pages {
		image := fmt.Sprintf("%s - p%d%s", base, *p.Position, intake.Extension(p.ContentType))
		ok, err := e.image(ctx, path.Join(dir, "attachments", image), p.BlobKey)
		if err != nil {
			return err
		}
		if ok {
			images = append(images, image)
		}
	}
	// The note links its figures where the API serves them; in the vault they are
	// attachments beside the pages, embedded as Obsidian embeds them.
	embeds := map[string]string{}
	for _, f := range figures {
		image := fmt.Sprintf("%s - figure %d%s", base, *f.N, intake.Extension(f.ContentType))
		ok, err := e.image(ctx, path.Join(dir, "attachments", image), f.BlobKey)
		if err != nil {
			return err
		}
		if ok {
			embeds[snapnote.FigureURL(d.ID, *f.N)] = "![[" + image + "]]"
		}
	}
	d.FormattedNote = notes.ReplaceImages(d.FormattedNote, func(link string) (string, bool) {
		embed, ok := embeds[link]
		return embed, ok
	})
	w, err := e.zw.CreateHeader(&zip.FileHeader{Name: path.Join(dir, base+".md"), Method: zip.Deflate, Modified: d.UpdatedAt})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, noteMarkdown(d, e.courseNames[d.CourseID], images)); err != nil {
		return err
	}
	e.notes++
	return nil
}

// image copies the image under key, a page's or a figure's, into the zip,
// stored as it is (photos do not compress). An image gone from storage is
// left out, and the export goes on; ok says whether it was written.
func (e *exporter) image(ctx context.Context, name, key string) (ok bool, err error) {
	blob, _, err := e.s.cfg.Blobs.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		e.s.logger.WarnContext(ctx, "export: image missing from storage", slog.String("key", key))
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer func() { _ = blob.Close() }()
	w, err := e.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: time.Now()})
	if err != nil {
		return false, err
	}
	if _, err := io.Copy(w, blob); err != nil {
		return false, err
	}
	e.images++
	return true, nil
}

// noteMarkdown is a note's file: YAML front matter, the note, and its
// pages embedded the way Obsidian links attachments.
func noteMarkdown(d db.Document, course string, images []string) string {
	var b strings.Builder
	b.WriteString("---\n")
	fmt.Fprintf(&b, "title: %s\n", yamlString(d.Title))
	fmt.Fprintf(&b, "course: %s\n", yamlString(course))
	fmt.Fprintf(&b, "created: %s\n", d.CreatedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "updated: %s\n", d.UpdatedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "id: %s\n", d.ID)
	b.WriteString("source_pages:")
	if len(images) == 0 {
		b.WriteString(" []")
	}
	b.WriteString("\n")
	for _, image := range images {
		fmt.Fprintf(&b, "  - %s\n", yamlString("attachments/"+image))
	}
	b.WriteString("---\n\n")
	b.WriteString(strings.TrimRight(d.FormattedNote, "\n"))
	b.WriteString("\n")
	for _, image := range images {
		fmt.Fprintf(&b, "\n![[%s]]\n", image)
	}
	return b.String()
}

func (s *Server) exportAll(ctx context.Context, _ *struct{}) (*huma.StreamResponse, error) {
	return s.export(ctx, uuid.Nil, "snapnote-export.zip")
}

func (s *Server) exportCourse(ctx context.Context, in *ByID) (*huma.StreamResponse, error) {
	c, err := s.cfg.DB.CourseByID(ctx, userFrom(ctx).ID, in.ID)
	if err != nil {
		return nil, s.fail(ctx, "course", err)
	}
	if c.Status != snapnote.StatusActive {
		return nil, huma.Error409Conflict("the course is in trash: restore it first")
	}
	return s.export(ctx, c.ID, "snapnote-"+fileName(c.Name)+".zip")
}
