package tesseract_test

import (
	"context"
	"errors"
	"image"
	"image/draw"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/ocr/preprocess"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
)

// pageLines is a page of lecture notes in three paragraphs, separated by blank lines.
var pageLines = []string{
	"Lecture 4: The first law of thermodynamics",
	"Energy is neither created nor destroyed in a closed system.",
	"The change in internal energy equals heat added minus work.",
	"",
	"For an ideal gas the internal energy depends only on",
	"temperature, so an isothermal process turns all the heat",
	"taken in into work done on the surroundings.",
	"",
	"Next week: entropy, the second law and heat engines.",
	"Read chapter five before the tutorial on Friday.",
}

// page renders pageLines like a photo of an A4 page at 200 dpi.
func page() *image.RGBA {
	return ocrtest.RenderText(pageLines, 1700, 2200, 36)
}

// shortPage renders the first paragraph of pageLines in the letters of page, on a strip of
// paper: for tests of what happens around a read, not of how well it reads.
func shortPage() *image.RGBA {
	return ocrtest.RenderText(pageLines[:3], 1700, 400, 36)
}

// uprightRead is the command's read of page with the default settings: TestTesseractRecognize
// and TestTesseractRecognizeSteps check the same read.
var uprightRead = sync.OnceValues(func() (ocr.Result, error) {
	return (&tesseract.Engine{}).Recognize(context.Background(), page(), ocr.Options{})
})

// requireTesseract fails the test, with install instructions, when tesseract or its English
// data is missing: these tests run the real binary.
func requireTesseract(t testing.TB) {
	t.Helper()
	require.NoError(t, (&tesseract.Engine{}).CheckInstalled(t.Context()), "these tests need tesseract")
}

func TestTesseractRecognize(t *testing.T) {
	t.Parallel()
	requireTesseract(t)

	res, err := uprightRead()
	require.NoError(t, err)

	want := strings.Join(pageLines, "\n")
	cer := ocrtest.CER(res.Text, want)
	t.Logf("CER %.4f, confidence %.3f, %d words\n%s", cer, res.Confidence, res.Words, res.Text)
	require.Less(t, cer, 0.03)
	require.Greater(t, res.Confidence, 0.7)
	require.LessOrEqual(t, res.Confidence, 1.0)
	require.InDelta(t, len(strings.Fields(want)), res.Words, 3)
	require.Len(t, strings.Split(res.Text, "\n\n"), 3, "paragraphs")
	require.Len(t, strings.Split(res.Text, "\n"), len(pageLines), "lines, blank ones included")
}

func TestTesseractRecognizeNoText(t *testing.T) {
	t.Parallel()
	requireTesseract(t)

	blank := image.NewRGBA(image.Rect(0, 0, 1700, 2200))
	draw.Draw(blank, blank.Bounds(), image.White, image.Point{}, draw.Src)
	transparent := image.NewNRGBA(image.Rect(0, 0, 800, 600)) // a transparent PNG reads as white paper

	for name, img := range map[string]image.Image{"white": blank, "transparent": transparent} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()

			res, err := (&tesseract.Engine{}).Recognize(t.Context(), img, ocr.Options{})
			require.ErrorIs(t, err, ocr.ErrNoText)
			require.Zero(t, res)
		})
	}
}

func TestTesseractRecognizeSteps(t *testing.T) {
	t.Parallel()
	requireTesseract(t)

	want := strings.Join(pageLines, "\n")
	upright := page()
	// The page upside down and a little turned, as a phone held the wrong way round sees it.
	turned := image.NewRGBA(upright.Bounds())
	w, h := upright.Bounds().Dx(), upright.Bounds().Dy()
	for y := range h {
		for x := range w {
			turned.Set(x, y, upright.At(w-1-x, h-1-y))
		}
	}

	tests := []struct {
		name      string
		engine    *tesseract.Engine // nil: uprightRead
		img       image.Image
		wantSteps []string
		maxCER    float64
	}{
		{"upright", nil, upright, []string{preprocess.StepNormalize}, 0.03},
		{"upside down", &tesseract.Engine{}, turned, []string{preprocess.StepNormalize, "rotate:180"}, 0.03},
		{"upside down, orientation skipped", &tesseract.Engine{Skip: []string{preprocess.StepOrient}}, turned, []string{preprocess.StepNormalize}, 2},
		{"nothing", &tesseract.Engine{Skip: []string{preprocess.StepNormalize, preprocess.StepScale, preprocess.StepOrient, preprocess.StepDeskew}}, upright, nil, 0.03},
		// At half the size the characters are about 9 px: small enough to be enlarged.
		{"small", &tesseract.Engine{}, ocrtest.RenderText(pageLines, 850, 1100, 18), []string{preprocess.StepNormalize, "scale:2.22"}, 0.03},
		// Enlarging stops at MaxSide.
		{"small, MaxSide", &tesseract.Engine{MaxSide: 1100}, ocrtest.RenderText(pageLines, 850, 1100, 18), []string{preprocess.StepNormalize}, 0.05},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			read := func() (ocr.Result, error) { return tt.engine.Recognize(t.Context(), tt.img, ocr.Options{}) }
			if tt.engine == nil {
				read = uprightRead
			}
			res, err := read()
			require.NoError(t, err)
			require.Equal(t, append(tt.wantSteps, "lang:"+ocr.DefaultLang), res.Steps, "the preprocessing, then the language read in")
			require.Less(t, ocrtest.CER(res.Text, want), tt.maxCER)
		})
	}
}

