package api_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

// hugePNGHeader is a valid PNG signature and IHDR claiming width×height,
// with no pixel data: the server must refuse it from the header alone.
func hugePNGHeader(width, height uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, width)
	ihdr = binary.BigEndian.AppendUint32(ihdr, height)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(ihdr)))
	chunk = append(chunk, "IHDR"...)
	chunk = append(chunk, ihdr...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return append([]byte("\x89PNG\r\n\x1a\n"), chunk...)
}

func TestBadUploadsLeaveNothingBehind(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice, bob := b.User("alice"), b.User("bob")
	course := alice.CreateCourse("Physics")
	bobCourse := bob.CreateCourse("Bob's")
	page := apitest.LecturePNG(t)
	fields := map[string]string{"courseId": course.ID.String()}

	for _, tc := range []struct {
		name   string
		form   apitest.Form
		status int
	}{
		{"text file named .png", apitest.Form{Fields: fields, Filename: "notes.png", File: []byte("just some text, not an image at all")}, http.StatusUnsupportedMediaType},
		{"truncated PNG", apitest.Form{Fields: fields, Filename: "cut.png", File: page[:len(page)/2]}, http.StatusUnprocessableEntity},
		{"30000×30000 PNG header", apitest.Form{Fields: fields, Filename: "huge.png", File: hugePNGHeader(30000, 30000)}, http.StatusUnprocessableEntity},
		{"another user's course", apitest.Form{Fields: map[string]string{"courseId": bobCourse.ID.String()}, Filename: "p.png", File: page}, http.StatusNotFound},
		{"missing course", apitest.Form{Filename: "p.png", File: page}, http.StatusUnprocessableEntity},
		{"course id not a uuid", apitest.Form{Fields: map[string]string{"courseId": "physics"}, Filename: "p.png", File: page}, http.StatusUnprocessableEntity},
		{"no file", apitest.Form{Fields: fields}, http.StatusUnprocessableEntity},
		{"NUL in title", apitest.Form{Fields: map[string]string{"courseId": course.ID.String(), "title": "a\x00b"}, Filename: "p.png", File: page}, http.StatusUnprocessableEntity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			apitest.RequireProblem(t, alice.Upload(tc.form), tc.status)
		})
	}

	t.Run("oversize", func(t *testing.T) {
		body, ct := apitest.Form{Fields: fields, Filename: "big.png", File: bytes.Repeat([]byte{0x89}, apitest.MaxBytes+1)}.Encode(t)
		// The server answers from the declared length and closes the connection without reading
		// the body; a client still sending it may be reset before it reads the answer. Asking
		// first, as curl does for large bodies, is how a client gets the 413 every time.
		res := b.Request(http.MethodPost, "/api/uploads", body, map[string]string{
			"Authorization": "Bearer " + alice.Token, "Content-Type": ct, "Expect": "100-continue"})
		apitest.RequireProblem(t, res, http.StatusRequestEntityTooLarge)
	})

	t.Run("oversize chunked", func(t *testing.T) {
		body, ct := apitest.Form{Fields: fields, Filename: "big.png", File: bytes.Repeat([]byte{0x89}, apitest.MaxBytes+1)}.Encode(t)
		// io.MultiReader hides the length: the request goes chunked.
		res := alice.Do(http.MethodPost, "/api/uploads", io.MultiReader(body), ct)
		apitest.RequireProblem(t, res, http.StatusRequestEntityTooLarge)
	})

	t.Run("not multipart", func(t *testing.T) {
		apitest.RequireProblem(t, alice.Do(http.MethodPost, "/api/uploads", bytes.NewReader(page), "image/png"), http.StatusUnsupportedMediaType)
	})

	t.Run("trashed course", func(t *testing.T) {
		trashed := alice.CreateCourse("Old")
		_, err := b.Pool.Exec(t.Context(), `UPDATE courses SET status = 'trash', deleted_at = now() WHERE id = $1`, trashed.ID)
		require.NoError(t, err)
		apitest.RequireProblem(t, alice.Upload(apitest.Form{Fields: map[string]string{"courseId": trashed.ID.String()}, Filename: "p.png", File: page}), http.StatusNotFound)
	})

	require.Zero(t, b.Count("uploads"))
	require.Zero(t, b.Count("river_job"))
	require.Empty(t, b.BlobFiles())
}

