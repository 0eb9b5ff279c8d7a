package layout

import (
	"image"
	"slices"
)

// Thresholds of figure finding, in body ems unless said otherwise.
const (
	// figureJoinEms is the widest gap between two pieces of ink of one figure: the parts of a
	// diagram stand apart, but not as far as two figures or a figure and a stray mark.
	figureJoinEms = 2.5
	// minFigureSide and minFigureArea bound a figure from below: a bullet, a speck, a
	// signature's flourish or a crossed-out word is smaller.
	minFigureSide = 2.5
	minFigureArea = 16
	// maxFigureText is the largest share of a figure's box that words may cover: labels in a
	// diagram cover little of it, the text inside a framed paragraph most of it.
	maxFigureText = 0.25
	// maxWordEms is the tallest a word may be, in ems, to be text rather than a shape the
	// engine read as a word.
	maxWordEms = 3
	// maxLabelWords is the most words of one line inside a figure: a diagram's labels are
	// short, a line of the text that runs beside a figure longer.
	maxLabelWords = 4
	// labelReachEms is how far from its drawing's ink a label stands at most: a diagram's or
	// a chart's labels are written beside what they name, while the lines of the text a
	// figure's box would swallow (a column of words beside the desk or the binding around a
	// photographed page) stand far from its ink.
	labelReachEms = 2
	// maxLooseWords is the most words, confidently read and beyond a label's reach of the
	// ink, that a figure's box may hold.
	maxLooseWords = 4
	// minLooseConf is the least confidence of such a word: the engine doubts what it reads
	// in the shapes of a drawing or a photo.
	minLooseConf = 70
	// wordFringeEms is how far past the box the engine gives a word its ink may reach: the
	// soft edge of a glyph, a pixel or two.
	wordFringeEms = 0.08
	// figureInkDrop is how much darker than the paper a pixel must be to be a figure's ink:
	// less than a light shading or a photo's mid-tones differ from the paper, more than the
	// grain of a photographed sheet.
	figureInkDrop = 50
	// frameSpecks is the largest share of the cells inside a frame round text that may hold
	// ink of no word: specks of the paper's grain.
	frameSpecks = 0.01
)

// FindFigures returns the boxes of the figures on page (drawings, diagrams, charts, photos)
// in page coordinates: regions of ink that are not words the engine read, nor inside the
// tables that rules (from FindRules) draw, large enough not to be a mark or a speck, smaller
// than most of the page, and with few words in them, standing near the ink (the labels of a
// diagram): a box round text far from its ink, such as the edges of a photographed sheet and
// the desk around its words, is none. page is the preprocessed page the words were read
// from (paper near white, straightened). The boxes have a margin of half an em around the
// ink, less where two figures stand closer or a word stands within it, and do not overlap. No figures give nil.
func FindFigures(page *image.Gray, words []Word, rules []Rule) []image.Rectangle {
	b := page.Rect
	if b.Dx() < 20 || b.Dy() < 20 {
		return nil
	}
	text := textWords(words)
	em := figureEm(text, b)
	g := newInkGrid(page, max(2, int(em/3)))
	inked := slices.Clone(g.ink) // before the words are cleared
	fringe := max(2, int(wordFringeEms*em))
	for _, w := range text {
		g.clear(w.Box.Inset(-fringe))
	}
	// A table that rules draw is text, its rules and the ink of any word the engine missed in
	// its cells; the rules that hold no table's cells may be a diagram's boxes and lines.
	tables, _ := ruledTables(text, rules)
	for _, t := range tables {
		g.clear(t.box.Inset(-2))
	}
	// Ink along the image's edge is the edge of the sheet or the desk around it.
	inner := b.Inset(max(2, b.Dx()/100))
	g.clearOutside(inner)

	// A figure's box holds little text, and none of it far from the figure's ink; nor does
	// it take in most of the page, the edges of a photographed sheet and the desk beside it.
	swallows := func(box image.Rectangle) bool {
		return 10*box.Dx()*box.Dy() > 9*b.Dx()*b.Dy() || g.looseWords(text, box, int(labelReachEms*em)) > maxLooseWords
	}
	var out []image.Rectangle
	for _, box := range g.parts(int(figureJoinEms*em/float64(g.cell)), text) {
		box = box.Intersect(b)
		side, area := float64(min(box.Dx(), box.Dy())), float64(box.Dx()*box.Dy())
		if side < minFigureSide*em || area < minFigureArea*em*em || swallows(box) {
			continue
		}
		if textShare(text, box) > maxFigureText || g.mostlyWords(inked, box) || g.framesText(words, box, em) {
			continue
		}
		out = append(out, box)
	}
	// Boxes that overlap join into one, which may take in what neither did: the edges of a
	// photographed sheet on either side join round the text between them.
	out = slices.DeleteFunc(mergeOverlapping(out), swallows)
	if len(out) == 0 {
		return nil
	}
	framed := make([]image.Rectangle, len(out))
	for i, box := range out {
		margin := int(em / 2)
		for j, other := range out {
			if j != i {
				margin = min(margin, gap(box, other)/2)
			}
		}
		// The margin takes in no word: the words centred in a figure's box are its picture.
		for _, w := range text {
			if c := center(w.Box); !c.In(box) {
				margin = min(margin, max(box.Min.X-c.X-1, c.X-box.Max.X, box.Min.Y-c.Y-1, c.Y-box.Max.Y))
			}
		}
		framed[i] = box.Inset(-margin).Intersect(b)
	}
	return framed
}

