package api

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
)

// Course groups notes.
type Course struct {
	ID            uuid.UUID  `json:"id" example:"0193a1c2-7f1e-7c3a-9d2b-5e8f4a6b1c2d"`
	Name          string     `json:"name" example:"Thermodynamics"`
	Description   string     `json:"description,omitempty" example:"PHYS 201, Tuesdays"`
	Color         string     `json:"color,omitempty" example:"#3B82F6"`
	Icon          string     `json:"icon,omitempty" example:"🔥"`
	Language      string     `json:"language" example:"fra" doc:"what its pages are read in: Tesseract language codes joined by +, or auto"`
	DocumentCount int        `json:"documentCount" example:"12" doc:"active documents in the course"`
	Status        string     `json:"status" enum:"active,trash" example:"active"`
	CreatedAt     time.Time  `json:"createdAt" example:"2026-09-14T09:30:00Z"`
	UpdatedAt     time.Time  `json:"updatedAt" example:"2026-10-02T16:05:12Z"`
	DeletedAt     *time.Time `json:"deletedAt,omitempty" doc:"when it was moved to trash"`
}

func newCourse(c db.Course) Course {
	return Course{ID: c.ID, Name: c.Name, Description: c.Description, Color: c.Color, Icon: c.Icon,
		Language: c.Language, DocumentCount: c.DocumentCount, Status: c.Status, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		DeletedAt: c.DeletedAt}
}

// courseFields are the fields of a new course.
type courseFields struct {
	Name        string `json:"name" minLength:"1" maxLength:"255" example:"Thermodynamics" doc:"1–255 characters after trimming"`
	Description string `json:"description,omitempty" maxLength:"10000" required:"false" example:"PHYS 201, Tuesdays"`
	Color       string `json:"color,omitempty" pattern:"^#[0-9A-Fa-f]{6}$" patternDescription:"#RRGGBB" required:"false" example:"#3B82F6"`
	Icon        string `json:"icon,omitempty" maxLength:"50" required:"false" example:"🔥"`
	Language    string `json:"language,omitempty" maxLength:"64" pattern:"^(auto|[a-z]{3}(_[a-z]+)*(\\+[a-z]{3}(_[a-z]+)*)*)$" patternDescription:"Tesseract language codes joined by +, or auto" required:"false" example:"deu+eng" doc:"what its pages are read in; default: the server's OCR_LANG"`
}

// Resolve checks what tags cannot: a name of only spaces.
func (f *courseFields) Resolve(huma.Context) []error {
	f.Name = strings.TrimSpace(f.Name)
	f.Description = strings.TrimSpace(f.Description)
	return blankName(f.Name)
}

// coursePatch changes only the fields sent. An empty string clears an
// optional field (description, color, icon); null, like an absent field,
// leaves it as it is (Huma accepts null for an optional field).
type coursePatch struct {
	Name        *string `json:"name,omitempty" minLength:"1" maxLength:"255" example:"Thermodynamics II" doc:"1–255 characters after trimming"`
	Description *string `json:"description,omitempty" maxLength:"10000" doc:"\"\" clears it"`
	Color       *string `json:"color,omitempty" pattern:"^(#[0-9A-Fa-f]{6})?$" patternDescription:"#RRGGBB, or \"\" to clear" example:"#EF4444"`
	Icon        *string `json:"icon,omitempty" maxLength:"50" doc:"\"\" clears it" example:"⚛️"`
	Language    *string `json:"language,omitempty" maxLength:"64" pattern:"^(auto|[a-z]{3}(_[a-z]+)*(\\+[a-z]{3}(_[a-z]+)*)*)$" patternDescription:"Tesseract language codes joined by +, or auto" example:"auto" doc:"what its pages are read in; pages already read keep their text"`
}

// Resolve trims the text fields and refuses a blank name.
func (p *coursePatch) Resolve(huma.Context) []error {
	for _, f := range []*string{p.Name, p.Description} {
		if f != nil {
			*f = strings.TrimSpace(*f)
		}
	}
	if p.Name != nil {
		return blankName(*p.Name)
	}
	return nil
}

// apply sets the fields sent on c and returns the changed ones' new values.
func (p *coursePatch) apply(c *db.Course) map[string]any {
	changes := map[string]any{}
	patchField(changes, "name", &c.Name, p.Name)
	patchField(changes, "description", &c.Description, p.Description)
	patchField(changes, "color", &c.Color, p.Color)
	patchField(changes, "icon", &c.Icon, p.Icon)
	patchField(changes, "language", &c.Language, p.Language)
	return changes
}

func blankName(name string) []error {
	if name == "" {
		return []error{&huma.ErrorDetail{Location: "body.name", Message: "must not be blank"}}
	}
	return nil
}

// patchField sets *dst to *src when src was sent and differs, recording the
// new value under name in changes.
func patchField[T comparable](changes map[string]any, name string, dst, src *T) {
	if src != nil && *src != *dst {
		*dst = *src
		changes[name] = *src
	}
}

type courseListOutput struct {
	Body struct {
		Items []Course `json:"items"`
	}
}