func TestIdempotencyKeyReturnsFirstUpload(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	f := apitest.Form{Fields: map[string]string{"courseId": course.ID.String(), "title": "Week 1"}, Filename: "p.png", File: apitest.LecturePNG(t)}

	var ids []string
	for range 2 {
		body, ct := f.Encode(t)
		res := b.Request(http.MethodPost, "/api/uploads", body, map[string]string{
			"Authorization": "Bearer " + alice.Token, "Content-Type": ct, "Idempotency-Key": "phone-retry-42"})
		require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
		var up api.Upload
		res.JSON(t, &up)
		require.Equal(t, "Week 1", up.Title)
		require.Equal(t, "image/png", up.ContentType)
		ids = append(ids, up.ID.String())
	}
	require.Equal(t, ids[0], ids[1])
	require.Equal(t, 1, b.Count("uploads"))
	require.Equal(t, 1, b.Count("river_job"))
	require.Len(t, b.BlobFiles(), 1)

	res := alice.Do(http.MethodGet, "/api/uploads?limit=1", nil, "")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var list struct {
		Items      []api.Upload `json:"items"`
		NextCursor string       `json:"nextCursor"`
	}
	res.JSON(t, &list)
	require.Len(t, list.Items, 1)
	require.Empty(t, list.NextCursor)
	apitest.RequireProblem(t, alice.Do(http.MethodGet, "/api/uploads?cursor=bogus", nil, ""), http.StatusUnprocessableEntity)
}

// Text Postgres cannot keep is the client's mistake (422), not a server error.
func TestUnstorableTextIsRefused(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	apitest.RequireProblem(t, alice.PostJSON("/api/courses", map[string]string{"name": "Phys\u0000ics"}), http.StatusUnprocessableEntity)
	apitest.RequireProblem(t, alice.PostJSON("/api/courses", map[string]string{"name": "ok", "description": "nul \u0000 here"}), http.StatusUnprocessableEntity)
	require.Zero(t, b.Count("courses"))
}

// A slow body holds no slot others wait for: while one user's uploads stall
// mid-body, another user's upload goes through, and the staller's next
// upload beyond UploadsPerUser is refused at once.
func TestSlowBodiesHoldNoSlot(t *testing.T) {
	t.Parallel()
	b := apitest.SetupWith(t, func(c *api.Config) { c.UploadConcurrency, c.UploadsPerUser = 1, 2 })
	alice, mallory := b.User("alice"), b.User("mallory")
	aliceCourse, malloryCourse := alice.CreateCourse("Physics"), mallory.CreateCourse("Physics")
	body := func(course api.Course) ([]byte, string) {
		buf, ct := apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png", File: apitest.LecturePNG(t)}.Encode(t)
		return buf.Bytes(), ct
	}

	// Mallory sends half of two bodies and stalls.
	whole, ct := body(malloryCourse)
	var stalled []*io.PipeWriter
	var answers []<-chan int
	for range 2 {
		pw, answer := mallory.StartUpload(ct)
		_, err := pw.Write(whole[:len(whole)/2])
		require.NoError(t, err)
		stalled, answers = append(stalled, pw), append(answers, answer)
	}
	require.Eventually(t, func() bool { return b.Metric("snapnote_uploads_receiving") == 2 }, 30*time.Second, 10*time.Millisecond)

	// Her third is refused at once; Alice's goes through meanwhile.
	res := mallory.Do(http.MethodPost, "/api/uploads", bytes.NewReader(whole), ct)
	require.Equal(t, http.StatusTooManyRequests, res.Status, "%s", res.Body)
	require.NotEmpty(t, res.Header.Get("Retry-After"))
	aliceBody, aliceCT := body(aliceCourse)
	res = alice.Do(http.MethodPost, "/api/uploads", bytes.NewReader(aliceBody), aliceCT)
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)

	// Mallory's stalled bodies finish, and are taken.
	for i, pw := range stalled {
		_, err := pw.Write(whole[len(whole)/2:])
		require.NoError(t, err)
		require.NoError(t, pw.Close())
		require.Equal(t, http.StatusAccepted, <-answers[i])
	}
	require.Equal(t, 3, b.Count("uploads"))
	require.Zero(t, b.Metric("snapnote_uploads_receiving"))
}