func TestTesseractRecognizeDownscaled(t *testing.T) {
	t.Parallel()
	requireTesseract(t)

	// MaxSide 1400 scales the 1700×2200 page to 1082×1400, its text to about 23 px.
	res, err := (&tesseract.Engine{MaxSide: 1400}).Recognize(t.Context(), page(), ocr.Options{})
	require.NoError(t, err)
	require.Less(t, ocrtest.CER(res.Text, strings.Join(pageLines, "\n")), 0.03)
}

func TestTesseractRecognizeErrors(t *testing.T) {
	t.Parallel()
	requireTesseract(t)

	img := shortPage()
	canceled, cancel := context.WithCancel(t.Context())
	cancel()

	tests := []struct {
		name   string
		engine *tesseract.Engine
		ctx    context.Context
		check  func(t *testing.T, err error)
	}{
		{"timeout before start", &tesseract.Engine{Timeout: time.Nanosecond}, t.Context(), func(t *testing.T, err error) {
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.ErrorContains(t, err, "timed out after 1ns")
		}},
		{"timeout while running", &tesseract.Engine{Timeout: 100 * time.Millisecond}, t.Context(), func(t *testing.T, err error) {
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.ErrorContains(t, err, "timed out after 100ms")
		}},
		{"caller canceled", &tesseract.Engine{}, canceled, func(t *testing.T, err error) {
			require.ErrorIs(t, err, context.Canceled)
		}},
		{"binary missing", &tesseract.Engine{Binary: "snapnote-no-such-tesseract"}, t.Context(), func(t *testing.T, err error) {
			require.ErrorIs(t, err, exec.ErrNotFound)
		}},
		{"binary fails", &tesseract.Engine{Binary: "false"}, t.Context(), func(t *testing.T, err error) {
			var exitErr *exec.ExitError
			require.ErrorAs(t, err, &exitErr)
		}},
		{"language missing", &tesseract.Engine{Lang: "xxx"}, t.Context(), func(t *testing.T, err error) {
			require.ErrorContains(t, err, "Failed loading language 'xxx'")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			res, err := tt.engine.Recognize(tt.ctx, img, ocr.Options{})
			require.Error(t, err)
			require.NotErrorIs(t, err, ocr.ErrNoText)
			require.Zero(t, res)
			tt.check(t, err)
		})
	}
}

func TestTesseractCheckInstalled(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		engine  *tesseract.Engine
		wantErr []string // substrings of the error; none means success
	}{
		{"defaults", &tesseract.Engine{}, nil},
		{"eng", &tesseract.Engine{Lang: "eng"}, nil},
		{"eng+osd", &tesseract.Engine{Lang: "eng+osd"}, nil},
		{"missing language", &tesseract.Engine{Lang: "xxx"}, []string{`"xxx"`, "tesseract-ocr-xxx"}},
		{"two missing", &tesseract.Engine{Lang: "eng+xxx+chi_sim"}, []string{`"xxx", "chi_sim"`, "tesseract-ocr-xxx tesseract-ocr-chi-sim"}},
		{"empty language", &tesseract.Engine{Lang: "eng+"}, []string{`invalid tesseract language list "eng+"`}},
		{"binary missing", &tesseract.Engine{Binary: "snapnote-no-such-tesseract"}, []string{"snapnote-no-such-tesseract", "tesseract-ocr"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			err := tt.engine.CheckInstalled(t.Context())
			if len(tt.wantErr) == 0 {
				require.NoError(t, err)
				return
			}
			for _, s := range tt.wantErr {
				require.ErrorContains(t, err, s)
			}
		})
	}
}

func TestTesseractCheckInstalledOSD(t *testing.T) {
	t.Parallel()

	// A tesseract with English data only.
	fake := filepath.Join(t.TempDir(), "tesseract")
	script := "#!/bin/sh\ncase \"$1\" in\n--version) echo 'tesseract 5.3.0' ;;\n" +
		"--list-langs) echo 'List of available languages in \"/x/\" (1):'; echo eng ;;\nesac\n"
	require.NoError(t, os.WriteFile(fake, []byte(script), 0o755))

	err := (&tesseract.Engine{Binary: fake}).CheckInstalled(t.Context())
	require.ErrorContains(t, err, `"osd"`)
	require.ErrorContains(t, err, "apt-get install tesseract-ocr-osd")

	require.NoError(t, (&tesseract.Engine{Binary: fake, Skip: []string{preprocess.StepOrient}}).CheckInstalled(t.Context()),
		"without orientation detection the osd data is not needed")
}

func TestTesseractConcurrent(t *testing.T) {
	t.Parallel()
	requireTesseract(t)

	img := shortPage()
	engine := &tesseract.Engine{}
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := engine.Recognize(t.Context(), img, ocr.Options{})
			errs <- err
		}()
	}
	require.NoError(t, errors.Join(<-errs, <-errs))
}

func BenchmarkRecognize(b *testing.B) {
	requireTesseract(b)
	img := page()
	engine := &tesseract.Engine{}

	for b.Loop() {
		if _, err := engine.Recognize(b.Context(), img, ocr.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
