package tesseract

import (
	"context"
	"testing"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/layout"
)

// BenchmarkPageLayout compares, on a flat corpus page, what the layout costs (finding and
// erasing rules, measuring strokes, ordering and grouping the words: everything Recognize does
// beyond preprocessing and Tesseract's own reading) with Tesseract's reading of the same page
// by the command. The ratio of the two is what the layout adds to the OCR stage of such a page
// at most; with warm engines the reading is a little faster.
func BenchmarkPageLayout(b *testing.B) {
	page := corpus.NewPage(0).Image
	engine := &Engine{}
	words, err := engine.read(context.Background(), page, ocr.DefaultLang)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("layout", func(b *testing.B) {
		for b.Loop() {
			rules := layout.FindRules(page)
			_ = layout.EraseRules(page, rules)
			pageResult(words, page, rules)
		}
	})
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			if _, err := engine.read(context.Background(), page, ocr.DefaultLang); err != nil {
				b.Fatal(err)
			}
		}
	})
}