func (s *Server) registerCourses(api huma.API) {
	huma.Register(api, secured(huma.Operation{
		OperationID:   "create-course",
		Method:        http.MethodPost,
		Path:          "/api/courses",
		Summary:       "Create a course",
		Tags:          []string{"courses"},
		DefaultStatus: http.StatusCreated,
	}), s.createCourse)

	huma.Register(api, secured(huma.Operation{
		OperationID: "list-courses",
		Method:      http.MethodGet,
		Path:        "/api/courses",
		Summary:     "List the caller's courses",
		Description: "Most recently updated first, each with its count of active documents.",
		Tags:        []string{"courses"},
	}), s.listCourses)

	huma.Register(api, secured(huma.Operation{
		OperationID: "get-course",
		Method:      http.MethodGet,
		Path:        "/api/courses/{id}",
		Summary:     "Get a course",
		Description: "Answers for a course in trash too; `status` tells.",
		Tags:        []string{"courses"},
	}), s.getCourse)

	huma.Register(api, secured(huma.Operation{
		OperationID: "update-course",
		Method:      http.MethodPatch,
		Path:        "/api/courses/{id}",
		Summary:     "Change a course",
		Description: "Changes only the fields sent; `\"\"` clears description, color or icon, while `null` " +
			"is the same as leaving a field out. `updatedAt` moves only when something changed.",
		Tags: []string{"courses"},
	}), s.updateCourse)

	statusRoute(s, api, huma.Operation{
		OperationID: "trash-course",
		Method:      http.MethodDelete,
		Path:        "/api/courses/{id}",
		Summary:     "Move a course to trash",
		Description: "Sets `deletedAt` and answers with the course. Its documents leave lists and search " +
			"but keep their own status, so restoring the course brings back exactly those that were active. " +
			"Emptying the trash (or the daily purge after the retention period) deletes it for good.",
	}, db.EntityCourse, snapnote.StatusTrash, (*db.Queries).SetCourseStatus, newCourse)

	statusRoute(s, api, huma.Operation{
		OperationID: "restore-course",
		Method:      http.MethodPost,
		Path:        "/api/courses/{id}/restore",
		Summary:     "Restore a course from trash",
		Description: "Answers with the course, its active documents visible again.",
	}, db.EntityCourse, snapnote.StatusActive, (*db.Queries).SetCourseStatus, newCourse)
}

func (s *Server) createCourse(ctx context.Context, in *struct{ Body courseFields }) (*created[Course], error) {
	in.Body.Language = cmp.Or(in.Body.Language, s.cfg.DefaultLanguage)
	if err := s.checkLanguage(in.Body.Language); err != nil {
		return nil, err
	}
	var c db.Course
	err := s.inTx(ctx, "course", func(q *db.Queries) error {
		var err error
		if c, err = q.CreateCourse(ctx, userFrom(ctx).ID, db.CourseInput(in.Body)); err != nil {
			return err
		}
		return audit(ctx, q, db.AuditCreate, db.EntityCourse, c.ID, map[string]any{
			"name": c.Name, "description": c.Description, "color": c.Color, "icon": c.Icon, "language": c.Language})
	})
	if err != nil {
		return nil, err
	}
	return &created[Course]{Location: "/api/courses/" + c.ID.String(), Body: newCourse(c)}, nil
}

func (s *Server) listCourses(ctx context.Context, in *struct {
	Status string `query:"status" enum:"active,trash" default:"active"`
}) (*courseListOutput, error) {
	courses, err := s.cfg.DB.ListCourses(ctx, userFrom(ctx).ID, in.Status)
	if err != nil {
		return nil, s.fail(ctx, "courses", err)
	}
	out := &courseListOutput{}
	out.Body.Items = make([]Course, 0, len(courses))
	for _, c := range courses {
		out.Body.Items = append(out.Body.Items, newCourse(c))
	}
	return out, nil
}

func (s *Server) updateCourse(ctx context.Context, in *struct {
	ByID
	Body coursePatch
}) (*output[Course], error) {
	if in.Body.Language != nil {
		if err := s.checkLanguage(*in.Body.Language); err != nil {
			return nil, err
		}
	}
	var c db.Course
	err := s.inTx(ctx, "course", func(q *db.Queries) error {
		var err error
		if c, err = q.LockCourse(ctx, userFrom(ctx).ID, in.ID); err != nil {
			return err
		}
		changes := in.Body.apply(&c)
		if len(changes) == 0 {
			return nil
		}
		if c, err = q.UpdateCourse(ctx, c); err != nil {
			return err
		}
		return audit(ctx, q, db.AuditUpdate, db.EntityCourse, c.ID, changes)
	})
	if err != nil {
		return nil, err
	}
	return &output[Course]{Body: newCourse(c)}, nil
}

// checkLanguage answers 422, naming the installed languages, when a course
// asks for one the worker cannot read.
func (s *Server) checkLanguage(language string) error {
	if s.cfg.Languages == nil {
		return nil
	}
	for _, code := range snapnote.LanguageCodes(language) {
		if !slices.Contains(s.cfg.Languages, code) {
			return huma.Error422UnprocessableEntity("language not installed", &huma.ErrorDetail{
				Location: "body.language",
				Message:  fmt.Sprintf("%q is not installed; installed: %s (or auto)", code, strings.Join(s.cfg.Languages, ", ")),
				Value:    language,
			})
		}
	}
	return nil
}

func (s *Server) getCourse(ctx context.Context, in *ByID) (*output[Course], error) {
	c, err := s.cfg.DB.CourseByID(ctx, userFrom(ctx).ID, in.ID)
	if err != nil {
		return nil, s.fail(ctx, "course", err)
	}
	return &output[Course]{Body: newCourse(c)}, nil
}
