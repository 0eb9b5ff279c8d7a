package tesseract

import (
	"context"
	"image"
	"slices"
	"strings"
	"unicode"

	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/layout"
)

// StepLabels is the step a Result records when labels left out by page segmentation were
// read again ("labels:4"; see recoverLabels).
const StepLabels = "labels"

// psmLine is Tesseract's page segmentation for a single line of text.
const psmLine = 7

// Bounds of recoverLabels.
const (
	// maxLabelReads is how many places at the start of lines one page may read again.
	maxLabelReads = 12
	// minLabelConf is the least confidence of a label read again.
	minLabelConf = 60
)

// recoverLabels reads again the labels Tesseract's page segmentation left out at the start
// of lines: the number of an exercise or of a section ("2.", "2.1.") set an em or more
// before its text, which page segmentation takes for a narrow column of its own and drops or
// garbles. For each line of words whose left holds ink within six of its heights that no
// confident word covers (see unreadInk), the size of a character or a few, it reads that ink
// alone as one line of text, and keeps what it reads when it is a label (layout.IsLabel) read
// with confidence minLabelConf or more, as the line's first word, in place of the doubted
// words and marks there. A line's first word that looks like a misread label (see
// misreadLabel) is read again alone the same way, and takes the label's text when it reads
// as one. page is the page words were read from, in lang. It returns the words, with the
// labels in place, and how many.
func (t *Engine) recoverLabels(ctx context.Context, page *image.Gray, words []ocr.Word, lang string) ([]ocr.Word, int, error) {
	ink := inkLevel(page)
	found := 0
	reads := 0
	for _, first := range lineStarts(words) {
		if reads == maxLabelReads {
			break
		}
		if !slices.Contains(words, first) {
			continue // replaced already, as a column of labels misread as one word
		}
		if misreadLabel(words, first) {
			reads++
			read, err := t.readAs(ctx, binarized(page, first.Box, first.Box.Dy()/2, ink), lang, psmLine)
			if err != nil {
				return nil, 0, err
			}
			if label, ok := labelOf(read); ok {
				words[slices.Index(words, first)].Text = label.Text
				found++
			}
			continue
		}
		box, junk, ok := unreadInk(page, words, first.Box, ink)
		if !ok {
			continue
		}
		reads++
		read, err := t.readAs(ctx, binarized(page, box, first.Box.Dy()/2, ink), lang, psmLine)
		if err != nil {
			return nil, 0, err
		}
		label, ok := labelOf(read)
		if !ok {
			continue
		}
		label.Page, label.Block, label.Par, label.Line, label.Box = first.Page, first.Block, first.Par, first.Line, box
		words = slices.DeleteFunc(words, func(w ocr.Word) bool { return slices.Contains(junk, w) })
		words = slices.Insert(words, slices.Index(words, first), label)
		found++
	}
	return words, found, nil
}

// misreadLabel reports whether first, the first word of its line among words, looks like a
// label misread ("IL" for "II."): a word of four characters at most that is no label, set
// apart from the next word of its line by its own height or more, as a label's hanging indent
// is.
func misreadLabel(words []ocr.Word, first ocr.Word) bool {
	if len([]rune(first.Text)) > 4 || layout.IsLabel(first.Text) {
		return false
	}
	next := -1
	for _, w := range words {
		if sameLine(w, first) && w.Box.Min.X >= first.Box.Max.X && (next < 0 || w.Box.Min.X < next) {
			next = w.Box.Min.X
		}
	}
	return next >= 0 && next-first.Box.Max.X >= first.Box.Dy()
}

// lineStarts returns the first word, leftmost, of each line of words that has one with a
// letter or a digit: what is left of it on its line, if anything, is a stray mark or the
// punctuation of a label whose number went unread ("." for "2.").
func lineStarts(words []ocr.Word) []ocr.Word {
	type key struct{ page, block, par, line int }
	first := make(map[key]ocr.Word)
	var order []key
	for _, w := range words {
		if !hasAlnum(w.Text) {
			continue
		}
		k := key{w.Page, w.Block, w.Par, w.Line}
		f, seen := first[k]
		if !seen {
			order = append(order, k)
		}
		if !seen || w.Box.Min.X < f.Box.Min.X {
			first[k] = w
		}
	}
	out := make([]ocr.Word, 0, len(order))
	for _, k := range order {
		out = append(out, first[k])
	}
	return out
}

