package pdf_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/layout"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/pdf"
	"github.com/snapnote/snapnote/internal/pdf/pdftest"
	"github.com/snapnote/snapnote/internal/photo"
)

var lecture = []string{
	"Thermodynamics Lecture Three",
	"",
	"The first law states that energy is conserved.",
	"Entropy of an isolated system never decreases.",
	"Heat flows from hot bodies to cold ones.",
	"A reversible process leaves the total entropy unchanged.",
}

// truth is lecture as Read returns it: lines, paragraphs between blank lines.
var truth = strings.Join(lecture, "\n")

// words is s with its runs of white space made one space: pdftotext keeps
// a page's lines but not always a blank line between paragraphs.
func words(s string) string { return strings.Join(strings.Fields(s), " ") }

func write(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "note.pdf")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

// scanOf renders lines as a page scanned at 200 dpi (A4: 1654×2339).
func scanOf(lines []string) pdftest.Page {
	page := pdftest.Scan(85, ocrtest.RenderText(lines, 1654, 2339, 40))
	return pdftest.Page{JPEG: jpegOf(page), Width: 1654, Height: 2339}
}

// jpegOf takes the JPEG back out of a one-page scan: the stream between the
// image's "stream\n" and "\nendstream".
func jpegOf(doc []byte) []byte {
	s := string(doc)
	i := strings.Index(s, "/DCTDecode")
	start := i + strings.Index(s[i:], "stream\n") + len("stream\n")
	end := start + strings.Index(s[start:], "\nendstream")
	return doc[start:end]
}

func TestReadTextLayer(t *testing.T) {
	t.Parallel()
	second := []string{"Second Page", "", "Heat engines turn heat into work and waste some of it."}
	path := write(t, pdftest.Text(lecture, second))
	res, err := (&pdf.Reader{}).Read(context.Background(), path, &tesseract.Engine{}, ocr.Options{}, time.Minute)
	require.NoError(t, err)
	require.Equal(t, words(truth+" "+strings.Join(second, " ")), words(res.Text), "both pages' text layers, in order, no OCR")
	require.Contains(t, res.Text, "Three\nThe first law", "lines are kept")
	require.Contains(t, res.Text, "unchanged.\n\nSecond Page", "pages are paragraphs")
	require.Equal(t, []string{"pdf-p1:pdf-text-layer", "pdf-p2:pdf-text-layer"}, res.Steps)
	require.Zero(t, res.Confidence, "no word was scored by OCR")
	require.Equal(t, len(strings.Fields(res.Text)), res.Words)
}

// Two columns are read one after the other, not line by line across.
func TestReadTwoColumns(t *testing.T) {
	t.Parallel()
	left := []string{"Collisions are resolved by", "chaining or by open", "addressing in the table."}
	right := []string{"Dijkstra needs all edge", "weights to be non", "negative to be correct."}
	path := write(t, pdftest.Write([]pdftest.Page{{Lines: left, Right: right}}, pdftest.Options{}))
	res, err := (&pdf.Reader{}).Read(context.Background(), path, &tesseract.Engine{}, ocr.Options{}, time.Minute)
	require.NoError(t, err)
	require.Equal(t, strings.Join(left, "\n")+"\n\n"+strings.Join(right, "\n"), res.Text)
}

// A scanned page without a text layer is rendered and read by the engine,
// through its preprocessing; a page with one beside it is not.
func TestReadRendersAPageWithoutTextLayer(t *testing.T) {
	t.Parallel()
	path := write(t, pdftest.Write([]pdftest.Page{scanOf(lecture), {Lines: []string{"Notes typed on the second page of the scan."}}}, pdftest.Options{}))
	res, err := (&pdf.Reader{}).Read(context.Background(), path, &tesseract.Engine{}, ocr.Options{}, time.Minute)
	require.NoError(t, err)
	require.Equal(t, "pdf-p1:pdf-render:300dpi", res.Steps[0])
	require.Equal(t, "pdf-p2:pdf-text-layer", res.Steps[len(res.Steps)-1])
	scanned, typed, ok := strings.Cut(res.Text, "\n\nNotes typed")
	require.True(t, ok, res.Text)
	require.Less(t, ocrtest.CER(scanned, truth), 0.03, scanned)
	require.Equal(t, " on the second page of the scan.", typed)
	require.Greater(t, res.Confidence, 0.8)
}

