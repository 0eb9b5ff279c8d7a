package api_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/api"
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
	b := setup(t)
	alice, bob := b.user("alice"), b.user("bob")
	course := alice.createCourse("Physics")
	bobCourse := bob.createCourse("Bob's")
	page := lecturePNG(t)
	fields := map[string]string{"courseId": course.ID.String()}

	for _, tc := range []struct {
		name   string
		form   form
		status int
	}{
		{"text file named .png", form{fields: fields, filename: "notes.png", file: []byte("just some text, not an image at all")}, http.StatusUnsupportedMediaType},
		{"truncated PNG", form{fields: fields, filename: "cut.png", file: page[:len(page)/2]}, http.StatusUnprocessableEntity},
		{"30000×30000 PNG header", form{fields: fields, filename: "huge.png", file: hugePNGHeader(30000, 30000)}, http.StatusUnprocessableEntity},
		{"another user's course", form{fields: map[string]string{"courseId": bobCourse.ID.String()}, filename: "p.png", file: page}, http.StatusNotFound},
		{"missing course", form{filename: "p.png", file: page}, http.StatusUnprocessableEntity},
		{"course id not a uuid", form{fields: map[string]string{"courseId": "physics"}, filename: "p.png", file: page}, http.StatusUnprocessableEntity},
		{"no file", form{fields: fields}, http.StatusUnprocessableEntity},
		{"NUL in title", form{fields: map[string]string{"courseId": course.ID.String(), "title": "a\x00b"}, filename: "p.png", file: page}, http.StatusUnprocessableEntity},
		{"oversize", form{fields: fields, filename: "big.png", file: bytes.Repeat([]byte{0x89}, testMaxBytes+1)}, http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireProblem(t, alice.upload(tc.form), tc.status)
		})
	}

	t.Run("oversize chunked", func(t *testing.T) {
		body, ct := form{fields: fields, filename: "big.png", file: bytes.Repeat([]byte{0x89}, testMaxBytes+1)}.encode(t)
		// io.MultiReader hides the length: the request goes chunked.
		res := alice.do(http.MethodPost, "/api/uploads", io.MultiReader(body), ct)
		requireProblem(t, res, http.StatusRequestEntityTooLarge)
	})

	t.Run("not multipart", func(t *testing.T) {
		requireProblem(t, alice.do(http.MethodPost, "/api/uploads", bytes.NewReader(page), "image/png"), http.StatusUnsupportedMediaType)
	})

	t.Run("trashed course", func(t *testing.T) {
		trashed := alice.createCourse("Old")
		_, err := b.pool.Exec(t.Context(), `UPDATE courses SET status = 'trash', deleted_at = now() WHERE id = $1`, trashed.ID)
		require.NoError(t, err)
		requireProblem(t, alice.upload(form{fields: map[string]string{"courseId": trashed.ID.String()}, filename: "p.png", file: page}), http.StatusNotFound)
	})

	require.Zero(t, b.count("uploads"))
	require.Zero(t, b.count("river_job"))
	require.Empty(t, b.blobFiles())
}

func TestIdempotencyKeyReturnsFirstUpload(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.user("alice")
	course := alice.createCourse("Physics")
	f := form{fields: map[string]string{"courseId": course.ID.String(), "title": "Week 1"}, filename: "p.png", file: lecturePNG(t)}

	var ids []string
	for range 2 {
		body, ct := f.encode(t)
		res := b.request(http.MethodPost, "/api/uploads", body, map[string]string{
			"Authorization": "Bearer " + alice.token, "Content-Type": ct, "Idempotency-Key": "phone-retry-42"})
		require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
		var up api.Upload
		res.json(t, &up)
		require.Equal(t, "Week 1", up.Title)
		require.Equal(t, "image/png", up.ContentType)
		ids = append(ids, up.ID.String())
	}
	require.Equal(t, ids[0], ids[1])
	require.Equal(t, 1, b.count("uploads"))
	require.Equal(t, 1, b.count("river_job"))
	require.Len(t, b.blobFiles(), 1)

	res := alice.do(http.MethodGet, "/api/uploads?limit=1", nil, "")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var list struct {
		Items      []api.Upload `json:"items"`
		NextCursor string       `json:"nextCursor"`
	}
	res.json(t, &list)
	require.Len(t, list.Items, 1)
	require.Empty(t, list.NextCursor)
	requireProblem(t, alice.do(http.MethodGet, "/api/uploads?cursor=bogus", nil, ""), http.StatusUnprocessableEntity)
}

// Text Postgres cannot keep is the client's mistake (422), not a server error.
func TestUnstorableTextIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.user("alice")
	requireProblem(t, alice.postJSON("/api/courses", map[string]string{"name": "Phys\u0000ics"}), http.StatusUnprocessableEntity)
	requireProblem(t, alice.postJSON("/api/courses", map[string]string{"name": "ok", "description": "nul \u0000 here"}), http.StatusUnprocessableEntity)
	require.Zero(t, b.count("courses"))
}