// unreadInk returns the box around the ink (pixels at or below ink) of page in the rows of
// the word first, from six of its heights before it up to a quarter of its height before it,
// when there is some, no word of the line's height read with confidence and holding a letter
// or digit covers any of that stretch, and the ink is the size of a label: a third to one and
// a half of first's height tall, at most three heights wide. It also returns the other words
// there, which a label replaces: doubted, mere punctuation, or taller than the line (a column
// of labels misread as one word).
func unreadInk(page *image.Gray, words []ocr.Word, first image.Rectangle, ink uint8) (box image.Rectangle, junk []ocr.Word, ok bool) {
	h := first.Dy()
	if h <= 0 {
		return image.Rectangle{}, nil, false
	}
	stretch := image.Rect(first.Min.X-6*h, first.Min.Y, first.Min.X-h/4, first.Max.Y).Intersect(page.Rect)
	if stretch.Empty() {
		return image.Rectangle{}, nil, false
	}
	for _, w := range words {
		if !w.Box.Overlaps(stretch) {
			continue
		}
		if w.Conf >= minLabelConf && hasAlnum(w.Text) && 2*w.Box.Dy() <= 3*h {
			return image.Rectangle{}, nil, false
		}
		junk = append(junk, w)
	}
	for y := stretch.Min.Y; y < stretch.Max.Y; y++ {
		row := page.Pix[page.PixOffset(stretch.Min.X, y):][:stretch.Dx()]
		for i, p := range row {
			if p <= ink {
				box = box.Union(image.Rect(stretch.Min.X+i, y, stretch.Min.X+i+1, y+1))
			}
		}
	}
	if 3*box.Dy() < h || 2*box.Dy() > 3*h || box.Dx() > 3*h {
		return image.Rectangle{}, nil, false
	}
	return box, junk, true
}

// labelOf joins the words read of a label's ink and returns them as one word, when they
// make a label read with confidence. A comma after the number is its period misread ("4,").
func labelOf(read []ocr.Word) (ocr.Word, bool) {
	var b strings.Builder
	conf := 100.0
	for _, w := range read {
		b.WriteString(strings.TrimSpace(w.Text))
		conf = min(conf, w.Conf)
	}
	text := b.String()
	if number, ok := strings.CutSuffix(text, ","); ok {
		text = number + "."
	}
	if !layout.IsLabel(text) || conf < minLabelConf {
		return ocr.Word{}, false
	}
	return ocr.Word{Text: text, Conf: conf}, true
}

// binarized returns the part of page inside box, black where it is ink (at or below ink) and
// white elsewhere, with a white margin of the given width around it. Read from the gray page,
// a label alone on a crop of grainy paper comes out as letters ("2.1." as "ri à"); in black
// and white it reads.
func binarized(page *image.Gray, box image.Rectangle, margin int, ink uint8) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, box.Dx()+2*margin, box.Dy()+2*margin))
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	for y := box.Min.Y; y < box.Max.Y; y++ {
		row := page.Pix[page.PixOffset(box.Min.X, y):][:box.Dx()]
		dst := out.Pix[(y-box.Min.Y+margin)*out.Stride+margin:][:box.Dx()]
		for x, p := range row {
			if p <= ink {
				dst[x] = 0
			}
		}
	}
	return out
}

// hasAlnum reports whether s holds a letter or a digit.
func hasAlnum(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// inkLevel returns the gray level at or below which a pixel of page is ink: two thirds of
// that of its paper, so that a label printed in gray counts.
func inkLevel(page *image.Gray) uint8 { return uint8(int(layout.PaperLevel(page)) * 2 / 3) }