// A scanner app's page: the scanned image with its own OCR under it as an
// invisible text layer. The text layer is taken; how it compares with our
// OCR of the same page, rendered at 300 dpi, is logged for the record.
func TestTextLayerAgainstOCR(t *testing.T) {
	t.Parallel()
	sentences := []string{
		"The first law states that energy is conserved in every process.",
		"Entropy of an isolated system never decreases over time.",
		"Heat flows from hot bodies to cold ones (never the reverse).",
		"A reversible process leaves the total entropy unchanged: dS = 0.",
		"Carnot efficiency is 1 - Tc/Th for reservoirs at Th and Tc.",
	}
	lines := []string{"Thermodynamics Lecture Three", ""}
	for i := range 30 {
		lines = append(lines, sentences[i%len(sentences)])
	}
	want := strings.Join(lines, "\n")
	scan := scanOf(lines)
	both := scan
	both.Lines, both.Invisible = lines, true
	ctx := context.Background()
	r := &pdf.Reader{}

	start := time.Now()
	layer, err := r.Read(ctx, write(t, pdftest.Write([]pdftest.Page{both}, pdftest.Options{})), &tesseract.Engine{}, ocr.Options{}, time.Minute)
	layerTook := time.Since(start)
	require.NoError(t, err)
	require.Equal(t, []string{pdf.StepTextLayer}, layer.Steps)
	require.Equal(t, words(want), words(layer.Text))

	start = time.Now()
	read, err := r.Read(ctx, write(t, pdftest.Write([]pdftest.Page{scan}, pdftest.Options{})), &tesseract.Engine{}, ocr.Options{}, time.Minute)
	ocrTook := time.Since(start)
	require.NoError(t, err)
	// Both are compared with white space made one space: the text layer
	// loses the blank line under the title (see Reader.text), OCR keeps it.
	t.Logf("one A4 page, %d words: text layer CER %.4f in %v; rendered at 300 dpi and OCR CER %.4f (confidence %.2f) in %v, steps %v",
		layer.Words, ocrtest.CER(words(layer.Text), words(want)), layerTook, ocrtest.CER(words(read.Text), words(want)), read.Confidence, ocrTook, read.Steps)
}

func TestUsableText(t *testing.T) {
	t.Parallel()
	for layer, want := range map[string]bool{
		"  Lecture 3:   Entropy\n\n\n  The first law holds.  \f":                             true,
		"Scanned with CamScanner":                                                            false, // a stamp over a scan: OCR reads the page
		"Ä¸ÈÌ Ì¸Ê ½Ð Ì¸Ê Ð¸ÍÆ Ô¸ÌÐ Ì¸Ê Ì¸Ê":                                                  false, // a font read with the wrong encoding
		"\ufffd\ufffd\ufffd \ufffd\ufffd \ufffd\ufffd\ufffd \ufffd\ufffd\ufffd\ufffd \ufffd": false,
		"#$%& '()* +,-. /012 3456 789: ;<=> ?@AB":                                            false,
		"bcdfg hjklm npqrs tvwxz bcdfg hjklm":                                                false,
		"Энтропия изолированной системы никогда не убывает":                                  true,
		"\uE001\uE002\uE003 \uE004\uE005 Lecture one two three four":                         false,
	} {
		_, ok := pdf.UsableText(layer)
		require.Equal(t, want, ok, "%q", layer)
	}
	text, _ := pdf.UsableText("  Lecture 3:   Entropy\n\n\n  The first law holds.  \f")
	require.Equal(t, "Lecture 3: Entropy\n\nThe first law holds.", text)
}

// What the reader refuses, each before it spends more than it must.
func TestReadRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	engine := &tesseract.Engine{}
	many := make([][]string, 3000)
	for i := range many {
		many[i] = []string{"page"}
	}
	huge := pdftest.Page{MediaBox: [2]float64{14400, 14400}} // 200 × 200 inches, no text layer
	for name, tc := range map[string]struct {
		reader pdf.Reader
		data   []byte
		want   error
	}{
		"thousands of pages": {pdf.Reader{}, pdftest.Text(many...), pdf.ErrTooManyPages},
		"over MaxPages":      {pdf.Reader{MaxPages: 3}, pdftest.Text(lecture, lecture, lecture, lecture), pdf.ErrTooManyPages},
		"encrypted":          {pdf.Reader{}, pdftest.Write([]pdftest.Page{{Lines: lecture}}, pdftest.Options{Encrypt: true}), pdf.ErrEncrypted},
		"damaged":            {pdf.Reader{}, []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog\n%%EOF\n"), pdf.ErrDamaged},
		"huge page":          {pdf.Reader{}, pdftest.Write([]pdftest.Page{huge}, pdftest.Options{}), pdf.ErrPageTooLarge},
		// Without the pixel cap, the memory limit stops the same page.
		"huge page, memory limit": {pdf.Reader{MaxPixels: 1 << 40, MemoryLimit: 256 << 20}, pdftest.Write([]pdftest.Page{huge}, pdftest.Options{}), pdf.ErrPageTooLarge},
		// A page that takes minutes to render is killed at PageTimeout.
		"slow page": {pdf.Reader{PageTimeout: 500 * time.Millisecond}, pdftest.Write([]pdftest.Page{{Strokes: 100_000}}, pdftest.Options{}), context.DeadlineExceeded},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.reader.Read(ctx, write(t, tc.data), engine, ocr.Options{}, time.Minute)
			require.ErrorIs(t, err, tc.want)
			if errors.Is(tc.want, pdf.ErrTooManyPages) {
				var many *pdf.TooManyPagesError
				require.ErrorAs(t, err, &many)
				require.Greater(t, many.Pages, many.Max)
			}
		})
	}
}

