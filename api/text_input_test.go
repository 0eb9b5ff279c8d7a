package api_test

import (
	"bytes"
	"fmt"
	"image"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/snapnote/snapnote/api/apitest"
	"github.com/stretchr/testify/require"
)

// requireRefused checks a 4xx problem whose body names the input at
// location (such as "query.q" or "body.name").
func requireRefused(t *testing.T, res apitest.Response, location string) {
	t.Helper()
	require.True(t, res.Status == http.StatusBadRequest || res.Status == http.StatusUnprocessableEntity,
		"want 400 or 422, got %d: %s", res.Status, res.Body)
	apitest.RequireProblem(t, res, res.Status)
	require.Contains(t, string(res.Body), location, "the problem names the input")
}

// Text that cannot be stored (a NUL, invalid UTF-8, too long) is refused
// with 400 or 422 naming the input, on every route family, never 500 or 503.
func TestUnstorableInputIsRefusedOnEveryRoute(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	doc := alice.SeedNotes(apitest.Note{Course: course.ID, Title: "Entropy", Body: "heat and work"})[0]
	coursePath, docPath := "/api/courses/"+course.ID.String(), "/api/documents/"+doc.String()

	for _, tc := range []struct {
		name, path, location string
	}{
		{"search NUL", "/api/search?q=%00", "query.q"},
		{"search NUL inside", "/api/search?q=a%00b", "query.q"},
		{"search invalid UTF-8", "/api/search?q=a%ffb", "query.q"},
		{"search too long", "/api/search?q=" + strings.Repeat("a", 201), "query.q"},
		{"search cursor NUL", "/api/search?q=heat&cursor=%00", "query.cursor"},
		{"documents cursor NUL", "/api/documents?cursor=a%00", "query.cursor"},
		{"documents cursor invalid UTF-8", "/api/documents?cursor=%c3%28", "query.cursor"},
		{"documents status NUL", "/api/documents?status=active%00", "query.status"},
		{"courses status NUL", "/api/courses?status=%00", "query.status"},
		{"uploads cursor NUL", "/api/uploads?cursor=%00", "query.cursor"},
		{"trash cursor NUL", "/api/trash?cursor=%00", "query.cursor"},
		{"course id NUL", "/api/courses/%00", "path.id"},
		{"document id invalid UTF-8", "/api/documents/%ff", "path.id"},
		{"upload id NUL", "/api/uploads/a%00b", "path.id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireRefused(t, alice.Do(http.MethodGet, tc.path, nil, ""), tc.location)
		})
	}

	// Random four-letter words: a note longer than a search index can hold.
	var huge strings.Builder
	for huge.Len() < 900_000 {
		for range 4 {
			huge.WriteByte(byte('a' + rand.IntN(26)))
		}
		huge.WriteByte(' ')
	}
	for _, tc := range []struct {
		name, method, path, body, location string
	}{
		{"course name NUL", http.MethodPost, "/api/courses", `{"name":"a\u0000b"}`, "body.name"},
		{"course name invalid UTF-8", http.MethodPost, "/api/courses", "{\"name\":\"a\xffb\"}", "body.name"},
		{"course name too long", http.MethodPost, "/api/courses", `{"name":"` + strings.Repeat("é", 256) + `"}`, "body.name"},
		{"course description NUL", http.MethodPost, "/api/courses", `{"name":"ok","description":"\u0000"}`, "body.description"},
		{"course icon NUL", http.MethodPatch, coursePath, `{"icon":"\u0000"}`, "body.icon"},
		{"course icon too long", http.MethodPatch, coursePath, `{"icon":"` + strings.Repeat("🔥", 51) + `"}`, "body.icon"},
		{"document title NUL", http.MethodPatch, docPath, `{"title":"\u0000"}`, "body.title"},
		{"document note NUL", http.MethodPatch, docPath, `{"formattedNote":"# a\n\u0000"}`, "body.formattedNote"},
		{"document note invalid UTF-8", http.MethodPatch, docPath, "{\"formattedNote\":\"\xc3\x28\"}", "body.formattedNote"},
		{"document note too long to index", http.MethodPatch, docPath, fmt.Sprintf(`{"formattedNote":%q}`, huge.String()), "too long"},
		{"user name NUL", http.MethodPatch, "/api/user", `{"name":"Ada\u0000"}`, "body.name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := alice.Do(tc.method, tc.path, bytes.NewReader([]byte(tc.body)), "application/json")
			requireRefused(t, res, tc.location)
		})
	}

	// Nothing was stored, and what is fine still works.
	var c struct{ Name, Icon string }
	alice.GetJSON(coursePath, &c)
	require.Equal(t, "Physics", c.Name)
	require.Equal(t, http.StatusOK, alice.Do(http.MethodGet, "/api/search?q=heat", nil, "").Status)
	require.Equal(t, http.StatusOK, alice.Do(http.MethodPatch, coursePath,
		bytes.NewReader([]byte(`{"description":"Vorlesung über Wärme 🔥"}`)), "application/json").Status)
	res := alice.Do(http.MethodPatch, coursePath, bytes.NewReader([]byte(`{"description":"a path: C:\\u0000"}`)), "application/json")
	require.Equal(t, http.StatusOK, res.Status, "an escaped backslash before u0000 is text: %s", res.Body)
	alice.GetJSON(coursePath, &c)

	// Upload form fields are text too.
	page := apitest.PNGBytes(t, image.NewGray(image.Rect(0, 0, 64, 64)))
	for _, title := range []string{"a\x00b", "a\xffb", strings.Repeat("x", 100_000)} {
		res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String(), "title": title}, Filename: "p.png", File: page})
		require.Less(t, res.Status, 500, "upload title %.20q: %s", title, res.Body)
	}
}

// The guard reads every body Huma decodes as JSON, whatever its
// Content-Type says: none, "json", a malformed parameter list or a +json
// type. Before, only a Content-Type that parsed as JSON was checked, and
// invalid UTF-8 sent without one was stored as U+FFFD.
func TestUnstorableTextWhateverTheContentType(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	for _, ct := range []string{"", "json", "application/json; =", "application/vnd.snapnote+json", "application/json;charset=latin1"} {
		for body, location := range map[string]string{
			"{\"name\":\"inv\xffutf\"}": "body.name",
			`{"name":"nul\u0000here"}`:  "body.name",
		} {
			res := b.Request(http.MethodPost, "/api/courses", strings.NewReader(body),
				map[string]string{"Authorization": "Bearer " + alice.Token, "Content-Type": ct})
			apitest.RequireProblem(t, res, http.StatusUnprocessableEntity)
			require.Contains(t, string(res.Body), location, "Content-Type %q", ct)
		}
	}
	require.Zero(t, b.Count("courses"))
}