// A slow body holds no slot others wait for: while one user's uploads stall
// mid-body, another user's upload goes through, and the staller's next
// upload beyond UploadsPerUser is refused at once.
func TestSlowBodiesHoldNoSlot(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(c *api.Config) { c.UploadConcurrency, c.UploadsPerUser = 1, 2 })
	alice, mallory := b.user("alice"), b.user("mallory")
	aliceCourse, malloryCourse := alice.createCourse("Physics"), mallory.createCourse("Physics")
	body := func(course api.Course) ([]byte, string) {
		buf, ct := form{fields: map[string]string{"courseId": course.ID.String()}, filename: "p.png", file: lecturePNG(t)}.encode(t)
		return buf.Bytes(), ct
	}

	// Mallory sends half of two bodies and stalls.
	whole, ct := body(malloryCourse)
	var stalled []*io.PipeWriter
	var answers []<-chan int
	for range 2 {
		pw, answer := mallory.startUpload(ct)
		_, err := pw.Write(whole[:len(whole)/2])
		require.NoError(t, err)
		stalled, answers = append(stalled, pw), append(answers, answer)
	}
	require.Eventually(t, func() bool { return b.metric("snapnote_uploads_receiving") == 2 }, 30*time.Second, 10*time.Millisecond)

	// Her third is refused at once; Alice's goes through meanwhile.
	res := mallory.do(http.MethodPost, "/api/uploads", bytes.NewReader(whole), ct)
	require.Equal(t, http.StatusTooManyRequests, res.Status, "%s", res.Body)
	require.NotEmpty(t, res.Header.Get("Retry-After"))
	aliceBody, aliceCT := body(aliceCourse)
	res = alice.do(http.MethodPost, "/api/uploads", bytes.NewReader(aliceBody), aliceCT)
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)

	// Mallory's stalled bodies finish, and are taken.
	for i, pw := range stalled {
		_, err := pw.Write(whole[len(whole)/2:])
		require.NoError(t, err)
		require.NoError(t, pw.Close())
		require.Equal(t, http.StatusAccepted, <-answers[i])
	}
	require.Equal(t, 3, b.count("uploads"))
	require.Zero(t, b.metric("snapnote_uploads_receiving"))
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
	b := setup(t)
	alice := b.user("alice")
	course := alice.createCourse("Physics")
	fields := map[string]string{"courseId": course.ID.String()}

	rle8 := tinyBMP(1, []byte{2, 1, 0, 0, 2, 0, 0, 0, 0, 1})
	res := alice.upload(form{fields: fields, filename: "grey.bmp", file: rle8})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.json(t, &up)
	require.Equal(t, "image/bmp", up.ContentType)

	res = alice.upload(form{fields: fields, filename: "cut.bmp", file: rle8[:len(rle8)-2]})
	requireProblem(t, res, http.StatusUnprocessableEntity)

	res = alice.upload(form{fields: fields, filename: "jpeg.bmp", file: tinyBMP(4, []byte("\xFF\xD8\xFF\xD9"))})
	requireProblem(t, res, http.StatusUnsupportedMediaType)
	var p struct {
		Detail string `json:"detail"`
	}
	res.json(t, &p)
	require.Equal(t, "the image is a JPEG-compressed BMP, which is not supported", p.Detail)
	require.Equal(t, 1, b.count("uploads"))
}

// A body still arriving when UPLOAD_READ_TIMEOUT ends answers 408, and
// leaves nothing behind.
func TestSlowBodyTimesOut(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(c *api.Config) { c.UploadTimeout = 300 * time.Millisecond })
	alice := b.user("alice")
	course := alice.createCourse("Physics")
	body, ct := form{fields: map[string]string{"courseId": course.ID.String()}, filename: "p.png", file: lecturePNG(t)}.encode(t)
	pw, answer := alice.startUpload(ct)
	_, err := pw.Write(body.Bytes()[:body.Len()/2])
	require.NoError(t, err)
	t.Cleanup(func() { _ = pw.Close() })
	require.Equal(t, http.StatusRequestTimeout, <-answer)
	require.Zero(t, b.count("uploads"))
	require.Empty(t, b.blobFiles())
}

// The app lists a course's uploads still running and those that failed,
// and offers a retry only where one can succeed.
func TestListUploadsByCourseAndStatus(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice, bob := b.user("alice"), b.user("bob")
	physics, chemistry := alice.createCourse("Physics"), alice.createCourse("Chemistry")
	send := func(u *user, course api.Course) uuid.UUID {
		res := u.upload(form{fields: map[string]string{"courseId": course.ID.String()}, filename: "p.png", file: lecturePNG(t)})
		require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
		var up api.Upload
		res.json(t, &up)
		return up.ID
	}
	running, blank, timedOut, elsewhere := send(alice, physics), send(alice, physics), send(alice, physics), send(alice, chemistry)
	send(bob, bob.createCourse("Physics"))
	for id, code := range map[uuid.UUID]string{blank: snapnote.ErrNoText, timedOut: snapnote.ErrOCRTimeout} {
		_, err := b.pool.Exec(t.Context(), `UPDATE uploads SET status = 'failed', error_code = $2, error_message = 'no luck' WHERE id = $1`, id, code)
		require.NoError(t, err)
	}

	list := func(query string) []api.Upload {
		res := b.send(http.MethodGet, "/api/uploads"+query, nil, map[string]string{"Authorization": "Bearer " + alice.token}, 1<<20)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var out struct{ Items []api.Upload }
		res.json(t, &out)
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
	require.Empty(t, list("?courseId="+bob.createCourse("Mine").ID.String()), "another user's course lists nothing")

	requireProblem(t, alice.do(http.MethodGet, "/api/uploads?status=lost", nil, ""), http.StatusUnprocessableEntity)
	requireProblem(t, alice.do(http.MethodGet, "/api/uploads?courseId=nope", nil, ""), http.StatusUnprocessableEntity)
}
