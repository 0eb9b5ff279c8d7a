package tesseract

import (
	"context"
	"image"
	"slices"
	"strings"

	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/layout"
)

// StepPale is the step a Result records when text printed in pale ink, which page
// segmentation left out, was read again ("pale:2"; see recoverPale).
const StepPale = "pale"

// Bounds of recoverPale.
const (
	// maxPaleReads is how many stretches of pale ink one page may read again.
	maxPaleReads = 8
	// minPaleConf is the least mean confidence of the words read of a stretch of pale ink:
	// the back of the sheet showing through, mirrored and blurred, reads as doubted words.
	minPaleConf = 70
)

// recoverPale reads again the text printed in pale ink (a heading in light gray, yellow or red)
// that page segmentation left out: Tesseract's global threshold turns such ink into paper, and
// finds no line there. It finds the stretches of pale ink where no word was read (see
// paleStretches) and reads each alone, in black and white, as one line of text, keeping its words,
// but marks without a letter or digit at either end, when their mean confidence is minPaleConf or
// more. A stretch that ends before the start of a line of words, as a section's number before its
// pale title, joins that line; any other is a line of its own. page is the page words were read
// from, in lang. It returns the words, with those read again, and how many stretches it kept.
func (t *Engine) recoverPale(ctx context.Context, page *image.Gray, words []ocr.Word, lang string) ([]ocr.Word, int, error) {
	h := medianHeight(words)
	if h == 0 {
		return words, 0, nil
	}
	paper := layout.PaperLevel(page)
	faint := paper - (paper-inkLevel(page))/3
	stretches := paleStretches(page, words, h, paper/2, faint)
	block := 0
	for _, w := range words {
		block = max(block, w.Block)
	}
	found := 0
	for _, box := range stretches[:min(len(stretches), maxPaleReads)] {
		margin := h / 2
		read, err := t.readAs(ctx, binarized(page, box, margin, faint), lang, psmLine)
		if err != nil {
			return nil, 0, err
		}
		// A rule or the page's edge at either end of the stretch reads as a mark ("|").
		for len(read) > 0 && !hasAlnum(read[0].Text) {
			read = read[1:]
		}
		for len(read) > 0 && !hasAlnum(read[len(read)-1].Text) {
			read = read[:len(read)-1]
		}
		if len(read) == 0 || 100*ocr.WordsResult(read).Confidence < minPaleConf {
			continue
		}
		line, ok := lineAfter(words, box, h)
		if !ok {
			block++
			line = ocr.Word{Page: words[0].Page, Block: block, Par: 1, Line: 1}
		}
		for _, w := range read {
			w.Page, w.Block, w.Par, w.Line = line.Page, line.Block, line.Par, line.Line
			w.Box = w.Box.Add(box.Min.Sub(image.Pt(margin, margin)))
			words = append(words, w)
		}
		found++
	}
	return words, found, nil
}

// paleStretches returns the stretches of page, top to bottom, that hold a line of pale ink where no
// word of words lies: runs of rows from half to three times h, the words' median height, with
// pixels at or below faint and above dark outside the words' boxes (grown by a quarter of h), a
// third of h of them or more in a row on average, and up to half of h more rows with a few above
// and below (the tips of tall letters and descenders); split at gaps wider than four times h, at
// least half of h wide, and with hardly any pixel at or below dark (a twentieth of the pale ones):
// unread dark ink is a drawing or a shadow, which reads as nothing.
func paleStretches(page *image.Gray, words []ocr.Word, h int, dark, faint uint8) []image.Rectangle {
	s := paleScan{page: page, dark: dark, faint: faint, read: make([][][2]int, page.Rect.Dy())}
	for _, w := range words {
		if strings.TrimSpace(w.Text) == "" {
			continue // a block Tesseract found blank, as large as the page
		}
		r := w.Box.Inset(-h / 4).Intersect(page.Rect)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			s.read[y-page.Rect.Min.Y] = append(s.read[y-page.Rect.Min.Y], [2]int{r.Min.X, r.Max.X})
		}
	}
	for _, covered := range s.read {
		slices.SortFunc(covered, func(a, b [2]int) int { return a[0] - b[0] })
	}
	// A line's rows hold pale pixels across its letters, fewer where a row runs between the
	// bars of an "E", so they are counted over a quarter of h either side; above and below
	// them lie only the tips of a few, and stray pixels of the paper's grain anywhere.
	rows := page.Rect.Dy()
	sum := make([]int, rows+1) // pale pixels of the rows before each
	for i := range rows {
		n, _ := s.row(page.Rect.Min.Y+i, nil, nil)
		sum[i+1] = sum[i] + n
	}
	r := max(1, h/4)
	dense := func(i int) bool {
		lo, hi := max(0, i-r), min(rows, i+r+1)
		return 3*(sum[hi]-sum[lo]) >= max(2, h)*(hi-lo)
	}
	some := func(i int) bool { return sum[i+1]-sum[i] >= 2 }
	var out []image.Rectangle
	last := 0 // the end of the last band: bands do not overlap
	for i := 0; i < rows; {
		if !dense(i) {
			i++
			continue
		}
		i0 := i
		for i < rows && dense(i) {
			i++
		}
		i1 := i
		for top := max(last, i0-h/2); i0 > top && some(i0-1); {
			i0--
		}
		for bottom := min(rows, i1+h/2); i1 < bottom && some(i1); {
			i1++
		}
		if 2*(i1-i0) >= h && i1-i0 <= 3*h {
			out = append(out, s.band(page.Rect.Min.Y+i0, page.Rect.Min.Y+i1, h)...)
		}
		i, last = i1, i1
	}
	return out
}

