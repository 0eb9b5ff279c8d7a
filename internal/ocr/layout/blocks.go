package layout

import (
	"image"
	"math"
	"regexp"
	"slices"
	"strings"
)

// Thresholds of block building, in body ems unless said otherwise.
const (
	// paragraphPitch is how much farther than the page's usual line pitch (top to top) a
	// line must stand below the one before to start a new block: more than the leading varies,
	// less than the space a paragraph or section leaves.
	paragraphPitch = 1.3
	// headingSize is how much larger than the body a heading's text is, at least.
	headingSize = 1.15
	// boldStroke is how much wider than the body's a bold heading's strokes are, at least.
	boldStroke = 1.15
	// maxHeadingWords bounds the words of a heading.
	maxHeadingWords = 12
	// indentEms is the shift of a nested list item's marker, or of a hanging indent.
	indentEms = 0.8
	// joinGapEms is the widest gap, between two segments next in order and side by side, that
	// still joins them into one line.
	joinGapEms = 4
)

// bulletGlyphs are the marks that start a bullet item, as engines read them.
var bulletGlyphs = []string{"•", "·", "-", "–", "—", "*", "▪", "■", "●", "◦", "○", "►", "➢", "❖", "»", "✓", "+", "~"}

// bulletMisreads are what engines often make of a round bullet, or of an arrow ("➢" read as
// ">"): a bullet only where a list shows, by more than one item or a hanging indent.
var bulletMisreads = []string{"e", "o", "©", "«", "»", "°", "¢", "@", "eo", "oe", "®", ">"}

var numberMarker = regexp.MustCompile(`^\(?(\d{1,3})[.)]$`)

// line is an ordered line of text: segments side by side joined.
type line struct {
	segs []*segment
	box  image.Rectangle
	em   float64
}

func (l *line) words() []Word {
	var ws []Word
	for _, s := range l.segs {
		ws = append(ws, s.words...)
	}
	return ws
}

func (l *line) text() string {
	parts := make([]string, len(l.segs))
	for i, s := range l.segs {
		parts[i] = s.text()
	}
	return strings.Join(parts, " ")
}

// buildBlocks joins ordered units into blocks: tables and figures as they are, segments into lines and
// lines into headings, list items and paragraphs.
func buildBlocks(units []unit, body, stroke float64) []Block {
	var (
		out   []Block
		lines []*line // the run of lines since the last table
	)
	flush := func() {
		out = append(out, textBlocks(lines, body, stroke)...)
		lines = nil
	}
	for _, u := range units {
		switch {
		case u.table != nil:
			flush()
			out = append(out, Block{Kind: Table, Rows: u.table.rows, Box: u.table.box})
			continue
		case u.figure:
			flush()
			out = append(out, Block{Kind: Figure, Box: u.box})
			continue
		}
		s := u.seg
		if n := len(lines); n > 0 {
			l := lines[n-1]
			last := l.segs[len(l.segs)-1]
			overlap := min(last.box.Max.Y, s.box.Max.Y) - max(last.box.Min.Y, s.box.Min.Y)
			gap := s.box.Min.X - last.box.Max.X
			if 2*overlap >= min(last.box.Dy(), s.box.Dy()) && gap >= 0 && float64(gap) <= joinGapEms*body {
				l.segs = append(l.segs, s)
				l.box = l.box.Union(s.box)
				continue
			}
		}
		lines = append(lines, &line{segs: []*segment{s}, box: s.box, em: s.em})
	}
	flush()
	return out
}

// textBlocks groups consecutive lines into blocks.
func textBlocks(lines []*line, body, stroke float64) []Block {
	var out []Block
	var cur *Block
	var curLines []*line
	markerX := 0 // left edge of the current list item's marker
	pitch := linePitch(lines, body)
	for i, l := range lines {
		marker, text := listMarker(lines, i)
		heading := isHeadingLine(lines, i, body)
		newBlock := cur == nil || marker != "" || startsBlock(curLines[len(curLines)-1], l, pitch)
		if !newBlock && (cur.Kind == Heading) != heading {
			newBlock = true
		}
		if !newBlock && cur.Kind == ListItem && float64(l.box.Min.X-markerX) < indentEms*body/2 {
			newBlock = true // back at the marker's edge: the item has ended
		}
		if newBlock {
			if cur != nil {
				out = append(out, *cur)
			}
			cur = &Block{Kind: Paragraph, Box: l.box}
			curLines = nil
			switch {
			case marker != "":
				cur.Kind, cur.Marker = ListItem, marker
				markerX = l.box.Min.X
				text = strings.TrimSpace(text)
			case heading:
				cur.Kind = Heading
			}
			if text == "" {
				text = l.text()
			}
			cur.Lines = append(cur.Lines, text)
		} else {
			cur.Lines = append(cur.Lines, l.text())
			cur.Box = cur.Box.Union(l.box)
		}
		curLines = append(curLines, l)
	}
	if cur != nil {
		out = append(out, *cur)
	}
	boldHeadings(out, lines, body, stroke)
	headingLevels(out, lines, body)
	nestLists(out, body)
	return out
}

// linePitch is the usual distance from the top of a line to the top of the next in a block:
// the median over lines that follow each other at between 0.8 and 2.5 body ems, or 1.4 ems
// when there are none.
func linePitch(lines []*line, body float64) float64 {
	var pitches []float64
	for i := 1; i < len(lines); i++ {
		p := float64(lines[i].box.Min.Y - lines[i-1].box.Min.Y)
		if p >= 0.8*body && p <= 2.5*body {
			pitches = append(pitches, p)
		}
	}
	if len(pitches) == 0 {
		return 1.4 * body
	}
	return median(pitches)
}

