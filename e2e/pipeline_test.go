package e2e_test

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
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/queue"
)

func TestUploadBecomesDocument(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")

	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String(), "context": "PHYS 201"},
		Filename: "page.png", File: apitest.LecturePNG(t)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)
	require.Equal(t, "/api/uploads/"+up.ID.String(), res.Header.Get("Location"))
	require.Equal(t, course.ID, up.CourseID)
	require.Contains(t, []string{"queued", "processing"}, up.Status)

	events := alice.StreamEvents(up.ID)
	require.NotEmpty(t, events)
	require.Equal(t, "done", events[len(events)-1].Status, "the stream ends with the final status")

	done := alice.WaitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	require.NotNil(t, done.DocumentID)
	require.NotNil(t, done.OCRConfidence)
	for _, stage := range []string{"ocr", "format", "extract"} {
		require.Contains(t, done.TimingsMS, stage)
		require.Equal(t, 1, done.Attempts[stage], stage)
	}

	res = alice.Do(http.MethodGet, "/api/documents/"+done.DocumentID.String(), nil, "")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var doc api.Document
	res.JSON(t, &doc)

	want := strings.Join(apitest.LectureLines, "\n")
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
	bob := b.User("bob")
	apitest.RequireProblem(t, bob.Do(http.MethodGet, "/api/uploads/"+up.ID.String(), nil, ""), http.StatusNotFound)
	apitest.RequireProblem(t, bob.Do(http.MethodGet, "/api/uploads/"+up.ID.String()+"/events", nil, ""), http.StatusNotFound)
	apitest.RequireProblem(t, bob.Do(http.MethodGet, "/api/documents/"+doc.ID.String(), nil, ""), http.StatusNotFound)
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
	flaky := &flakyFormatter{}
	flaky.failures.Store(1)
	b := setup(t, withFormatter(flaky))
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")

	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png", File: apitest.LecturePNG(t)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)

	done := alice.WaitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	require.Equal(t, 2, done.Attempts["format"], "one failed attempt, one that worked")
	require.Equal(t, 1, done.Attempts["ocr"], "a finished stage is not redone")
	require.Equal(t, 1, b.Count("documents"))

	// A duplicate of the last stage (a crash after commit, a double enqueue)
	// changes nothing.
	job, err := b.Worker.Client().Insert(context.Background(), queue.ExtractArgs{StageArgs: queue.StageArgs{UploadID: up.ID}}, nil)
	require.NoError(t, err)
	waitJobFinalized(t, b, job.Job.ID)
	require.Equal(t, 1, b.Count("documents"))
	again := alice.WaitSettled(up.ID)
	require.Equal(t, done.DocumentID, again.DocumentID)
}

func TestPermanentFailureThenRetry(t *testing.T) {
	t.Parallel()
	b := setup(t, workerLater())
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	page := apitest.LecturePNG(t)

	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png", File: page})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)

	// The image goes missing before the worker gets to it.
	files := b.BlobFiles()
	require.Len(t, files, 1)
	require.NoError(t, os.Remove(files[0]))

	blank := image.NewRGBA(image.Rect(0, 0, 800, 600))
	draw.Draw(blank, blank.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	res = alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "blank.png", File: apitest.PNGBytes(t, blank)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var blankUp api.Upload
	res.JSON(t, &blankUp)

	apitest.RequireProblem(t, alice.Do(http.MethodPost, "/api/uploads/"+up.ID.String()+"/retry", nil, ""), http.StatusConflict)

	b.startWorker()
	failed := alice.WaitSettled(up.ID)
	require.Equal(t, "failed", failed.Status)
	require.Equal(t, "ocr", failed.Stage)
	require.Equal(t, "image_missing", failed.Error.Code)
	require.NotEmpty(t, failed.Error.Message)

	noText := alice.WaitSettled(blankUp.ID)
	require.Equal(t, "failed", noText.Status)
	require.Equal(t, "no_text", noText.Error.Code)
	require.Contains(t, noText.Error.Message, "No text")

	// Fix the cause, then retry: not while the course is in trash.
	require.NoError(t, os.WriteFile(files[0], page, 0o600))
	require.Equal(t, http.StatusOK, alice.Do(http.MethodDelete, "/api/courses/"+course.ID.String(), nil, "").Status)
	res = alice.Do(http.MethodPost, "/api/uploads/"+up.ID.String()+"/retry", nil, "")
	apitest.RequireProblem(t, res, http.StatusConflict)
	require.Contains(t, string(res.Body), "restore the course first")
	require.Equal(t, http.StatusOK, alice.Do(http.MethodPost, "/api/courses/"+course.ID.String()+"/restore", nil, "").Status)
	res = alice.Do(http.MethodPost, "/api/uploads/"+up.ID.String()+"/retry", nil, "")
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	done := alice.WaitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	require.Nil(t, done.Error)
	require.Equal(t, 1, b.Count("documents"))

	apitest.RequireProblem(t, b.User("bob").Do(http.MethodPost, "/api/uploads/"+up.ID.String()+"/retry", nil, ""), http.StatusNotFound)
}

func waitJobFinalized(t *testing.T, b *stack, id int64) {
	t.Helper()
	require.Eventually(t, func() bool {
		var state string
		err := b.Pool.QueryRow(context.Background(), `SELECT state FROM river_job WHERE id = $1`, id).Scan(&state)
		return err == nil && (state == "completed" || state == "cancelled" || state == "discarded")
	}, time.Minute, 20*time.Millisecond)
}

// A photo taken upside down is read upright, and the upload says so.
func TestUpsideDownPhotoIsReadUpright(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")

	upsideDown := imaging.Rotate180(ocrtest.RenderText(apitest.LectureLines, 1700, 1100, 40))
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "p.png", File: apitest.PNGBytes(t, upsideDown)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)

	done := alice.WaitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	require.Contains(t, done.OCRSteps, "rotate:180")
	var doc api.Document
	alice.Do(http.MethodGet, "/api/documents/"+done.DocumentID.String(), nil, "").JSON(t, &doc)
	require.Less(t, ocrtest.CER(doc.OriginalText, strings.Join(apitest.LectureLines, "\n")), 0.03, "OCR text:\n%s", doc.OriginalText)
	require.Contains(t, doc.Metadata["ocrSteps"], "rotate:180")
	var pages []api.Page
	alice.GetJSON("/api/documents/"+doc.ID.String()+"/pages", &pages)
	require.Equal(t, []api.View{{Image: pages[0].Image, Turn: 180}}, pages[0].Views,
		"the app is told to show the photo turned as it was read")
}