// tinyBMP is a 2×2 8-bit BMP with the given compression and pixel bytes; the palette is black and white.
func tinyBMP(compression uint32, pixels []byte) []byte {
	le := binary.LittleEndian
	const offset = 14 + 40 + 2*4
	b := []byte("BM")
	b = le.AppendUint32(b, uint32(offset+len(pixels)))
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, offset)
	b = le.AppendUint32(b, 40)
	b = le.AppendUint32(b, 2) // width
	b = le.AppendUint32(b, 2) // height
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, 8)
	b = le.AppendUint32(b, compression)
	b = le.AppendUint32(b, uint32(len(pixels)))
	b = append(b, make([]byte, 8)...)
	b = le.AppendUint32(b, 2) // colours used
	b = le.AppendUint32(b, 0)
	b = append(b, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0)
	return append(b, pixels...)
}

// BMP comes in several encodings; a run-length encoded one (ImageMagick's default for greyscale) is accepted,
// and one the server cannot read is refused with a 415 that names it.
func TestUploadBMPEncodings(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	fields := map[string]string{"courseId": course.ID.String()}

	rle8 := tinyBMP(1, []byte{2, 1, 0, 0, 2, 0, 0, 0, 0, 1})
	res := alice.Upload(apitest.Form{Fields: fields, Filename: "grey.bmp", File: rle8})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)
	require.Equal(t, "image/bmp", up.ContentType)

	res = alice.Upload(apitest.Form{Fields: fields, Filename: "cut.bmp", File: rle8[:len(rle8)-2]})
	apitest.RequireProblem(t, res, http.StatusUnprocessableEntity)

	res = alice.Upload(apitest.Form{Fields: fields, Filename: "jpeg.bmp", File: tinyBMP(4, []byte("\xFF\xD8\xFF\xD9"))})
	apitest.RequireProblem(t, res, http.StatusUnsupportedMediaType)
	var p struct {
		Detail string `json:"detail"`
	}
	res.JSON(t, &p)
	require.Equal(t, "the image is a JPEG-compressed BMP, which is not supported", p.Detail)
	require.Equal(t, 1, b.Count("uploads"))
}

// A body still arriving when UPLOAD_READ_TIMEOUT ends answers 408, and
// leaves nothing behind.
func TestSlowBodyTimesOut(t *testing.T) {
	t.Parallel()
	b := apitest.SetupWith(t, func(c *api.Config) { c.UploadTimeout = 300 * time.Millisecond })
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	body, ct := apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png", File: apitest.LecturePNG(t)}.Encode(t)
	pw, answer := alice.StartUpload(ct)
	_, err := pw.Write(body.Bytes()[:body.Len()/2])
	require.NoError(t, err)
	t.Cleanup(func() { _ = pw.Close() })
	require.Equal(t, http.StatusRequestTimeout, <-answer)
	require.Zero(t, b.Count("uploads"))
	require.Empty(t, b.BlobFiles())
}

// The app lists a course's uploads still running and those that failed,
// and offers a retry only where one can succeed.
func TestListUploadsByCourseAndStatus(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice, bob := b.User("alice"), b.User("bob")
	physics, chemistry := alice.CreateCourse("Physics"), alice.CreateCourse("Chemistry")
	send := func(u *apitest.User, course api.Course) uuid.UUID {
		res := u.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png", File: apitest.LecturePNG(t)})
		require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
		var up api.Upload
		res.JSON(t, &up)
		return up.ID
	}
	running, blank, timedOut, elsewhere := send(alice, physics), send(alice, physics), send(alice, physics), send(alice, chemistry)
	send(bob, bob.CreateCourse("Physics"))
	for id, code := range map[uuid.UUID]string{blank: snapnote.ErrNoText, timedOut: snapnote.ErrOCRTimeout} {
		_, err := b.Pool.Exec(t.Context(), `UPDATE uploads SET status = 'failed', error_code = $2, error_message = 'no luck' WHERE id = $1`, id, code)
		require.NoError(t, err)
	}

	list := func(query string) []api.Upload {
		res := b.Send(http.MethodGet, "/api/uploads"+query, nil, map[string]string{"Authorization": "Bearer " + alice.Token}, 1<<20)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var out struct{ Items []api.Upload }
		res.JSON(t, &out)
		return out.Items
	}
	ids := func(items []api.Upload) []uuid.UUID {
		var out []uuid.UUID
		for _, u := range items {
			out = append(out, u.ID)
		}
		return out
	}
	require.Equal(t, []uuid.UUID{elsewhere, timedOut, blank, running}, ids(list("")), "newest first, never bob's")
	require.Equal(t, []uuid.UUID{running}, ids(list("?status=active&courseId="+physics.ID.String())))
	failed := list("?status=failed&courseId=" + physics.ID.String())
	require.Equal(t, []uuid.UUID{timedOut, blank}, ids(failed))
	require.True(t, failed[0].Error.Retryable, "a timeout may pass")
	require.False(t, failed[1].Error.Retryable, "a blank page stays blank")
	require.Empty(t, list("?courseId="+bob.CreateCourse("Mine").ID.String()), "another user's course lists nothing")

	apitest.RequireProblem(t, alice.Do(http.MethodGet, "/api/uploads?status=lost", nil, ""), http.StatusUnprocessableEntity)
	apitest.RequireProblem(t, alice.Do(http.MethodGet, "/api/uploads?courseId=nope", nil, ""), http.StatusUnprocessableEntity)
}

