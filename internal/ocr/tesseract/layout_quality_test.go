package tesseract_test

import (
	"bytes"
	"cmp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/photo"
)

// layoutQualityPage is the corpus page TestLayoutQuality reads of each layout class.
const layoutQualityPage = 1

// Targets of the layout classes.
const (
	// maxLayoutCER bounds the character error rate, in reading order, of every layout class:
	// the target for pages set in columns, which the others meet as well.
	maxLayoutCER = 0.02
	// minStructureRecall is the least share of headings, list items, table cells (in their
	// row and column) and figures the note must show.
	minStructureRecall = 0.9
	// minCellsInPlace is the least share of a table's cells the note must show in their row
	// and column.
	minCellsInPlace = 0.9
)

// TestLayoutQuality reads one page of each layout class as the OCR job does, makes the note
// the built-in formatter makes of it, and checks the targets: every class read in order (CER
// under maxLayoutCER, columns never interleaved), no class read worse than plain `tesseract FILE -` in reading order
// or in its words, and the note showing the page's structure, figures included, with as many
// figures cut from the page as the note shows, and tables with their cells in place.
func TestLayoutQuality(t *testing.T) {
	t.Parallel()
	requireTesseract(t)

	engine := &tesseract.Engine{}
	for _, class := range corpus.LayoutClasses {
		t.Run(class, func(t *testing.T) {
			t.Parallel()
			s, err := corpus.LayoutSample(layoutQualityPage, class)
			require.NoError(t, err)
			img, err := photo.Decode(bytes.NewReader(s.Encoded))
			require.NoError(t, err)
			res, err := engine.Recognize(t.Context(), img, ocr.Options{})
			require.NoError(t, err)
			plain := plainTesseract(t, s)

			truth := ocrtest.StripBullets(s.Truth)
			cer, plainCER := ocrtest.CER(ocrtest.StripBullets(res.Text), truth), ocrtest.CER(ocrtest.StripBullets(plain), truth)
			words, plainWords := ocrtest.WordError(ocrtest.StripBullets(res.Text), truth), ocrtest.WordError(ocrtest.StripBullets(plain), truth)
			t.Logf("%s: CER %.3f (plain %.3f), word error %.3f (plain %.3f), steps %v", s.Name, cer, plainCER, words, plainWords, res.Steps)
			require.LessOrEqual(t, cer, plainCER+qualityEpsilon, "CER in reading order")
			require.LessOrEqual(t, words, plainWords+qualityEpsilon, "order-free word error")
			require.Less(t, cer, maxLayoutCER, "CER in reading order:\n%s", res.Text)

			note, err := notes.Builtin{}.Format(t.Context(), notes.Input{Text: cmp.Or(res.Markdown, res.Text)})
			require.NoError(t, err)
			found := ocrtest.FindStructure(note.Markdown, s.Structure)
			t.Logf("%s: structure %.2f, found %v of %v", s.Name, found.Recall(), found.Found, found.Total)
			require.GreaterOrEqual(t, found.Recall(), minStructureRecall, "structure found %v of %v in:\n%s", found.Found, found.Total, note.Markdown)
			if cells := found.Total[corpus.ElementCell]; cells > 0 {
				require.GreaterOrEqual(t, float64(found.Found[corpus.ElementCell])/float64(cells), minCellsInPlace,
					"table cells in their row and column:\n%s", note.Markdown)
			}
			require.Equal(t, found.Total[corpus.ElementFigure], len(res.Figures), "figures cut from the page")
		})
	}
}