// A command whose output stays open after it exited is cut after a grace, and
// the error is not one of the file's: the PDF is not called damaged, so the
// job is retried. Here a process that left poppler's group holds the output.
func TestReadOutputLeftOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stub := filepath.Join(dir, "prlimit")
	require.NoError(t, os.WriteFile(stub, []byte("#!/bin/sh\nsetsid sleep 60 &\necho $! >"+filepath.Join(dir, "pid")+"\n"), 0o700))
	t.Cleanup(func() {
		pid, err := os.ReadFile(filepath.Join(dir, "pid"))
		require.NoError(t, err)
		require.NoError(t, exec.Command("kill", strings.TrimSpace(string(pid))).Run())
	})

	r := &pdf.Reader{Prlimit: stub}
	_, err := r.Read(context.Background(), write(t, pdftest.Text(lecture)), &tesseract.Engine{}, ocr.Options{}, time.Minute)
	require.ErrorIs(t, err, exec.ErrWaitDelay)
	for _, permanent := range []error{pdf.ErrDamaged, pdf.ErrEncrypted, pdf.ErrPageTooLarge, pdf.ErrTooManyPages} {
		require.NotErrorIs(t, err, permanent)
	}
}

// A text layer keeps its structure: headings from the size of their letters, bullets and
// numbered items as lists, in the Markdown the format stage works from.
func TestReadTextLayerKeepsHeadingsAndBullets(t *testing.T) {
	t.Parallel()
	path := write(t, pdftest.Text([]string{
		"# Heat Engines", "Engines turn heat into work and waste some of it.", "",
		"## Key points", "• heat flows from hot to cold", "• work done by the gas is positive", "",
		"1. Write down what is given.", "2. Draw the diagram.",
	}))
	res, err := (&pdf.Reader{}).Read(context.Background(), path, &tesseract.Engine{}, ocr.Options{}, time.Minute)
	require.NoError(t, err)
	require.Equal(t, "# Heat Engines\n\nEngines turn heat into work and waste some of it.\n\n## Key points\n\n"+
		"- heat flows from hot to cold\n- work done by the gas is positive\n\n1. Write down what is given.\n2. Draw the diagram.\n", res.Markdown)
	require.Contains(t, res.Text, "• heat flows", "the plain text stays as the layer has it")
}

// The figures of scanned pages are kept, numbered through the document: each page's figures
// after those of the pages before it, as the Markdown shows them.
func TestReadKeepsTheFiguresOfScannedPages(t *testing.T) {
	t.Parallel()
	var pages []pdftest.Page
	for i := range 2 {
		s, err := corpus.LayoutSample(i, corpus.ClassFigure)
		require.NoError(t, err)
		img, err := photo.Decode(bytes.NewReader(s.Encoded))
		require.NoError(t, err)
		scan := pdftest.Scan(90, img)
		pages = append(pages, pdftest.Page{JPEG: jpegOf(scan), Width: img.Bounds().Dx(), Height: img.Bounds().Dy()})
	}
	path := write(t, pdftest.Write(pages, pdftest.Options{}))
	res, err := (&pdf.Reader{}).Read(context.Background(), path, &tesseract.Engine{}, ocr.Options{}, time.Minute)
	require.NoError(t, err)
	require.Len(t, res.Figures, 2, res.Markdown)
	first := strings.Index(res.Markdown, "![Figure 1]("+layout.FigureScheme+"1)")
	second := strings.Index(res.Markdown, "![Figure 2]("+layout.FigureScheme+"2)")
	require.True(t, first >= 0 && second > first, "each figure where its page stands:\n%s", res.Markdown)
	for _, f := range res.Figures {
		require.False(t, f.Image.Bounds().Empty())
	}
}
