package e2e_test

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/photo"
	"github.com/snapnote/snapnote/jobs"
)

// A worker whose budget cannot hold a page fails it for good with a code,
// instead of running out of memory.
func TestWorkerRefusesAPageOverItsBudget(t *testing.T) {
	t.Parallel()
	b := setup(t, withPipeline(func(p *jobs.Pipeline) { p.Memory = jobs.NewBudget(16 << 20) }))
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "deep.png", File: apitest.DeepPNG(t, 1500, 1500)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)
	failed := alice.WaitSettled(up.ID)
	require.Equal(t, "failed", failed.Status)
	require.Equal(t, "image_too_large", failed.Error.Code)
	require.Equal(t, 1, failed.Attempts["ocr"], "refused at once, not retried")
}

// A 12-megapixel photo whose characters stay large at half size is read from a half-size
// decode, and the worker takes from its budget only what that decode needs: a budget too
// small for the whole photo reads it.
func TestWorkerReadsALargePhotoAtHalfSizeWithinItsBudget(t *testing.T) {
	t.Parallel()
	const budget = 32 << 20
	b := setup(t, withPipeline(func(p *jobs.Pipeline) { p.Memory = jobs.NewBudget(budget) }))
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, ocrtest.RenderText(apitest.LectureLines, 3000, 4000, 90), &jpeg.Options{Quality: 85}))
	plan, err := photo.PlanDecode(buf.Bytes())
	require.NoError(t, err)
	require.Greater(t, plan.Bytes(), int64(budget), "whole, the photo would not fit")

	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "photo.jpg", File: buf.Bytes()})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)
	settled := alice.WaitSettled(up.ID)
	if !photo.ScalesJPEG { // a binary without cgo decodes whole
		require.Equal(t, "image_too_large", settled.Error.Code)
		return
	}
	require.Less(t, plan.BytesAt(plan.Reduction())+int64(buf.Len()), int64(budget))
	require.Equal(t, "done", settled.Status, "error: %+v", settled.Error)
	doc := alice.Document(settled.DocumentID)
	require.Less(t, ocrtest.CER(doc.OriginalText, strings.Join(apitest.LectureLines, "\n")), 0.03, "OCR text:\n%s", doc.OriginalText)
}
