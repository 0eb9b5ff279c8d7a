package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Course groups a user's notes.
type Course struct {
	ID            uuid.UUID
	UserID        uuid.UUID
	Name          string
	Description   string
	Color         string
	Icon          string
	Language      string // snapnote.LanguagePattern
	Status        string
	DocumentCount int // active documents
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DeletedAt     *time.Time
}

// CourseInput holds the writable fields of a course.
type CourseInput struct {
	Name        string
	Description string
	Color       string
	Icon        string
	// Language is the course's reading language; "" keeps the table's
	// default (see migration 007).
	Language string
}

const courseColumns = `c.id, c.user_id, c.name, coalesce(c.description, ''), coalesce(c.color, ''),
	coalesce(c.icon, ''), c.language, c.status, c.created_at, c.updated_at, c.deleted_at,
	(SELECT count(*) FROM documents d WHERE d.course_id = c.id AND d.status = 'active')`

func scanCourse(row scanner) (Course, error) {
	var c Course
	err := row.Scan(&c.ID, &c.UserID, &c.Name, &c.Description, &c.Color, &c.Icon,
		&c.Language, &c.Status, &c.CreatedAt, &c.UpdatedAt, &c.DeletedAt, &c.DocumentCount)
	return c, interpretError(err)
}

// CreateCourse adds an active course for the user.
func (q *Queries) CreateCourse(ctx context.Context, userID uuid.UUID, in CourseInput) (Course, error) {
	c, err := scanCourse(q.db.QueryRow(ctx, `
		WITH c AS (
			INSERT INTO courses (user_id, name, description, color, icon, language)
			VALUES ($1, $2, nullif($3, ''), nullif($4, ''), nullif($5, ''), coalesce(nullif($6, ''), 'eng'))
			RETURNING *
		)
		SELECT `+courseColumns+` FROM c`,
		userID, in.Name, in.Description, in.Color, in.Icon, in.Language))
	if err != nil {
		return Course{}, fmt.Errorf("create course: %w", err)
	}
	return c, nil
}

// CourseByID returns one of the user's courses, in any status.
func (q *Queries) CourseByID(ctx context.Context, userID, id uuid.UUID) (Course, error) {
	return scanCourse(q.db.QueryRow(ctx,
		`SELECT `+courseColumns+` FROM courses c WHERE c.id = $1 AND c.user_id = $2`, id, userID))
}

// ListCourses returns the user's courses in status, most recently updated
// first, each with its count of active documents from the same query.
func (q *Queries) ListCourses(ctx context.Context, userID uuid.UUID, status string) ([]Course, error) {
	return list(ctx, q.db, "list courses", scanCourse, `
		SELECT `+courseColumns+` FROM courses c
		WHERE c.user_id = $1 AND c.status = $2
		ORDER BY c.updated_at DESC, c.id DESC`, userID, status)
}

// LockCourse returns one of the user's courses, in any status, locking its
// row until the transaction ends so a read-modify-write cannot lose an update.
func (q *Queries) LockCourse(ctx context.Context, userID, id uuid.UUID) (Course, error) {
	return scanCourse(q.db.QueryRow(ctx,
		`SELECT `+courseColumns+` FROM courses c WHERE c.id = $1 AND c.user_id = $2 FOR UPDATE OF c`, id, userID))
}

// UpdateCourse writes c's writable fields and bumps its updatedAt. It
// returns ErrNotFound when c is not one of c.UserID's courses.
func (q *Queries) UpdateCourse(ctx context.Context, c Course) (Course, error) {
	return scanCourse(q.db.QueryRow(ctx, `
		WITH c AS (
			UPDATE courses SET name = $3, description = nullif($4, ''), color = nullif($5, ''),
				icon = nullif($6, ''), language = $7, updated_at = now()
			WHERE id = $1 AND user_id = $2
			RETURNING *
		)
		SELECT `+courseColumns+` FROM c`,
		c.ID, c.UserID, c.Name, c.Description, c.Color, c.Icon, c.Language))
}

// SetCourseStatus moves one of the user's courses to status (snapnote.StatusActive or
// snapnote.StatusTrash), setting or clearing deletedAt. Its documents keep their own
// status: lists and search hide those of a course in trash, so restoring the
// course brings back exactly the documents that were active. It returns the
// course and whether it changed (false when it was in status already), or
// ErrNotFound.
func (q *Queries) SetCourseStatus(ctx context.Context, userID, id uuid.UUID, status string) (Course, bool, error) {
	c, err := scanCourse(q.db.QueryRow(ctx, `
		WITH c AS (
			UPDATE courses SET status = $3::text,
				deleted_at = CASE WHEN $3::text = 'trash' THEN now() END, updated_at = now()
			WHERE id = $1 AND user_id = $2 AND status <> $3::text
			RETURNING *
		)
		SELECT `+courseColumns+` FROM c`, id, userID, status))
	if errors.Is(err, ErrNotFound) {
		c, err = q.CourseByID(ctx, userID, id)
		return c, false, err
	}
	if err != nil {
		return Course{}, false, fmt.Errorf("move course %s to %s: %w", id, status, err)
	}
	return c, true, nil
}