// paleScan counts the pale and the dark pixels of a page outside the words read on it.
type paleScan struct {
	page        *image.Gray
	dark, faint uint8
	read        [][][2]int // per row, the columns words cover, in order
}

// row counts the pale pixels (lighter than dark, at or below faint) and the dark ones (at or
// below dark) of row y that no word covers, and adds them to pale and dark column by column
// when those are not nil.
func (s *paleScan) row(y int, pale, dark []int) (paleSum, darkSum int) {
	o := s.page.Rect.Min
	pix := s.page.Pix[s.page.PixOffset(o.X, y):][:s.page.Rect.Dx()]
	tally := func(x0, x1 int) {
		for x := x0; x < x1; x++ {
			switch p := pix[x-o.X]; {
			case p <= s.dark:
				darkSum++
				if dark != nil {
					dark[x-o.X]++
				}
			case p <= s.faint:
				paleSum++
				if pale != nil {
					pale[x-o.X]++
				}
			}
		}
	}
	x := o.X
	for _, c := range s.read[y-o.Y] {
		tally(x, c[0])
		x = max(x, c[1])
	}
	tally(x, s.page.Rect.Max.X)
	return paleSum, darkSum
}

// band splits the rows y0 to y1 into stretches of pale ink (see paleStretches).
func (s *paleScan) band(y0, y1, h int) []image.Rectangle {
	w := s.page.Rect.Dx()
	pale, dark := make([]int, w), make([]int, w)
	for y := y0; y < y1; y++ {
		s.row(y, pale, dark)
	}
	var out []image.Rectangle
	start, end, paleSum, darkSum := -1, -1, 0, 0
	flush := func() {
		if start >= 0 && 2*(end-start) >= h && 20*darkSum <= paleSum {
			x := s.page.Rect.Min.X
			out = append(out, image.Rect(x+start, y0, x+end, y1))
		}
		start, paleSum, darkSum = -1, 0, 0
	}
	for x := range w {
		if pale[x] == 0 {
			continue
		}
		if start >= 0 && x-end > 4*h {
			flush()
		}
		if start < 0 {
			start = x
		}
		end = x + 1
		paleSum += pale[x]
		darkSum += dark[x]
	}
	flush()
	return out
}

// lineAfter returns a word of words that starts right of box, within four of h, on its rows
// (overlapping half of box's height or more), when there is one: the line box begins.
func lineAfter(words []ocr.Word, box image.Rectangle, h int) (ocr.Word, bool) {
	for _, w := range words {
		overlap := min(w.Box.Max.Y, box.Max.Y) - max(w.Box.Min.Y, box.Min.Y)
		if w.Box.Min.X >= box.Max.X && w.Box.Min.X-box.Max.X <= 4*h && 2*overlap >= box.Dy() {
			return w, true
		}
	}
	return ocr.Word{}, false
}

// medianHeight returns the median height of the words that hold a letter or a digit, 0 for
// none.
func medianHeight(words []ocr.Word) int {
	var hs []int
	for _, w := range words {
		if hasAlnum(w.Text) {
			hs = append(hs, w.Box.Dy())
		}
	}
	if len(hs) == 0 {
		return 0
	}
	slices.Sort(hs)
	return hs[len(hs)/2]
}
