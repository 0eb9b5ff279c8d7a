package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Course statuses.
const (
	StatusActive = "active"
	StatusTrash  = "trash"
)

// Course groups a user's notes.
type Course struct {
	ID            uuid.UUID
	UserID        uuid.UUID
	Name          string
	Description   string
	Color         string
	Icon          string
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
}

const courseColumns = `c.id, c.user_id, c.name, coalesce(c.description, ''), coalesce(c.color, ''),
	coalesce(c.icon, ''), c.status, c.created_at, c.updated_at, c.deleted_at,
	(SELECT count(*) FROM documents d WHERE d.course_id = c.id AND d.status = 'active')`

func scanCourse(row interface{ Scan(...any) error }) (Course, error) {
	var c Course
	err := row.Scan(&c.ID, &c.UserID, &c.Name, &c.Description, &c.Color, &c.Icon,
		&c.Status, &c.CreatedAt, &c.UpdatedAt, &c.DeletedAt, &c.DocumentCount)
	return c, interpretError(err)
}

// CreateCourse adds an active course for the user.
func (q *Queries) CreateCourse(ctx context.Context, userID uuid.UUID, in CourseInput) (Course, error) {
	c, err := scanCourse(q.db.QueryRow(ctx, `
		WITH c AS (
			INSERT INTO courses (user_id, name, description, color, icon)
			VALUES ($1, $2, nullif($3, ''), nullif($4, ''), nullif($5, ''))
			RETURNING *
		)
		SELECT `+courseColumns+` FROM c`,
		userID, in.Name, in.Description, in.Color, in.Icon))
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
	rows, err := q.db.Query(ctx, `
		SELECT `+courseColumns+` FROM courses c
		WHERE c.user_id = $1 AND c.status = $2
		ORDER BY c.updated_at DESC, c.id DESC`, userID, status)
	if err != nil {
		return nil, fmt.Errorf("list courses: %w", err)
	}
	defer rows.Close()
	var out []Course
	for rows.Next() {
		c, err := scanCourse(rows)
		if err != nil {
			return nil, fmt.Errorf("list courses: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