// center is the middle of r.
func center(r image.Rectangle) image.Point {
	return image.Pt((r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2)
}

// gap is the distance between two boxes that do not overlap, across the space between them.
func gap(a, b image.Rectangle) int {
	return max(b.Min.X-a.Max.X, a.Min.X-b.Max.X, b.Min.Y-a.Max.Y, a.Min.Y-b.Max.Y, 0)
}

// parts returns the boxes of the groups of ink that stand within join cells of one another;
// a group whose box holds a line of running text (two figures side by side, one of them
// beside the text of a column) is split into its groups at half the distance, down to cells
// that touch, so that no figure's box takes in the text.
func (g *inkGrid) parts(join int, text []Word) []image.Rectangle {
	var out, finer []image.Rectangle
	for _, box := range g.components(join) {
		if join <= 1 || !holdsText(text, box) {
			out = append(out, box)
			continue
		}
		if finer == nil {
			finer = g.parts(join/2, text)
		}
		for _, f := range finer {
			if f.In(box) { // a group at a shorter distance lies within one at a longer
				out = append(out, f)
			}
		}
	}
	return out
}

// holdsText reports whether more than maxLabelWords words of one line of the engine's
// reading are centred in box.
func holdsText(text []Word, box image.Rectangle) bool {
	lines := make(map[[3]int]int)
	for _, w := range text {
		if image.Pt((w.Box.Min.X+w.Box.Max.X)/2, (w.Box.Min.Y+w.Box.Max.Y)/2).In(box) {
			k := [3]int{w.Block, w.Par, w.Line}
			if lines[k]++; lines[k] > maxLabelWords {
				return true
			}
		}
	}
	return false
}

// looseWords counts the words of text centred in box, confidently read (minLooseConf), that
// have no ink of box within reach pixels: lines of text the box takes in, rather than labels
// beside a drawing. It counts on the grid once the words are cleared from it.
func (g *inkGrid) looseWords(text []Word, box image.Rectangle, reach int) int {
	n := 0
	for _, w := range text {
		c := image.Pt((w.Box.Min.X+w.Box.Max.X)/2, (w.Box.Min.Y+w.Box.Max.Y)/2)
		if w.Conf >= minLooseConf && c.In(box) && !g.inkIn(w.Box.Inset(-reach).Intersect(box)) {
			n++
		}
	}
	return n
}

// inkIn reports whether any cell r touches holds ink.
func (g *inkGrid) inkIn(r image.Rectangle) bool {
	x0, y0, x1, y1 := g.cells(r)
	for y := y0; y < y1; y++ {
		if slices.Contains(g.ink[y*g.w+x0:y*g.w+max(x0, x1)], true) {
			return true
		}
	}
	return false
}

// mostlyWords reports whether more of the ink in box was words (marked in inked, the grid
// before they were cleared) than is left: a frame around lines of text set far apart, rather
// than a drawing with a few labels.
func (g *inkGrid) mostlyWords(inked []bool, box image.Rectangle) bool {
	x0, y0, x1, y1 := g.cells(box)
	words, rest := 0, 0
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			switch i := y*g.w + x; {
			case g.ink[i]:
				rest++
			case inked[i]:
				words++
			}
		}
	}
	return words > rest
}