// startsBlock reports whether l, following prev in reading order, starts a new block: it is
// farther below it than the usual pitch allows, above it (a new column), or not under it at
// all.
func startsBlock(prev, l *line, pitch float64) bool {
	p := float64(l.box.Min.Y - prev.box.Min.Y)
	if p > paragraphPitch*pitch || p < float64(prev.box.Dy())/2 {
		return true
	}
	return xOverlap(prev.box, l.box) < minOverlap
}

// isHeadingLine reports whether lines[i] is set larger than the body, and than the lines
// around it (a photo taken at an angle shows the text of one side larger), and reads like a
// title: a few words not ending a sentence.
func isHeadingLine(lines []*line, i int, body float64) bool {
	l := lines[i]
	t := l.text()
	if l.em < headingSize*body || len(l.words()) > maxHeadingWords || strings.HasSuffix(t, ".") || strings.HasSuffix(t, ",") {
		return false
	}
	var around []float64
	for j := max(0, i-2); j < min(len(lines), i+3); j++ {
		if j != i {
			around = append(around, lines[j].em)
		}
	}
	return len(around) == 0 || l.em >= headingSize*median(around)
}

// listMarker returns the list marker lines[i] starts with, in Markdown ("-" or "3."), and its
// text after the marker; "" when it starts no list item.
func listMarker(lines []*line, i int) (marker, rest string) {
	ws := lines[i].words()
	if len(ws) < 2 {
		return "", ""
	}
	first := ws[0].Text
	rest = strings.TrimSpace(strings.TrimPrefix(lines[i].text(), first))
	if m := numberMarker.FindStringSubmatch(first); m != nil {
		return m[1] + ".", rest
	}
	if slices.Contains(bulletGlyphs, first) {
		return "-", rest
	}
	// A glyph such as "•" glued to the word: "•Item".
	for _, g := range []string{"•", "▪", "■", "●", "◦", "►"} {
		if strings.HasPrefix(first, g) && len(first) > len(g) {
			return "-", strings.TrimSpace(strings.TrimPrefix(lines[i].text(), g))
		}
	}
	if !slices.Contains(bulletMisreads, first) {
		return "", ""
	}
	// A misread bullet: another line nearby starts with a marker at the same place, or the
	// next line hangs under the text rather than the marker.
	x := ws[0].Box.Min.X
	tol := max(ws[0].Box.Dx(), 4)
	for j := max(0, i-3); j < min(len(lines), i+4); j++ {
		if j == i {
			continue
		}
		other := lines[j].words()
		if len(other) > 1 && abs(other[0].Box.Min.X-x) <= tol &&
			(slices.Contains(bulletMisreads, other[0].Text) || slices.Contains(bulletGlyphs, other[0].Text)) {
			return "-", rest
		}
	}
	if i+1 < len(lines) {
		next := lines[i+1].box
		if abs(next.Min.X-ws[1].Box.Min.X) <= tol && next.Min.Y-lines[i].box.Max.Y < lines[i].box.Dy() {
			return "-", rest
		}
	}
	return "", ""
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// boldHeadings makes a paragraph of one or two short lines set bold a heading. Its level is
// set by headingLevels.
func boldHeadings(blocks []Block, lines []*line, body, stroke float64) {
	if stroke == 0 {
		return
	}
	for i := range blocks {
		b := &blocks[i]
		if b.Kind != Paragraph || len(b.Lines) > 2 {
			continue
		}
		text := strings.Join(b.Lines, " ")
		if n := len(strings.Fields(text)); n > maxHeadingWords || strings.HasSuffix(text, ".") {
			continue
		}
		var strokes []float64
		for _, l := range lines {
			if l.box.In(b.Box) {
				for _, w := range l.words() {
					if w.Stroke > 0 {
						strokes = append(strokes, w.Stroke)
					}
				}
			}
		}
		if len(strokes) > 0 && median(strokes) >= boldStroke*stroke {
			b.Kind = Heading
		}
	}
}

// headingLevels numbers headings by size: the largest size on the page is level 1, the next
// level 2 and so on; headings at body size (bold) come a level below the smallest larger one.
func headingLevels(blocks []Block, lines []*line, body float64) {
	emOf := func(b Block) float64 {
		var ems []float64
		for _, l := range lines {
			if l.box.In(b.Box) {
				ems = append(ems, l.em)
			}
		}
		return median(ems)
	}
	var sizes []float64
	for _, b := range blocks {
		if b.Kind == Heading {
			if em := emOf(b); em >= headingSize*body {
				sizes = append(sizes, em)
			}
		}
	}
	slices.Sort(sizes)
	slices.Reverse(sizes)
	// Sizes within 10% of each other are one level.
	var levels []float64
	for _, s := range sizes {
		if len(levels) == 0 || s < levels[len(levels)-1]/1.1 {
			levels = append(levels, s)
		}
	}
	for i := range blocks {
		b := &blocks[i]
		if b.Kind != Heading {
			continue
		}
		em := emOf(*b)
		b.Level = len(levels) + 1
		for li, s := range levels {
			if em >= s/1.1 {
				b.Level = li + 1
				break
			}
		}
		b.Level = min(b.Level, 6)
	}
}

// nestLists sets the nesting depth of list items from how far right of the list's first
// marker each marker stands.
func nestLists(blocks []Block, body float64) {
	step := indentEms * body
	for i := 0; i < len(blocks); {
		if blocks[i].Kind != ListItem {
			i++
			continue
		}
		j := i
		base := blocks[i].Box.Min.X
		for j < len(blocks) && blocks[j].Kind == ListItem {
			base = min(base, blocks[j].Box.Min.X)
			j++
		}
		for k := i; k < j; k++ {
			blocks[k].Level = min(int(math.Round(float64(blocks[k].Box.Min.X-base)/(2*step))), 3)
		}
		i = j
	}
}
