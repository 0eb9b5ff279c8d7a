package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/config"
	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/ocr/warm"
	"github.com/snapnote/snapnote/internal/photo"
)

func TestMain(m *testing.M) {
	// The warm engines runEval starts run this binary as their child processes.
	warm.ServeIfChild()
	os.Exit(m.Run())
}

func testConfig() *config.Config {
	return &config.Config{OCRLang: "eng", OCRTimeout: 2 * time.Minute}
}

// writeRealPage writes a clean corpus page and its truth into dir as a real page, and one
// image without truth beside it.
func writeRealPage(t *testing.T, dir string) {
	t.Helper()
	s, err := corpus.Variant(corpus.NewPage(0), corpus.ClassClean)
	require.NoError(t, err)
	require.Equal(t, "image/png", s.ContentType)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "page.png"), s.Encoded, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "page.gt.md"), []byte(s.Truth), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "untold.png"), s.Encoded, 0o644))
}

// tableClasses returns the first column of the rows of the table printEval writes.
func tableClasses(out string) []string {
	var classes []string
	inTable := false
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) == 0:
		case fields[0] == "class":
			inTable = true
		case inTable:
			classes = append(classes, fields[0])
		}
	}
	return classes
}

func TestRealClassAloneReadsOnlyTheRealPages(t *testing.T) {
	dir := t.TempDir()
	writeRealPage(t, dir)

	var out bytes.Buffer
	err := runEval(t.Context(), testConfig(), []string{"--classes", realClass, "--real", dir, "--jobs", "1"}, &out, io.Discard)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(out.String(), "1 real pages;"), out.String())
	require.Equal(t, []string{realClass, "all"}, tableClasses(out.String()))
}

func TestRealClassNeedsRealPages(t *testing.T) {
	err := runEval(t.Context(), testConfig(), []string{"--classes", realClass}, io.Discard, io.Discard)
	require.ErrorContains(t, err, `unknown class "real"`)
}

func TestRealSamplesSkipImagesWithoutTruth(t *testing.T) {
	dir := t.TempDir()
	writeRealPage(t, dir)

	samples, err := realSamples(dir)
	require.NoError(t, err)
	require.Len(t, samples, 1)
	require.Equal(t, "real-page", samples[0].Name)
	require.Equal(t, realClass, samples[0].Class)
}

func TestRealSamplesFailWithoutAnyTruth(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "page.png"), []byte("not read"), 0o644))

	_, err := realSamples(dir)
	require.ErrorContains(t, err, "no image with a NAME.gt.md beside it")
	_, err = realSamples(filepath.Join(dir, "missing"))
	require.Error(t, err)
}

func TestLangReadsEverySampleInIt(t *testing.T) {
	dir := t.TempDir()
	page, ok := corpus.LanguagePage("fra", 0)
	require.True(t, ok)
	s, err := corpus.Variant(page, corpus.ClassClean)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "page.png"), s.Encoded, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "page.gt.md"), []byte(s.Truth), 0o644))

	var verbose bytes.Buffer
	err = runEval(t.Context(), testConfig(), []string{"--classes", realClass, "--real", dir, "--jobs", "1", "--lang", "auto", "-v"}, io.Discard, &verbose)
	require.NoError(t, err)
	require.Contains(t, verbose.String(), "detect:fra", "the French page is found French on an English server")
	require.Contains(t, verbose.String(), "lang:fra")
}

func TestUprightReadsACopyTurnedAsThePipelineFound(t *testing.T) {
	dir := t.TempDir()
	s, err := corpus.Variant(corpus.NewPage(0), corpus.ClassRotate180)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "page"+photo.Extension(s.ContentType)), s.Encoded, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "page.gt.md"), []byte(s.Truth), 0o644))

	var out, verbose bytes.Buffer
	err = runEval(t.Context(), testConfig(), []string{"--classes", realClass, "--real", dir, "--jobs", "1", "--upright", "-v"}, &out, &verbose)
	require.NoError(t, err)
	require.Contains(t, verbose.String(), "rotate:180")
	m := regexp.MustCompile(`CER ([0-9.]+)/([0-9.]+)  upright ([0-9.]+)`).FindStringSubmatch(verbose.String())
	require.NotNil(t, m, verbose.String())
	plain, upright := parseFloat(t, m[1]), parseFloat(t, m[3])
	require.Greater(t, plain, 0.5, "upside down, plain tesseract reads nothing right")
	require.Less(t, upright, plain/3, "turned upright, it reads the page as it reads a clean one")
	require.Contains(t, out.String(), "pipeline worse than plain tesseract upright on ")
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err)
	return v
}

func TestMarkdownTruthKeepsWhatIsPrinted(t *testing.T) {
	md := "# Fractions\n\n1. 2/3 + 1/3\n2) 6/3\n\n- a bullet\n\n## 2.1. Soleil\n\n| A | B |\n|---|---|\n| x | y |\n\n![]()\n\nQIBM\\_DB"
	truth, structure := markdownTruth(md)
	require.Equal(t, "Fractions\n\n1. 2/3 + 1/3\n2) 6/3\n\na bullet\n\n2.1. Soleil\n\nA B\nx y\n\nQIBM_DB", truth)
	require.Equal(t, []corpus.Element{
		{Kind: corpus.ElementHeading, Text: "Fractions"},
		{Kind: corpus.ElementItem, Text: "2/3 + 1/3"},
		{Kind: corpus.ElementItem, Text: "6/3"},
		{Kind: corpus.ElementItem, Text: "a bullet"},
		{Kind: corpus.ElementHeading, Text: "2.1. Soleil"},
		{Kind: corpus.ElementCell, Text: "A", Row: 0, Col: 0},
		{Kind: corpus.ElementCell, Text: "B", Row: 0, Col: 1},
		{Kind: corpus.ElementCell, Text: "x", Row: 1, Col: 0},
		{Kind: corpus.ElementCell, Text: "y", Row: 1, Col: 1},
		{Kind: corpus.ElementFigure},
	}, structure)
}