// framesText reports whether box is a frame round text rather than a drawing with labels: more
// than maxLabelWords of the words read are centred in it, however doubtful, and, inside its
// edges (an em in from them), it holds no ink but theirs, within a quarter em of them (a
// slanted letter's overhang, an underline), and a speck or two (frameSpecks of the cells).
func (g *inkGrid) framesText(words []Word, box image.Rectangle, em float64) bool {
	var near []image.Rectangle
	for _, w := range words {
		if hasText(w.Text) && center(w.Box).In(box) {
			near = append(near, w.Box.Inset(-int(em/4)))
		}
	}
	if len(near) <= maxLabelWords {
		return false
	}
	x0, y0, x1, y1 := g.cells(box.Inset(int(em)))
	stray := 0
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			if !g.ink[y*g.w+x] {
				continue
			}
			cell := image.Rect(x*g.cell, y*g.cell, (x+1)*g.cell, (y+1)*g.cell).Add(g.origin)
			if !slices.ContainsFunc(near, cell.Overlaps) {
				stray++
			}
		}
	}
	return float64(stray) <= frameSpecks*float64(max(0, x1-x0)*max(0, y1-y0))
}

// textWords returns the words that are text: the ones the layout keeps (confident enough,
// see minSegmentConf) and of a text's height, not a shape read as a word.
func textWords(words []Word) []Word {
	var out []Word
	for _, w := range words {
		if w.Conf >= minSegmentConf && !w.Box.Empty() && hasText(w.Text) {
			out = append(out, w)
		}
	}
	em := wordsEm(out)
	return slices.DeleteFunc(out, func(w Word) bool { return float64(w.Box.Dy()) > maxWordEms*em })
}

func hasText(s string) bool {
	for _, r := range s {
		if r != ' ' && r != '\t' {
			return true
		}
	}
	return false
}

// figureEm is the body text's size in pixels, or a fiftieth of the page's height on a page
// without words.
func figureEm(text []Word, b image.Rectangle) float64 {
	if em := wordsEm(text); em >= 4 {
		return em
	}
	return max(4, float64(b.Dy())/50)
}

// textShare is the share of box that the text words centred in it cover.
func textShare(text []Word, box image.Rectangle) float64 {
	covered := 0
	for _, w := range text {
		c := image.Pt((w.Box.Min.X+w.Box.Max.X)/2, (w.Box.Min.Y+w.Box.Max.Y)/2)
		if c.In(box) {
			covered += w.Box.Intersect(box).Dx() * w.Box.Intersect(box).Dy()
		}
	}
	return float64(covered) / float64(box.Dx()*box.Dy())
}

// mergeOverlapping joins boxes that overlap (a drawing inside a frame) until none do.
func mergeOverlapping(boxes []image.Rectangle) []image.Rectangle {
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(boxes) && !merged; i++ {
			for j := i + 1; j < len(boxes); j++ {
				if boxes[i].Overlaps(boxes[j]) {
					boxes[i] = boxes[i].Union(boxes[j])
					boxes = slices.Delete(boxes, j, j+1)
					merged = true
					break
				}
			}
		}
	}
	return boxes
}

