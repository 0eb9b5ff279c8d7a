package e2e_test

import (
	"cmp"
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
)

// A page of a French course is read in French, and so is one of an auto
// course, on a server whose own language (OCR_LANG) is English: the
// language each course says, not the server's.
func TestCoursePagesAreReadInTheCourseLanguage(t *testing.T) {
	t.Parallel()
	installed, err := (&tesseract.Engine{}).Languages(context.Background())
	require.NoError(t, err)
	require.Contains(t, installed, "fra", "this test needs Tesseract's French data (scripts/deps.sh installs OCR_LANGS)")
	b := setup(t, withAPI(func(_ *apitest.Bundle, c *api.Config) {
		c.DefaultLanguage = "eng"
		c.Languages = installed
	}))
	alice := b.User("alice")
	page, ok := corpus.LanguagePage("fra", 0)
	require.True(t, ok)

	for _, tc := range []struct {
		language string
		steps    []string
	}{
		{"fra", []string{"lang:fra"}},
		{"auto", []string{"detect:fra", "lang:fra"}},
		{"", []string{"lang:eng"}}, // the server's language: what the course would be read in without one
	} {
		t.Run("course language "+cmp.Or(tc.language, "of the server"), func(t *testing.T) {
			t.Parallel()
			fields := map[string]string{"name": "Physique " + tc.language}
			if tc.language != "" {
				fields["language"] = tc.language
			}
			res := alice.SendJSON(http.MethodPost, "/api/courses", fields)
			require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
			var course api.Course
			res.JSON(t, &course)

			res = alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "page.png", File: apitest.PNGBytes(t, page.Image)})
			require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
			var up api.Upload
			res.JSON(t, &up)
			done := alice.WaitSettled(up.ID)
			require.Equal(t, "done", done.Status, "error: %+v", done.Error)
			require.Subset(t, done.OCRSteps, tc.steps, "the language read in is recorded")
			var doc api.Document
			// The whole page's note: longer than what a request keeps by default.
			b.Send(http.MethodGet, "/api/documents/"+done.DocumentID.String(), nil,
				map[string]string{"Authorization": "Bearer " + alice.Token}, 1<<20).JSON(t, &doc)
			require.Subset(t, doc.Metadata["ocrSteps"], tc.steps)

			wordErr := ocrtest.WordError(doc.OriginalText, page.Truth)
			t.Logf("course language %q: CER %.4f, word error %.4f", tc.language, ocrtest.CER(doc.OriginalText, page.Truth), wordErr)
			if tc.language == "" {
				require.Greater(t, wordErr, 0.04, "English loses the accents: what the other cases are about")
				return
			}
			require.Less(t, wordErr, 0.03, "OCR text:\n%s", doc.OriginalText)
			require.Contains(t, doc.OriginalText, "énergie")
			require.Equal(t, "fr", doc.Metadata["language"])
		})
	}
}
