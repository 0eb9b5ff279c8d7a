package api_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

type courseList struct {
	Items []api.Course `json:"items"`
}

func TestCourseLifecycle(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")

	res := alice.SendJSON(http.MethodPost, "/api/courses", map[string]string{
		"name": "  Thermodynamics  ", "description": "PHYS 201", "color": "#3B82F6", "icon": "🔥"})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var c api.Course
	res.JSON(t, &c)
	require.Equal(t, "Thermodynamics", c.Name)
	require.Equal(t, "#3B82F6", c.Color)
	require.Equal(t, "active", c.Status)
	require.Nil(t, c.DeletedAt)

	other := alice.CreateCourse("Linear Algebra")
	// Seeded documents: two active, one trashed on its own.
	alice.SeedNotes(apitest.Note{Course: c.ID, Title: "a", Body: "a"}, apitest.Note{Course: c.ID, Title: "b", Body: "b"})
	trashed := alice.SeedNotes(apitest.Note{Course: c.ID, Title: "c", Body: "c"})[0]
	require.Equal(t, http.StatusOK, alice.Call(http.MethodDelete, "/api/documents/"+trashed.String(), nil, nil).Status)

	var got api.Course
	alice.GetJSON("/api/courses/"+c.ID.String(), &got)
	require.Equal(t, 2, got.DocumentCount)

	// Patch only the color: the name stays, updatedAt moves, the list reorders.
	time.Sleep(10 * time.Millisecond)
	res = alice.SendJSON(http.MethodPatch, "/api/courses/"+c.ID.String(), map[string]any{"color": "#EF4444"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var patched api.Course
	res.JSON(t, &patched)
	require.Equal(t, "Thermodynamics", patched.Name)
	require.Equal(t, "#EF4444", patched.Color)
	require.Equal(t, "PHYS 201", patched.Description)
	require.True(t, patched.UpdatedAt.After(c.UpdatedAt))

	var list courseList
	alice.GetJSON("/api/courses", &list)
	require.Len(t, list.Items, 2)
	require.Equal(t, c.ID, list.Items[0].ID, "most recently updated first")
	require.Equal(t, 2, list.Items[0].DocumentCount)
	require.Equal(t, other.ID, list.Items[1].ID)
	require.Equal(t, 0, list.Items[1].DocumentCount)

	// "" clears an optional field; an unchanged patch writes nothing.
	res = alice.SendJSON(http.MethodPatch, "/api/courses/"+c.ID.String(), map[string]any{"icon": "", "name": "Thermodynamics"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var cleared api.Course
	res.JSON(t, &cleared)
	require.Empty(t, cleared.Icon)
	require.Equal(t, "#EF4444", cleared.Color)
	res = alice.SendJSON(http.MethodPatch, "/api/courses/"+c.ID.String(), map[string]any{})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

	// Trash: 200 with the course, gone from the active list, in the trash list.
	res = alice.Call(http.MethodDelete, "/api/courses/"+c.ID.String(), nil, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res.JSON(t, &got)
	require.Equal(t, "trash", got.Status)
	require.NotNil(t, got.DeletedAt)
	alice.GetJSON("/api/courses", &list)
	require.Len(t, list.Items, 1)
	alice.GetJSON("/api/courses?status=trash", &list)
	require.Len(t, list.Items, 1)
	require.Equal(t, 2, list.Items[0].DocumentCount, "the active documents restoring it brings back")

	res = alice.Call(http.MethodPost, "/api/courses/"+c.ID.String()+"/restore", nil, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var restored api.Course
	res.JSON(t, &restored)
	require.Equal(t, "active", restored.Status)
	require.Nil(t, restored.DeletedAt)

	actions := []string{}
	for _, e := range b.Audits(c.ID) {
		actions = append(actions, e.Action)
		require.Equal(t, "course", e.Entity)
		require.Equal(t, "127.0.0.1", e.IP)
		require.Equal(t, "snapnote-test/1.0", e.UserAgent)
	}
	require.Equal(t, []string{"create", "update", "update", "trash", "restore"}, actions)
	entries := b.Audits(c.ID)
	require.Equal(t, map[string]any{"color": "#EF4444"}, entries[1].Changes)
	require.Equal(t, map[string]any{"icon": ""}, entries[2].Changes)
}

func TestCourseValidation(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	c := alice.CreateCourse("Optics")
	before := b.Snapshot("courses")

	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"missing name", map[string]any{"color": "#000000"}, "name"},
		{"blank name", map[string]any{"name": "   "}, "name"},
		{"long name", map[string]any{"name": strings.Repeat("n", 256)}, "name"},
		{"bad color", map[string]any{"name": "X", "color": "red"}, "color"},
		{"short color", map[string]any{"name": "X", "color": "#FFF"}, "color"},
		{"long icon", map[string]any{"name": "X", "icon": strings.Repeat("i", 51)}, "icon"},
	} {
		t.Run("create "+tc.name, func(t *testing.T) {
			res := alice.SendJSON(http.MethodPost, "/api/courses", tc.body)
			requireFieldProblem(t, res, "body."+tc.field)
		})
	}
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"blank name", map[string]any{"name": " "}, "name"},
		{"empty name", map[string]any{"name": ""}, "name"},
		{"long name", map[string]any{"name": strings.Repeat("n", 256)}, "name"},
		{"bad color", map[string]any{"color": "#GGGGGG"}, "color"},
		{"long icon", map[string]any{"icon": strings.Repeat("i", 51)}, "icon"},
	} {
		t.Run("patch "+tc.name, func(t *testing.T) {
			res := alice.SendJSON(http.MethodPatch, "/api/courses/"+c.ID.String(), tc.body)
			requireFieldProblem(t, res, "body."+tc.field)
		})
	}
	require.Equal(t, before, b.Snapshot("courses"), "a refused request changes nothing")

	// null is the same as leaving a field out.
	res := alice.SendJSON(http.MethodPatch, "/api/courses/"+c.ID.String(), map[string]any{"color": nil})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, before, b.Snapshot("courses"))

	apitest.RequireProblem(t, alice.Call(http.MethodGet, "/api/courses?status=gone", nil, nil), http.StatusUnprocessableEntity)
	apitest.RequireProblem(t, alice.Call(http.MethodGet, "/api/courses/not-a-uuid", nil, nil), http.StatusUnprocessableEntity)
	apitest.RequireProblem(t, alice.Call(http.MethodGet, "/api/courses/00000000-0000-0000-0000-000000000001", nil, nil), http.StatusNotFound)
}

// requireFieldProblem checks a 422 problem whose errors name location.
func requireFieldProblem(t *testing.T, res apitest.Response, location string) {
	t.Helper()
	apitest.RequireProblem(t, res, http.StatusUnprocessableEntity)
	var p struct {
		Errors []struct {
			Location string `json:"location"`
		} `json:"errors"`
	}
	res.JSON(t, &p)
	var locations []string
	for _, e := range p.Errors {
		locations = append(locations, e.Location)
	}
	require.Contains(t, locations, location, "body: %s", res.Body)
}

func TestUserPatchAudited(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	id := alice.ID()
	res := alice.SendJSON(http.MethodPatch, "/api/user", map[string]any{"name": "Ada"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	entries := b.Audits(id)
	require.Len(t, entries, 1)
	require.Equal(t, "update", entries[0].Action)
	require.Equal(t, map[string]any{"name": "Ada"}, entries[0].Changes)
	require.NotEmpty(t, entries[0].IP)
	require.NotEmpty(t, entries[0].UserAgent)
}

func TestCourseLanguage(t *testing.T) {
	t.Parallel()
	b := apitest.SetupWith(t, func(c *api.Config) {
		c.DefaultLanguage = "eng"
		c.Languages = []string{"deu", "eng", "fra"}
	})
	alice := b.User("alice")

	require.Equal(t, "eng", alice.CreateCourse("Physics").Language, "OCR_LANG is a new course's default")

	res := alice.SendJSON(http.MethodPost, "/api/courses", map[string]string{"name": "Deutsch", "language": "deu+eng"})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var c api.Course
	res.JSON(t, &c)
	require.Equal(t, "deu+eng", c.Language)

	res = alice.SendJSON(http.MethodPatch, "/api/courses/"+c.ID.String(), map[string]string{"language": "auto"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res.JSON(t, &c)
	require.Equal(t, "auto", c.Language)

	before := b.Snapshot("courses")
	for _, tc := range []struct{ method, path, language, want string }{
		{http.MethodPost, "/api/courses", "spa", `\"spa\" is not installed; installed: deu, eng, fra (or auto)`},
		{http.MethodPost, "/api/courses", "eng+spa", `\"spa\" is not installed`},
		{http.MethodPatch, "/api/courses/" + c.ID.String(), "jpn", `\"jpn\" is not installed`},
		{http.MethodPost, "/api/courses", "French", "Tesseract language codes"},
		{http.MethodPatch, "/api/courses/" + c.ID.String(), "eng+../x", "Tesseract language codes"},
	} {
		res := alice.SendJSON(tc.method, tc.path, map[string]string{"name": "Languages", "language": tc.language})
		apitest.RequireProblem(t, res, http.StatusUnprocessableEntity)
		require.Contains(t, string(res.Body), tc.want, "%s %s", tc.method, tc.language)
	}
	require.Equal(t, before, b.Snapshot("courses"), "a refused language changes nothing")
}

// TestCourseLanguagePattern holds the API's documented pattern and the
// courses table's check to the one in the domain package.
func TestCourseLanguagePattern(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	_, humaAPI := api.New(api.Config{Logger: slog.New(slog.DiscardHandler)})
	var found int
	for name, schema := range humaAPI.OpenAPI().Components.Schemas.Map() {
		if p, ok := schema.Properties["language"]; ok && strings.HasPrefix(name, "Course") && p.Pattern != "" {
			require.Equal(t, snapnote.LanguagePattern, p.Pattern, name)
			found++
		}
	}
	require.Equal(t, 2, found, "the new course's and the patch's language")

	var def string
	require.NoError(t, b.Pool.QueryRow(t.Context(), `
		SELECT pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = 'courses'::regclass AND pg_get_constraintdef(oid) LIKE '%language%'`).Scan(&def))
	require.Contains(t, def, "'"+snapnote.LanguagePattern+"'")
}