// inkGrid is a page seen in square cells, each marked when it holds ink.
type inkGrid struct {
	origin image.Point
	cell   int
	w, h   int
	ink    []bool
}

// newInkGrid marks the cells of page that hold ink: pixels at least figureInkDrop darker
// than the paper (the page's median), a few to a cell so that single specks of grain do not
// count.
func newInkGrid(page *image.Gray, cell int) *inkGrid {
	b := page.Rect
	g := &inkGrid{origin: b.Min, cell: cell, w: (b.Dx() + cell - 1) / cell, h: (b.Dy() + cell - 1) / cell}
	g.ink = make([]bool, g.w*g.h)
	level := int(PaperLevel(page)) - figureInkDrop
	counts := make([]int, g.w)
	need := max(2, cell*cell/16)
	for gy := range g.h {
		clear(counts)
		for y := gy * cell; y < min((gy+1)*cell, b.Dy()); y++ {
			row := page.Pix[y*page.Stride : y*page.Stride+b.Dx()]
			for x, v := range row {
				if int(v) < level {
					counts[x/cell]++
				}
			}
		}
		for gx, n := range counts {
			g.ink[gy*g.w+gx] = n >= need
		}
	}
	return g
}

// PaperLevel is the median gray level of page, sampled: the paper's, on a page that is
// mostly paper.
func PaperLevel(page *image.Gray) uint8 {
	var hist [256]int
	for i := 0; i < len(page.Pix); i += 7 {
		hist[page.Pix[i]]++
	}
	return medianOf(hist)
}

// cells returns the range of cells that r touches.
func (g *inkGrid) cells(r image.Rectangle) (x0, y0, x1, y1 int) {
	r = r.Sub(g.origin)
	x0, y0 = max(0, r.Min.X/g.cell), max(0, r.Min.Y/g.cell)
	x1, y1 = min(g.w, (r.Max.X+g.cell-1)/g.cell), min(g.h, (r.Max.Y+g.cell-1)/g.cell)
	return x0, y0, x1, y1
}

// clear unmarks the cells r touches.
func (g *inkGrid) clear(r image.Rectangle) {
	x0, y0, x1, y1 := g.cells(r)
	for y := y0; y < y1; y++ {
		clear(g.ink[y*g.w+x0 : y*g.w+max(x0, x1)])
	}
}

// clearOutside unmarks the cells not wholly inside r.
func (g *inkGrid) clearOutside(r image.Rectangle) {
	r = r.Sub(g.origin)
	for y := range g.h {
		for x := range g.w {
			c := image.Rect(x*g.cell, y*g.cell, (x+1)*g.cell, (y+1)*g.cell)
			if !c.In(r) {
				g.ink[y*g.w+x] = false
			}
		}
	}
}

// components returns the boxes, in page coordinates, of the groups of ink cells that stand
// within join cells of one another: the ink of one group, each box bounding only ink.
func (g *inkGrid) components(join int) []image.Rectangle {
	label := make([]int, len(g.ink))
	var boxes []image.Rectangle
	var stack []int
	for start, ink := range g.ink {
		if !ink || label[start] != 0 {
			continue
		}
		id := len(boxes) + 1
		label[start] = id
		box := image.Rectangle{}
		stack = append(stack[:0], start)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%g.w, i/g.w
			c := image.Rect(x*g.cell, y*g.cell, (x+1)*g.cell, (y+1)*g.cell).Add(g.origin)
			box = box.Union(c)
			for ny := max(0, y-join); ny <= min(g.h-1, y+join); ny++ {
				for nx := max(0, x-join); nx <= min(g.w-1, x+join); nx++ {
					if j := ny*g.w + nx; g.ink[j] && label[j] == 0 {
						label[j] = id
						stack = append(stack, j)
					}
				}
			}
		}
		boxes = append(boxes, box)
	}
	return boxes
}
