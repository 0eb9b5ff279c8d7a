package api_test

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disintegration/imaging"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/queue"
)

var lectureLines = []string{
	"Thermodynamics Lecture Three",
	"",
	"The first law states that energy is conserved.",
	"Heat added to a system equals the change in its",
	"internal energy plus the work done by the system.",
	"",
	"Entropy of an isolated system never decreases.",
}

func lecturePNG(t testing.TB) []byte {
	return pngBytes(t, ocrtest.RenderText(lectureLines, 1700, 1100, 40))
}

func TestUploadBecomesDocument(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.startWorker(notes.Builtin{})
	alice := b.user("alice")
	course := alice.createCourse("Physics")

	res := alice.upload(form{fields: map[string]string{"courseId": course.ID.String(), "context": "PHYS 201"},
		filename: "page.png", file: lecturePNG(t)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.json(t, &up)
	require.Equal(t, "/api/uploads/"+up.ID.String(), res.Header.Get("Location"))
	require.Equal(t, course.ID, up.CourseID)
	require.Contains(t, []string{"queued", "processing"}, up.Status)

	events := alice.streamEvents(up.ID)
	require.NotEmpty(t, events)
	require.Equal(t, "done", events[len(events)-1].Status, "the stream ends with the final status")

	done := alice.waitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	require.NotNil(t, done.DocumentID)
	require.NotNil(t, done.OCRConfidence)
	for _, stage := range []string{"ocr", "format", "extract"} {
		require.Contains(t, done.TimingsMS, stage)
		require.Equal(t, 1, done.Attempts[stage], stage)
	}

	res = alice.do(http.MethodGet, "/api/documents/"+done.DocumentID.String(), nil, "")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var doc api.Document
	res.json(t, &doc)

	want := strings.Join(lectureLines, "\n")
	cer := ocrtest.CER(doc.OriginalText, want)
	require.Less(t, cer, 0.03, "OCR text:\n%s", doc.OriginalText)
	require.Equal(t, "Thermodynamics Lecture Three", doc.Title)
	require.NotEmpty(t, doc.Excerpt)
	require.LessOrEqual(t, len([]rune(doc.Excerpt)), 200)
	require.NotContains(t, doc.Excerpt, "#")
	require.Contains(t, doc.FormattedNote, "energy is conserved")
	require.Equal(t, course.ID, doc.CourseID)
	require.Equal(t, "active", doc.Status)
	require.Positive(t, doc.ProcessingTime)
	for _, key := range []string{"imageSize", "ocrConfidence", "context", "wordCount", "language", "processingTime"} {
		require.Contains(t, doc.Metadata, key)
	}
	require.Equal(t, "PHYS 201", doc.Metadata["context"])
	require.Equal(t, "en", doc.Metadata["language"])
	require.EqualValues(t, 37, doc.Metadata["wordCount"], "%s", doc.FormattedNote)

	// Another user sees none of it.
	bob := b.user("bob")
	requireProblem(t, bob.do(http.MethodGet, "/api/uploads/"+up.ID.String(), nil, ""), http.StatusNotFound)
	requireProblem(t, bob.do(http.MethodGet, "/api/uploads/"+up.ID.String()+"/events", nil, ""), http.StatusNotFound)
	requireProblem(t, bob.do(http.MethodGet, "/api/documents/"+doc.ID.String(), nil, ""), http.StatusNotFound)
}

// flakyFormatter fails its first calls the way a busy service does.
type flakyFormatter struct {
	failures atomic.Int32
}

func (f *flakyFormatter) Format(ctx context.Context, in notes.Input) (notes.Output, error) {
	if f.failures.Add(-1) >= 0 {
		return notes.Output{}, errors.New("formatter unavailable")
	}
	return notes.Builtin{}.Format(ctx, in)
}

func TestTransientFailureYieldsOneDocument(t *testing.T) {
	t.Parallel()
	b := setup(t)
	flaky := &flakyFormatter{}
	flaky.failures.Store(1)
	client := b.startWorker(flaky)
	alice := b.user("alice")
	course := alice.createCourse("Physics")

	res := alice.upload(form{fields: map[string]string{"courseId": course.ID.String()}, filename: "p.png", file: lecturePNG(t)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.json(t, &up)

	done := alice.waitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	require.Equal(t, 2, done.Attempts["format"], "one failed attempt, one that worked")
	require.Equal(t, 1, done.Attempts["ocr"], "a finished stage is not redone")
	require.Equal(t, 1, b.count("documents"))

	// A duplicate of the last stage (a crash after commit, a double enqueue)
	// changes nothing.
	job, err := client.Client().Insert(context.Background(), queue.ExtractArgs{StageArgs: queue.StageArgs{UploadID: up.ID}}, nil)
	require.NoError(t, err)
	waitJobFinalized(t, b, job.Job.ID)
	require.Equal(t, 1, b.count("documents"))
	again := alice.waitSettled(up.ID)
	require.Equal(t, done.DocumentID, again.DocumentID)
}

func TestPermanentFailureThenRetry(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.user("alice")
	course := alice.createCourse("Physics")
	page := lecturePNG(t)

	res := alice.upload(form{fields: map[string]string{"courseId": course.ID.String()}, filename: "p.png", file: page})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.json(t, &up)

	// The image goes missing before the worker gets to it.
	files := b.blobFiles()
	require.Len(t, files, 1)
	require.NoError(t, os.Remove(files[0]))

	blank := image.NewRGBA(image.Rect(0, 0, 800, 600))
	draw.Draw(blank, blank.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	res = alice.upload(form{fields: map[string]string{"courseId": course.ID.String()}, filename: "blank.png", file: pngBytes(t, blank)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var blankUp api.Upload
	res.json(t, &blankUp)

	requireProblem(t, alice.do(http.MethodPost, "/api/uploads/"+up.ID.String()+"/retry", nil, ""), http.StatusConflict)

	b.startWorker(notes.Builtin{})
	failed := alice.waitSettled(up.ID)
	require.Equal(t, "failed", failed.Status)
	require.Equal(t, "ocr", failed.Stage)
	require.Equal(t, "image_missing", failed.Error.Code)
	require.NotEmpty(t, failed.Error.Message)

	noText := alice.waitSettled(blankUp.ID)
	require.Equal(t, "failed", noText.Status)
	require.Equal(t, "no_text", noText.Error.Code)
	require.Contains(t, noText.Error.Message, "No text")

	// Fix the cause, then retry: not while the course is in trash.
	require.NoError(t, os.WriteFile(files[0], page, 0o600))
	require.Equal(t, http.StatusOK, alice.do(http.MethodDelete, "/api/courses/"+course.ID.String(), nil, "").Status)
	res = alice.do(http.MethodPost, "/api/uploads/"+up.ID.String()+"/retry", nil, "")
	requireProblem(t, res, http.StatusConflict)
	require.Contains(t, string(res.Body), "restore the course first")
	require.Equal(t, http.StatusOK, alice.do(http.MethodPost, "/api/courses/"+course.ID.String()+"/restore", nil, "").Status)
	res = alice.do(http.MethodPost, "/api/uploads/"+up.ID.String()+"/retry", nil, "")
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	done := alice.waitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	require.Nil(t, done.Error)
	require.Equal(t, 1, b.count("documents"))

	requireProblem(t, b.user("bob").do(http.MethodPost, "/api/uploads/"+up.ID.String()+"/retry", nil, ""), http.StatusNotFound)
}

func waitJobFinalized(t *testing.T, b *bundle, id int64) {
	t.Helper()
	require.Eventually(t, func() bool {
		var state string
		err := b.pool.QueryRow(context.Background(), `SELECT state FROM river_job WHERE id = $1`, id).Scan(&state)
		return err == nil && (state == "completed" || state == "cancelled" || state == "discarded")
	}, time.Minute, 20*time.Millisecond)
}

// A photo taken upside down is read upright, and the upload says so.
func TestUpsideDownPhotoIsReadUpright(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.startWorker(notes.Builtin{})
	alice := b.user("alice")
	course := alice.createCourse("Physics")

	upsideDown := imaging.Rotate180(ocrtest.RenderText(lectureLines, 1700, 1100, 40))
	res := alice.upload(form{fields: map[string]string{"courseId": course.ID.String()}, filename: "p.png", file: pngBytes(t, upsideDown)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.json(t, &up)

	done := alice.waitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	require.Contains(t, done.OCRSteps, "rotate:180")
	var doc api.Document
	alice.do(http.MethodGet, "/api/documents/"+done.DocumentID.String(), nil, "").json(t, &doc)
	require.Less(t, ocrtest.CER(doc.OriginalText, strings.Join(lectureLines, "\n")), 0.03, "OCR text:\n%s", doc.OriginalText)
	require.Contains(t, doc.Metadata["ocrSteps"], "rotate:180")
	var pages []api.Page
	alice.getJSON("/api/documents/"+doc.ID.String()+"/pages", &pages)
	require.Equal(t, []api.View{{Image: pages[0].Image, Turn: 180}}, pages[0].Views,
		"the app is told to show the photo turned as it was read")
}