// An Idempotency-Key names one request on one route: the key of a new note
// sent again to add pages to a note, or the key of pages added to one note
// sent for another, is refused (422 naming the header), never taken for a
// retry that would return the earlier upload and drop the pages. A retry on
// its own route still returns its upload.
func TestIdempotencyKeyIsScopedToItsRoute(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	docs := alice.SeedNotes(apitest.Note{Course: course.ID, Title: "One", Body: "a"}, apitest.Note{Course: course.ID, Title: "Two", Body: "b"})
	send := func(path, key string, fields map[string]string) apitest.Response {
		body, ct := apitest.Form{Fields: fields, Filename: "p.png", File: apitest.LecturePNG(t)}.Encode(t)
		return b.Request(http.MethodPost, path, body, map[string]string{
			"Authorization": "Bearer " + alice.Token, "Content-Type": ct, "Idempotency-Key": key})
	}
	accepted := func(res apitest.Response) api.Upload {
		require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
		var up api.Upload
		res.JSON(t, &up)
		return up
	}
	newNote := accepted(send("/api/uploads", "note-key", map[string]string{"courseId": course.ID.String()}))
	intoOne := accepted(send("/api/documents/"+docs[0].String()+"/pages", "pages-key", nil))
	require.Equal(t, docs[0], *intoOne.AddsTo)

	for _, res := range []apitest.Response{
		send("/api/documents/"+docs[0].String()+"/pages", "note-key", nil),
		send("/api/documents/"+docs[1].String()+"/pages", "pages-key", nil),
		send("/api/uploads", "pages-key", map[string]string{"courseId": course.ID.String()}),
	} {
		apitest.RequireProblem(t, res, http.StatusUnprocessableEntity)
		require.Contains(t, string(res.Body), "header.Idempotency-Key")
	}
	require.Equal(t, 2, b.Count("uploads"))

	require.Equal(t, intoOne.ID, accepted(send("/api/documents/"+docs[0].String()+"/pages", "pages-key", nil)).ID, "a retry on its route")
	require.Equal(t, newNote.ID, accepted(send("/api/uploads", "note-key", map[string]string{"courseId": course.ID.String()})).ID)
	require.Equal(t, 2, b.Count("uploads"))
	require.Len(t, b.BlobFiles(), 2)
}

// An Idempotency-Key that is not UTF-8 or is longer than 255 characters
// answers 400 naming the header, on both upload routes. (A NUL never gets
// this far: net/http refuses it in any header.)
func TestIdempotencyKeyMustBeStorable(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	doc := alice.SeedNotes(apitest.Note{Course: course.ID, Title: "One", Body: "a"})[0]
	for _, key := range []string{"retry-\xff", strings.Repeat("k", 256), strings.Repeat("é", 256)} {
		for _, path := range []string{"/api/uploads", "/api/documents/" + doc.String() + "/pages"} {
			body, ct := apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png", File: apitest.LecturePNG(t)}.Encode(t)
			res := b.Request(http.MethodPost, path, body, map[string]string{
				"Authorization": "Bearer " + alice.Token, "Content-Type": ct, "Idempotency-Key": key})
			apitest.RequireProblem(t, res, http.StatusBadRequest)
			require.Contains(t, string(res.Body), "header.Idempotency-Key", "%q on %s", key, path)
		}
	}
	require.Zero(t, b.Count("uploads"))
	require.Len(t, b.BlobFiles(), 0)
}
