package api_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/storage"
)

func TestDocumentEdit(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice, bob := b.User("alice"), b.User("bob")
	physics, maths := alice.CreateCourse("Physics"), alice.CreateCourse("Maths")
	bobs := bob.CreateCourse("Bob's")
	id := alice.SeedNotes(apitest.Note{Course: physics.ID, Title: "Old title", Body: "old body"})[0]
	path := "/api/documents/" + id.String()

	var d api.Document
	alice.GetJSON(path, &d)
	require.Equal(t, "Old title", d.Title)
	require.Equal(t, physics.ID, d.CourseID)

	time.Sleep(5 * time.Millisecond)
	res := alice.SendJSON(http.MethodPatch, path, map[string]any{
		"title": "  Entropy  ", "formattedNote": "# Entropy\n\nThe **entropy** of an isolated system never decreases."})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var edited api.Document
	res.JSON(t, &edited)
	require.Equal(t, "Entropy", edited.Title)
	require.Equal(t, "The entropy of an isolated system never decreases.", edited.Excerpt, "recomputed, heading and Markdown dropped")
	require.True(t, edited.UpdatedAt.After(d.UpdatedAt))

	// The generated search column follows the edit at once.
	var found api.SearchResults
	alice.GetJSON("/api/search?q=isolated", &found)
	require.Len(t, found.Items, 1)
	alice.GetJSON("/api/search?q=body", &found)
	require.Empty(t, found.Items)

	// Moving: only to another of the caller's active courses.
	trashed := alice.CreateCourse("Trashed")
	require.Equal(t, http.StatusOK, alice.Call(http.MethodDelete, "/api/courses/"+trashed.ID.String(), nil, nil).Status)
	before := b.Snapshot("documents")
	for _, to := range []uuid.UUID{bobs.ID, trashed.ID, uuid.New()} {
		apitest.RequireProblem(t, alice.SendJSON(http.MethodPatch, path, map[string]any{"courseId": to, "title": "moved"}), http.StatusNotFound)
	}
	require.Equal(t, before, b.Snapshot("documents"), "a refused move changes nothing, title included")

	res = alice.SendJSON(http.MethodPatch, path, map[string]any{"courseId": maths.ID})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res.JSON(t, &edited)
	require.Equal(t, maths.ID, edited.CourseID)

	entries := b.Audits(id)
	require.Len(t, entries, 2)
	require.Equal(t, map[string]any{"title": "Entropy",
		"formattedNote": "# Entropy\n\nThe **entropy** of an isolated system never decreases."}, entries[0].Changes)
	require.Equal(t, map[string]any{"courseId": map[string]any{"from": physics.ID.String(), "to": maths.ID.String()}}, entries[1].Changes)
	for _, e := range entries {
		require.Equal(t, "update", e.Action)
		require.Equal(t, "127.0.0.1", e.IP)
		require.Equal(t, "snapnote-test/1.0", e.UserAgent)
	}

	// Validation: 422 naming the field, the row unchanged.
	before = b.Snapshot("documents")
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"title": "   "}, "body.title"},
		{map[string]any{"title": ""}, "body.title"},
		{map[string]any{"title": strings.Repeat("t", 501)}, "body.title"},
		{map[string]any{"courseId": "not-a-uuid"}, "body.courseId"},
		{map[string]any{"formattedNote": 42}, "body.formattedNote"},
	} {
		requireFieldProblem(t, alice.SendJSON(http.MethodPatch, path, tc.body), tc.field)
	}
	require.Equal(t, before, b.Snapshot("documents"))

	// Trash and restore.
	res = alice.Call(http.MethodDelete, path, nil, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var gone api.Document
	res.JSON(t, &gone)
	require.Equal(t, "trash", gone.Status)
	require.NotNil(t, gone.DeletedAt)
	var list apitest.DocumentList
	alice.GetJSON("/api/documents", &list)
	require.Empty(t, list.Items)
	alice.GetJSON("/api/documents?status=trash", &list)
	require.Len(t, list.Items, 1)
	res = alice.Call(http.MethodPost, path+"/restore", nil, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var back api.Document
	res.JSON(t, &back)
	require.Equal(t, "active", back.Status)
	require.Nil(t, back.DeletedAt)
	var actions []string
	for _, e := range b.Audits(id) {
		actions = append(actions, e.Action)
	}
	require.Equal(t, []string{"update", "update", "trash", "restore"}, actions)

	// Course filter: the caller's course narrows; another's answers 404.
	alice.GetJSON("/api/documents?courseId="+physics.ID.String(), &list)
	require.Empty(t, list.Items)
	alice.GetJSON("/api/documents?courseId="+maths.ID.String(), &list)
	require.Len(t, list.Items, 1)
	apitest.RequireProblem(t, alice.Call(http.MethodGet, "/api/documents?courseId="+bobs.ID.String(), nil, nil), http.StatusNotFound)
	apitest.RequireProblem(t, alice.Call(http.MethodGet, "/api/documents?limit=101", nil, nil), http.StatusUnprocessableEntity)
	apitest.RequireProblem(t, alice.Call(http.MethodGet, "/api/documents?cursor=bogus", nil, nil), http.StatusUnprocessableEntity)
	apitest.RequireProblem(t, alice.Call(http.MethodGet, "/api/documents?status=deleted", nil, nil), http.StatusUnprocessableEntity)
}

func TestDocumentPagination(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	other := alice.CreateCourse("Maths")

	// 250 documents, five to each timestamp so the id breaks ties, seeded in one COPY.
	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	var seed []apitest.Note
	for i := range 250 {
		c := course.ID
		if i%2 == 1 {
			c = other.ID
		}
		seed = append(seed, apitest.Note{Course: c, Title: fmt.Sprintf("note %d", i), Body: "text",
			CreatedAt: base.Add(time.Duration(i/5) * time.Second)})
	}
	want := map[uuid.UUID]bool{}
	for _, id := range alice.SeedNotes(seed...) {
		want[id] = true
	}

	seen := map[uuid.UUID]bool{}
	var previous *api.Document
	cursor := ""
	pages := 0
	for {
		var list apitest.DocumentList
		alice.GetJSON("/api/documents?limit=37&cursor="+cursor, &list)
		pages++
		for _, d := range list.Items {
			require.False(t, seen[d.ID], "document %s repeated", d.ID)
			require.True(t, want[d.ID], "document %s was created during the walk", d.ID)
			seen[d.ID] = true
			if previous != nil {
				require.True(t, d.CreatedAt.Before(previous.CreatedAt) ||
					(d.CreatedAt.Equal(previous.CreatedAt) && bytes.Compare(d.ID[:], previous.ID[:]) < 0), "newest first")
			}
			prev := d
			previous = &prev
		}
		// New notes between pages are newer than the cursor: never in a later page.
		alice.SeedNotes(apitest.Note{Course: course.ID, Title: "late", Body: "late"})
		if list.NextCursor == "" {
			break
		}
		require.Len(t, list.Items, 37)
		cursor = list.NextCursor
	}
	require.Equal(t, 7, pages)
	require.Len(t, seen, 250, "no gap")

	// The course filter pages the same way.
	seen = map[uuid.UUID]bool{}
	cursor = ""
	for {
		var list apitest.DocumentList
		alice.GetJSON("/api/documents?limit=100&courseId="+other.ID.String()+"&cursor="+cursor, &list)
		for _, d := range list.Items {
			require.Equal(t, other.ID, d.CourseID)
			seen[d.ID] = true
		}
		if cursor = list.NextCursor; cursor == "" {
			break
		}
	}
	require.Len(t, seen, 125)
}

func TestDocumentImage(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	img := apitest.PNGBytes(t, image.NewGray(image.Rect(0, 0, 40, 30)))
	key := "uploads/" + uuid.NewString() + "/photo.png"
	_, err := b.Blobs.Put(context.Background(), key, bytes.NewReader(img), "image/png")
	require.NoError(t, err)
	ids := alice.SeedNotes(apitest.Note{Course: course.ID, Title: "with image", Body: "x", ImageKey: key},
		apitest.Note{Course: course.ID, Title: "no image", Body: "y"},
		apitest.Note{Course: course.ID, Title: "lost image", Body: "z", ImageKey: "uploads/gone.png"})
	path := "/api/documents/" + ids[0].String() + "/image"

	res := alice.Call(http.MethodGet, path, nil, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "image/png", res.Header.Get("Content-Type"))
	require.Equal(t, img, res.Body)
	etag := res.Header.Get("ETag")
	require.NotEmpty(t, etag)
	require.Equal(t, "bytes", res.Header.Get("Accept-Ranges"))

	res = alice.Call(http.MethodGet, path, nil, map[string]string{"Range": "bytes=0-9"})
	require.Equal(t, http.StatusPartialContent, res.Status)
	require.Equal(t, img[:10], res.Body)
	require.Equal(t, fmt.Sprintf("bytes 0-9/%d", len(img)), res.Header.Get("Content-Range"))

	// The last zero bytes can never be served: 416, not an empty 206.
	res = alice.Call(http.MethodGet, path, nil, map[string]string{"Range": "bytes=-0"})
	require.Equal(t, http.StatusRequestedRangeNotSatisfiable, res.Status, "%s", res.Body)
	require.Equal(t, fmt.Sprintf("bytes */%d", len(img)), res.Header.Get("Content-Range"))
	res = alice.Call(http.MethodGet, path, nil, map[string]string{"Range": "bytes=-00, 0-9"})
	require.Equal(t, http.StatusPartialContent, res.Status, "the ranges that can be served are")
	require.Equal(t, img[:10], res.Body)

	res = alice.Call(http.MethodGet, path, nil, map[string]string{"If-None-Match": etag})
	require.Equal(t, http.StatusNotModified, res.Status)
	require.Empty(t, res.Body)

	apitest.RequireProblem(t, alice.Call(http.MethodGet, "/api/documents/"+ids[1].String()+"/image", nil, nil), http.StatusNotFound)
	apitest.RequireProblem(t, alice.Call(http.MethodGet, "/api/documents/"+ids[2].String()+"/image", nil, nil), http.StatusNotFound)
}

// streamOnly hides the *os.File of a local store behind a plain reader, as a
// store without seeking (and without presigning) would return.
type streamOnly struct{ storage.Store }

func (s streamOnly) Get(ctx context.Context, key string) (io.ReadCloser, storage.Info, error) {
	rc, info, err := s.Store.Get(ctx, key)
	if err != nil {
		return nil, info, err
	}
	return struct {
		io.Reader
		io.Closer
	}{rc, rc}, info, nil
}

func TestDocumentImageFromStreamingStore(t *testing.T) {
	t.Parallel()
	local, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	b := apitest.SetupWith(t, func(c *api.Config) { c.Blobs = streamOnly{local} })
	alice := b.User("alice")
	img := apitest.PNGBytes(t, image.NewGray(image.Rect(0, 0, 20, 20)))
	_, err = local.Put(context.Background(), "uploads/a/p.png", bytes.NewReader(img), "image/png")
	require.NoError(t, err)
	id := alice.SeedNotes(apitest.Note{Course: alice.CreateCourse("Physics").ID, Title: "t", Body: "b", ImageKey: "uploads/a/p.png"})[0]
	path := "/api/documents/" + id.String() + "/image"

	res := alice.Call(http.MethodGet, path, nil, nil)
	require.Equal(t, http.StatusOK, res.Status)
	require.Equal(t, img, res.Body)
	require.Equal(t, "image/png", res.Header.Get("Content-Type"))
	require.Equal(t, strconv.Itoa(len(img)), res.Header.Get("Content-Length"))
	etag := res.Header.Get("ETag")
	require.NotEmpty(t, etag)
	res = alice.Call(http.MethodGet, path, nil, map[string]string{"If-None-Match": `"other", W/` + etag})
	require.Equal(t, http.StatusNotModified, res.Status)
}
