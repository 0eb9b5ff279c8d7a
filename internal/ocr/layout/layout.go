package layout

import (
	"image"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Word is one word an OCR engine read, with its box on the page.
type Word struct {
	// Box is where the word's ink stands, in the page's pixels.
	Box image.Rectangle
	// Text is the word as read.
	Text string
	// Block, Par and Line number the engine's block, paragraph and line the word is in; words
	// with the same three are on one line of the engine's reading.
	Block, Par, Line int
	// Size is the word's font size in pixels when the source knows it (a PDF's text layer),
	// or 0 to estimate it from the height of Box, which then bounds the word's ink.
	Size float64
	// Conf is the engine's confidence in the word from 0 to 100, or -1 when it gave none.
	Conf float64
	// Stroke is the mean width of the word's strokes in pixels, or 0 when not measured (see
	// Strokes). A bold word's strokes are about half as wide again as a regular one's.
	Stroke float64
}

// Kind says what a Block is.
type Kind int

// The kinds of block.
const (
	Paragraph Kind = iota
	Heading
	ListItem
	Table
	// Figure is a drawing, diagram or photo: no text, only its Box.
	Figure
)

// Block is one unit of a page in reading order.
type Block struct {
	Kind Kind
	// Level is a heading's level from 1, or a list item's nesting depth from 0.
	Level int
	// Marker is a list item's marker as written in Markdown: "-" for a bullet, "3." for a
	// numbered item.
	Marker string
	// Lines holds the text of a paragraph, heading or list item line by line (without the
	// list marker).
	Lines []string
	// Rows holds a table's cells, row by row, every row as long as the widest; an empty cell
	// is "".
	Rows [][]string
	// Box is where the block stands on the page.
	Box image.Rectangle
}

// Page is a page's blocks in reading order.
type Page struct {
	Blocks []Block
}

// segment is a run of words on one line with no gap in it wider than a gutter.
type segment struct {
	words []Word
	box   image.Rectangle
	em    float64 // the font size estimated from the words' heights
	// key is the engine's block, paragraph and line.
	key [3]int
}

// conf is the mean confidence of the segment's words that have one; 100 when none has.
func (s *segment) conf() float64 {
	sum, n := 0.0, 0
	for _, w := range s.words {
		if w.Conf >= 0 {
			sum += w.Conf
			n++
		}
	}
	if n == 0 {
		return 100
	}
	return sum / float64(n)
}

func (s *segment) text() string {
	parts := make([]string, len(s.words))
	for i, w := range s.words {
		parts[i] = w.Text
	}
	return strings.Join(parts, " ")
}

// Analyze rebuilds the page from its words, the rules drawn on it (FindRules; nil for none)
// and its figures (FindFigures): reading order, blocks and their kinds. A figure is a block
// of its own where it stands in reading order, and the words inside it (a diagram's labels)
// are part of its picture, not of the text. Words with blank text are ignored; no words and
// no figures give an empty Page.
func Analyze(words []Word, rules []Rule, figures ...image.Rectangle) Page {
	words = slices.DeleteFunc(slices.Clone(words), func(w Word) bool {
		center := image.Pt((w.Box.Min.X+w.Box.Max.X)/2, (w.Box.Min.Y+w.Box.Max.Y)/2)
		return strings.TrimSpace(w.Text) == "" || w.Box.Empty() ||
			slices.ContainsFunc(figures, func(f image.Rectangle) bool { return center.In(f) })
	})
	ruled, words := ruledTables(words, rules)
	segs := segments(words)
	segs = attachBullets(segs, bodyEm(segs))
	if len(segs) == 0 && len(ruled) == 0 && len(figures) == 0 {
		return Page{}
	}
	body := bodyEm(segs)
	tables, rest := findTables(segs, body)
	tables = append(tables, ruled...)
	units := make([]unit, 0, len(rest)+len(tables))
	for _, s := range rest {
		units = append(units, unit{box: s.box, seg: s})
	}
	for _, t := range tables {
		units = append(units, unit{box: t.box, table: t})
	}
	for _, f := range figures {
		units = append(units, unit{box: f, figure: true})
	}
	ordered := readingOrder(units)
	return Page{Blocks: buildBlocks(ordered, body, strokeOf(segs))}
}

// gutterEms is the narrowest gap between two words, in ems of their line, that splits the
// line: wider than any space between words of justified text, narrower than the gutter
// between columns or the space between table cells.
const gutterEms = 0.9

// label matches what labels a list item or a section: a bullet, a number (one of a section,
// "2.1.", too), a letter or a roman numeral with its period or parenthesis.
var label = regexp.MustCompile(`^(?:[•·▪■●◦○►➢❖»✓*–—-]|\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-zA-Z]|[ivxIVX]{1,4})[.)])$`)

// IsLabel reports whether text labels a list item or a section: the gap after it is a
// hanging indent, not a gutter.
func IsLabel(text string) bool { return label.MatchString(strings.TrimSpace(text)) }

// minSegmentConf is the least mean confidence of a segment's words: the engine reads shapes in
// drawings and shadows as runs of short words it doubts, while it is sure of most words of
// even a poor photo of text.
const minSegmentConf = 35

// segments groups the words into the engine's lines and splits each at gaps wider than a
// gutter: gutterEms of the line's font size, or of most of the page's when the line's words
// are smaller. Segments the engine doubts (minSegmentConf) are left out.
func segments(words []Word) []*segment {
	lines := make(map[[3]int][]Word)
	var keys [][3]int
	for _, w := range words {
		w.Text = strings.TrimSpace(w.Text)
		k := [3]int{w.Block, w.Par, w.Line}
		if _, ok := lines[k]; !ok {
			keys = append(keys, k)
		}
		lines[k] = append(lines[k], w)
	}
	var lineEms []float64
	for _, k := range keys {
		em := wordsEm(lines[k])
		for range lines[k] {
			lineEms = append(lineEms, em)
		}
	}
	pageEm := median(lineEms)
	var segs []*segment
	for _, k := range keys {
		ws := lines[k]
		slices.SortStableFunc(ws, func(a, b Word) int { return a.Box.Min.X - b.Box.Min.X })
		em := max(wordsEm(ws), 0.8*pageEm)
		size := em
		if len(ws) == 1 {
			size = pageEm // a word alone, as in a table's cell, sized against the page's text
		}
		for i := range ws {
			ws[i].Text = oneLetter(ws[i], size)
		}
		start := 0
		for i := 1; i <= len(ws); i++ {
			if i < len(ws) && (float64(ws[i].Box.Min.X-ws[i-1].Box.Max.X) <= gutterEms*em || i-start == 1 && IsLabel(ws[start].Text)) {
				continue // no gutter, or the space after a list item's label
			}
			s := &segment{words: ws[start:i:i], key: k}
			for _, w := range s.words {
				s.box = s.box.Union(w.Box)
			}
			s.em = wordsEm(s.words)
			if s.conf() >= minSegmentConf {
				segs = append(segs, s)
			}
			start = i
		}
	}
	return segs
}

// bulletGapEms is the widest gap, in body ems, between a bullet and the text of its item.
const bulletGapEms = 3

// bullets are the glyphs that only ever mark a list item, as engines read them: a bullet
// alone on a segment is an item's, never a table's cell.
var bullets = []string{"•", "▪", "■", "●", "◦", "○", "►", "➢", "❖", "»"}

// attachBullets joins each segment that is a bullet alone, as an engine reads the bullets of a
// glyph font (in a block of their own, beside their items' text), to the segment that follows
// it on its line, so that the bullet marks its item rather than making a column of bullets. A
// misread bullet ("e" for "•", see bulletMisreads) counts when it stands in a column of them.
func attachBullets(segs []*segment, body float64) []*segment {
	alone := func(s *segment, marks []string) bool {
		return len(s.words) == 1 && slices.Contains(marks, s.words[0].Text)
	}
	attached := make(map[*segment]bool)
	for _, b := range segs {
		misread := alone(b, bulletMisreads) && slices.ContainsFunc(segs, func(o *segment) bool {
			return o != b && (alone(o, bulletMisreads) || alone(o, bullets)) && abs(o.box.Min.X-b.box.Min.X) <= max(b.box.Dx(), 4)
		})
		if !alone(b, bullets) && !misread {
			continue
		}
		var item *segment
		for _, s := range segs {
			overlap := min(b.box.Max.Y, s.box.Max.Y) - max(b.box.Min.Y, s.box.Min.Y)
			gap := s.box.Min.X - b.box.Max.X
			if s != b && !attached[s] && 2*overlap >= min(b.box.Dy(), s.box.Dy()) && gap >= 0 &&
				float64(gap) <= bulletGapEms*body && (item == nil || s.box.Min.X < item.box.Min.X) {
				item = s
			}
		}
		if item == nil || len(item.words) > 0 && slices.Contains(bullets, item.words[0].Text) {
			continue
		}
		item.words = append([]Word{b.words[0]}, item.words...)
		item.box = item.box.Union(b.box)
		attached[b] = true
	}
	return slices.DeleteFunc(segs, func(s *segment) bool { return attached[s] })
}

// Heights of letters in ems of a typical Latin font: the x-height, the height of ascenders
// (capitals, digits, b, d, …) above the baseline, and the depth of descenders below it.
const (
	xHeightEm   = 0.53
	ascenderEm  = 0.73
	tHeightEm   = 0.63
	descenderEm = 0.22
)

// wordsEm estimates the font size of words from the heights of their boxes, knowing from the
// letters whether a word reaches up to the ascender line and down to the descender line, or
// takes it from the words that know it (Word.Size). Words
// without letters or digits do not count; none gives the median box height.
func wordsEm(ws []Word) float64 {
	var ems, heights []float64
	for _, w := range ws {
		h := float64(w.Box.Dy())
		heights = append(heights, h)
		if w.Size > 0 {
			ems = append(ems, w.Size)
			continue
		}
		up, t, down, letters := false, false, false, false
		for _, r := range w.Text {
			switch {
			case strings.ContainsRune("gjpqy", r):
				down, letters = true, true
			case strings.ContainsRune("acemnorsuvwxz", r):
				letters = true
			case r == 't':
				t, letters = true, true
			case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("bdfhkli", r):
				up, letters = true, true
			}
		}
		if !letters {
			continue
		}
		top := xHeightEm
		switch {
		case up:
			top = ascenderEm
		case t:
			top = tHeightEm
		}
		if down {
			top += descenderEm
		}
		ems = append(ems, h/top)
	}
	if len(ems) == 0 {
		return median(heights)
	}
	return median(ems)
}

// lookalikes are the letters whose capital is the small letter made larger.
const lookalikes = "cosuvwxz"

// oneLetter returns the text of w, a word of a line set in em, as one letter when the engine
// read a lone letter of lookalikes twice, as a capital and as a small letter ("Cc", "oO"), and
// its box is one glyph wide: the capital when it stands taller than halfway between a small
// letter and a capital, else the small letter. Any other word's text is returned as it is.
func oneLetter(w Word, em float64) string {
	r := []rune(w.Text)
	if len(r) != 2 || r[0] == r[1] || unicode.ToLower(r[0]) != unicode.ToLower(r[1]) ||
		!strings.ContainsRune(lookalikes, unicode.ToLower(r[0])) || float64(w.Box.Dx()) > 0.9*em {
		return w.Text
	}
	if float64(w.Box.Dy()) >= (xHeightEm+ascenderEm)/2*em {
		return string(unicode.ToUpper(r[0]))
	}
	return string(unicode.ToLower(r[0]))
}

// bodyEm is the font size of the body text: the median em of the segments, each counted once
// per word.
func bodyEm(segs []*segment) float64 {
	var ems []float64
	for _, s := range segs {
		for range s.words {
			ems = append(ems, s.em)
		}
	}
	return median(ems)
}

// strokeOf is the median stroke width of the words that have one, or 0.
func strokeOf(segs []*segment) float64 {
	var strokes []float64
	for _, s := range segs {
		for _, w := range s.words {
			if w.Stroke > 0 {
				strokes = append(strokes, w.Stroke)
			}
		}
	}
	return median(strokes)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs[len(xs)/2]
}
