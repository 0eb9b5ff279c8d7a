package ocr_test

import (
	"context"
	"errors"
	"image"
	"image/draw"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
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

// requireTesseract fails the test, with install instructions, when tesseract or its English
// data is missing: these tests run the real binary.
func requireTesseract(t testing.TB) {
	t.Helper()
	require.NoError(t, (&ocr.Tesseract{}).CheckInstalled(t.Context()), "these tests need tesseract")
}

func TestTesseractRecognize(t *testing.T) {
	t.Parallel()
	requireTesseract(t)

	res, err := (&ocr.Tesseract{}).Recognize(t.Context(), page())
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

			res, err := (&ocr.Tesseract{}).Recognize(t.Context(), img)
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
		engine    *ocr.Tesseract
		img       image.Image
		wantSteps []string
		maxCER    float64
	}{
		{"upright", &ocr.Tesseract{}, upright, []string{ocr.StepNormalize}, 0.03},
		{"upside down", &ocr.Tesseract{}, turned, []string{ocr.StepNormalize, "rotate:180"}, 0.03},
		{"upside down, orientation skipped", &ocr.Tesseract{Skip: []string{ocr.StepOrient}}, turned, []string{ocr.StepNormalize}, 2},
		{"nothing", &ocr.Tesseract{Skip: []string{ocr.StepNormalize, ocr.StepScale, ocr.StepOrient, ocr.StepDeskew}}, upright, nil, 0.03},
		// At half the size the characters are about 9 px: small enough to be enlarged.
		{"small", &ocr.Tesseract{}, ocrtest.RenderText(pageLines, 850, 1100, 18), []string{ocr.StepNormalize, "scale:2.22"}, 0.03},
		// Enlarging stops at MaxSide.
		{"small, MaxSide", &ocr.Tesseract{MaxSide: 1100}, ocrtest.RenderText(pageLines, 850, 1100, 18), []string{ocr.StepNormalize}, 0.05},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			res, err := tt.engine.Recognize(t.Context(), tt.img)
			require.NoError(t, err)
			require.Equal(t, tt.wantSteps, res.Steps)
			require.Less(t, ocrtest.CER(res.Text, want), tt.maxCER)
		})
	}
}

func TestTesseractRecognizeDownscaled(t *testing.T) {
	t.Parallel()
	requireTesseract(t)

	// MaxSide 1400 scales the 1700×2200 page to 1082×1400, its text to about 23 px.
	res, err := (&ocr.Tesseract{MaxSide: 1400}).Recognize(t.Context(), page())
	require.NoError(t, err)
	require.Less(t, ocrtest.CER(res.Text, strings.Join(pageLines, "\n")), 0.03)
}

func TestTesseractRecognizeErrors(t *testing.T) {
	t.Parallel()
	requireTesseract(t)

	img := page()
	canceled, cancel := context.WithCancel(t.Context())
	cancel()

	tests := []struct {
		name   string
		engine *ocr.Tesseract
		ctx    context.Context
		check  func(t *testing.T, err error)
	}{
		{"timeout before start", &ocr.Tesseract{Timeout: time.Nanosecond}, t.Context(), func(t *testing.T, err error) {
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.ErrorContains(t, err, "timed out after 1ns")
		}},
		{"timeout while running", &ocr.Tesseract{Timeout: 100 * time.Millisecond}, t.Context(), func(t *testing.T, err error) {
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.ErrorContains(t, err, "timed out after 100ms")
		}},
		{"caller canceled", &ocr.Tesseract{}, canceled, func(t *testing.T, err error) {
			require.ErrorIs(t, err, context.Canceled)
		}},
		{"binary missing", &ocr.Tesseract{Binary: "snapnote-no-such-tesseract"}, t.Context(), func(t *testing.T, err error) {
			require.ErrorIs(t, err, exec.ErrNotFound)
		}},
		{"binary fails", &ocr.Tesseract{Binary: "false"}, t.Context(), func(t *testing.T, err error) {
			var exitErr *exec.ExitError
			require.ErrorAs(t, err, &exitErr)
		}},
		{"language missing", &ocr.Tesseract{Lang: "xxx"}, t.Context(), func(t *testing.T, err error) {
			require.ErrorContains(t, err, "Failed loading language 'xxx'")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			start := time.Now()
			res, err := tt.engine.Recognize(tt.ctx, img)
			require.Error(t, err)
			require.NotErrorIs(t, err, ocr.ErrNoText)
			require.Zero(t, res)
			require.Less(t, time.Since(start), 10*time.Second)
			tt.check(t, err)
		})
	}
}

func TestTesseractCheckInstalled(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		engine  *ocr.Tesseract
		wantErr []string // substrings of the error; none means success
	}{
		{"defaults", &ocr.Tesseract{}, nil},
		{"eng", &ocr.Tesseract{Lang: "eng"}, nil},
		{"eng+osd", &ocr.Tesseract{Lang: "eng+osd"}, nil},
		{"missing language", &ocr.Tesseract{Lang: "xxx"}, []string{`"xxx"`, "tesseract-ocr-xxx"}},
		{"two missing", &ocr.Tesseract{Lang: "eng+xxx+chi_sim"}, []string{`"xxx", "chi_sim"`, "tesseract-ocr-xxx tesseract-ocr-chi-sim"}},
		{"empty language", &ocr.Tesseract{Lang: "eng+"}, []string{`invalid tesseract language list "eng+"`}},
		{"binary missing", &ocr.Tesseract{Binary: "snapnote-no-such-tesseract"}, []string{"snapnote-no-such-tesseract", "tesseract-ocr"}},
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

	err := (&ocr.Tesseract{Binary: fake}).CheckInstalled(t.Context())
	require.ErrorContains(t, err, `"osd"`)
	require.ErrorContains(t, err, "apt-get install tesseract-ocr-osd")

	require.NoError(t, (&ocr.Tesseract{Binary: fake, Skip: []string{ocr.StepOrient}}).CheckInstalled(t.Context()),
		"without orientation detection the osd data is not needed")
}

func TestTesseractConcurrent(t *testing.T) {
	t.Parallel()
	requireTesseract(t)

	img := page()
	engine := &ocr.Tesseract{}
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := engine.Recognize(t.Context(), img)
			errs <- err
		}()
	}
	require.NoError(t, errors.Join(<-errs, <-errs))
}

func BenchmarkRecognize(b *testing.B) {
	requireTesseract(b)
	img := page()
	engine := &ocr.Tesseract{}

	for b.Loop() {
		if _, err := engine.Recognize(b.Context(), img); err != nil {
			b.Fatal(err)
		}
	}
}
