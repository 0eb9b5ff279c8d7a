package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/db"
)

// TestIsolation calls every route on one row with another user's token and
// the first user's ids: each answers 404, as for a missing row, and changes
// nothing.
func TestIsolation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice, bob := b.user("alice"), b.user("bob")
	ctx := context.Background()

	course, trashedCourse := alice.createCourse("Physics"), alice.createCourse("Old")
	bobsCourse := bob.createCourse("Bob's")
	ids := alice.seedNotes(note{course: course.ID, title: "Orbits", body: "Kepler", imageKey: "uploads/a/orbit.png"},
		note{course: course.ID, title: "Comets", body: "tails"})
	doc, trashedDoc := ids[0], ids[1]
	require.Equal(t, http.StatusOK, alice.call(http.MethodDelete, "/api/documents/"+trashedDoc.String(), nil, nil).Status)
	require.Equal(t, http.StatusOK, alice.call(http.MethodDelete, "/api/courses/"+trashedCourse.ID.String(), nil, nil).Status)
	up, err := db.New(b.pool).CreateUpload(ctx, db.NewUpload{ID: uuid.New(), UserID: alice.id(), CourseID: course.ID,
		Pages: []db.NewPage{{BlobKey: "uploads/a/failed.png", ContentType: "image/png", ByteSize: 10,
			SHA256: strings.Repeat("0", 64), ImageWidth: 1, ImageHeight: 1}}})
	require.NoError(t, err)
	_, err = b.pool.Exec(ctx, `UPDATE uploads SET status = 'failed', error_code = 'no_text', error_message = 'none' WHERE id = $1`, up.ID)
	require.NoError(t, err)

	tables := []string{"users", "courses", "documents", "uploads", "upload_pages", "audit_logs"}
	before := map[string]string{}
	for _, table := range tables {
		before[table] = b.snapshot(table)
	}

	c, tc, d, td := "/api/courses/"+course.ID.String(), "/api/courses/"+trashedCourse.ID.String(),
		"/api/documents/"+doc.String(), "/api/documents/"+trashedDoc.String()
	for _, r := range []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, c, nil},
		{http.MethodPatch, c, map[string]any{"name": "mine now"}},
		{http.MethodDelete, c, nil},
		{http.MethodPost, tc + "/restore", nil},
		{http.MethodGet, d, nil},
		{http.MethodPatch, d, map[string]any{"title": "mine now"}},
		{http.MethodPatch, d, map[string]any{"courseId": bobsCourse.ID}},
		{http.MethodDelete, d, nil},
		{http.MethodPost, td + "/restore", nil},
		{http.MethodGet, d + "/image", nil},
		{http.MethodGet, d + "/pages", nil},
		{http.MethodGet, d + "/pages/1/image", nil},
		{http.MethodGet, d + "/pages/1/pdf-pages/1", nil},
		{http.MethodPost, d + "/pages", nil},
		{http.MethodGet, c + "/export", nil},
		{http.MethodGet, "/api/documents?courseId=" + course.ID.String(), nil},
		{http.MethodGet, "/api/search?q=kepler&courseId=" + course.ID.String(), nil},
		{http.MethodGet, "/api/uploads/" + up.ID.String(), nil},
		{http.MethodPost, "/api/uploads/" + up.ID.String() + "/retry", nil},
		{http.MethodGet, "/api/uploads/" + up.ID.String() + "/events", nil},
	} {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			requireProblem(t, bob.sendJSON(r.method, r.path, r.body), http.StatusNotFound)
		})
	}
	for _, table := range tables {
		require.Equal(t, before[table], b.snapshot(table), "table %s changed", table)
	}

	// The lists show bob none of alice's rows.
	alices := []string{course.ID.String(), trashedCourse.ID.String(), up.ID.String(), doc.String(), trashedDoc.String()}
	type row struct {
		ID string `json:"id"`
	}
	for _, path := range []string{"/api/courses", "/api/courses?status=trash", "/api/uploads", "/api/documents", "/api/documents?status=trash"} {
		var list struct {
			Items []row `json:"items"`
		}
		bob.getJSON(path, &list)
		for _, item := range list.Items {
			require.NotContains(t, alices, item.ID, path)
		}
	}
	var trash struct {
		Courses   []row `json:"courses"`
		Documents []row `json:"documents"`
	}
	bob.getJSON("/api/trash", &trash)
	for _, item := range append(trash.Courses, trash.Documents...) {
		require.NotContains(t, alices, item.ID, "/api/trash")
	}
}
