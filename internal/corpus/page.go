package corpus

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomedium"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// Page size in pixels: A4 at about 130 dpi, small enough that Tesseract reads a page in a
// fraction of a second and large enough for body text of 11–14 pt.
const (
	PageWidth  = 1100
	PageHeight = 1556
)

// Seed is the seed every page derives from.
const Seed = 20260527

// Paper and ink levels: neither is pure, as on a real page.
const (
	paper = 244
	ink   = 28
)

// Page is one rendered page of notes.
type Page struct {
	// Index is the page's number: Pages(n) returns pages 0 to n-1.
	Index int
	// Image is the page as rendered, upright and flat, PageWidth×PageHeight.
	Image *image.Gray
	// Truth is the text a perfect reader would output: lines in reading order, a blank line
	// between blocks, the left column of a two-column section before the right.
	Truth string
	// BodyPx is the em size of the body text in pixels.
	BodyPx int
	// Headings are the boxes of the heading lines on Image (the title and the subheadings), which
	// the colour classes print in colour.
	Headings []image.Rectangle
}

// Pages returns the first n pages of the corpus. Page i is the same whatever n is.
func Pages(n int) []Page {
	pages := make([]Page, n)
	for i := range pages {
		pages[i] = NewPage(i)
	}
	return pages
}

// NewPage renders page index of the corpus.
func NewPage(index int) Page {
	rng := rand.New(rand.NewPCG(Seed, uint64(index)))
	body := 26 + rng.IntN(9)
	blocks := layout(rng, body)

	// Drop trailing blocks until the page holds the rest: the title always fits.
	for len(blocks) > 1 && height(blocks, body) > PageHeight-2*margin(body) {
		blocks = blocks[:len(blocks)-1]
	}
	img, truth, headings := render(blocks, body)
	return Page{Index: index, Image: img, Truth: truth, BodyPx: body, Headings: headings}
}

// line is one line of text in one face, indent pixels right of its column; a heading's line
// is marked.
type line struct {
	text    string
	face    font.Face
	indent  int
	heading bool
}

// block is a run of lines set apart by space above it; a two-column block has right lines.
type block struct {
	left, right []line
}

// layout composes the blocks of a page with body text of body pixels.
func layout(rng *rand.Rand, body int) []block {
	return composePage(rng, body, subjects[rng.IntN(len(subjects))])
}

// composePage composes the blocks of a page from the notes of s, in s's language.
func composePage(rng *rand.Rand, body int, s subject) []block {
	w := s.wordsOf()
	regular := fontFace("regular", body)
	if rng.IntN(2) == 0 {
		regular = fontFace("medium", body)
	}
	bold := fontFace("bold", body)
	title := fontFace("bold", body*3/2)
	italic := fontFace("italic", body*9/10)
	mono := fontFace("mono", body)

	full := PageWidth - 2*margin(body)
	column := (full - 3*body) / 2
	sentences := shuffled(rng, s.sentences)
	take := func(n int) string {
		out := strings.Join(sentences[:n], " ")
		sentences = sentences[n:]
		return out
	}

	blocks := []block{
		{left: asHeadings(wrap(pick(rng, s.titles), title, full, ""))},
		{left: wrap(s.course+" - "+pick(rng, w.dates), italic, full, "")},
		{left: wrap(take(2+rng.IntN(2)), regular, full, "")},
		{left: asHeadings(wrap(pick(rng, w.keyPoints), bold, full, ""))},
	}
	var bullets []line
	for _, b := range shuffled(rng, s.bullets)[:3] {
		bullets = append(bullets, wrap("- "+b, regular, full, "  ")...)
	}
	blocks = append(blocks,
		block{left: bullets},
		block{left: wrap(pick(rng, s.formulas), mono, full, "")},
		block{left: asHeadings(wrap(pick(rng, w.method), bold, full, ""))},
	)
	var steps []line
	for i, st := range s.steps[:3+rng.IntN(2)] {
		steps = append(steps, wrap(fmt.Sprintf("%d. %s", i+1, st), regular, full, "   ")...)
	}
	blocks = append(blocks,
		block{left: steps},
		block{left: wrap(take(2), regular, column, ""), right: wrap(take(2), regular, column, "")},
	)
	return blocks
}

// asHeadings marks lines as a heading's.
func asHeadings(lines []line) []line {
	for i := range lines {
		lines[i].heading = true
	}
	return lines
}

// margin is the white border around the text.
func margin(body int) int { return 2 * body }

// lineHeight is the distance between the baselines of two lines in face.
func lineHeight(face font.Face) int {
	m := face.Metrics()
	return m.Height.Ceil() + m.Height.Ceil()/5
}

// blockGap is the extra space above a block.
func blockGap(body int) int { return body * 3 / 4 }

// columnHeight is the height of lines set one under another.
func columnHeight(lines []line) int {
	h := 0
	for _, l := range lines {
		h += lineHeight(l.face)
	}
	return h
}

// height is the height of blocks set on a page.
func height(blocks []block, body int) int {
	h := 0
	for i, b := range blocks {
		if i > 0 {
			h += blockGap(body)
		}
		h += max(columnHeight(b.left), columnHeight(b.right))
	}
	return h
}

// render draws blocks on a page and returns it with its true text and the boxes of its heading
// lines.
func render(blocks []block, body int) (*image.Gray, string, []image.Rectangle) {
	// Glyphs are drawn on RGBA, which image/draw has a fast path for, then its red channel is
	// the gray level.
	rgba := image.NewRGBA(image.Rect(0, 0, PageWidth, PageHeight))
	draw.Draw(rgba, rgba.Bounds(), image.NewUniform(color.Gray{paper}), image.Point{}, draw.Src)
	src := image.NewUniform(color.Gray{ink})

	x0 := margin(body)
	columnX := x0 + (PageWidth-2*x0-3*body)/2 + 3*body
	y := margin(body)
	var (
		truth    []string
		headings []image.Rectangle
	)
	drawLines := func(lines []line, x, top int) {
		baseline := top
		for _, l := range lines {
			m := l.face.Metrics()
			baseline += lineHeight(l.face)
			d := font.Drawer{Dst: rgba, Src: src, Face: l.face, Dot: fixed.P(x+l.indent, baseline-m.Descent.Ceil())}
			if l.heading {
				bounds, _ := d.BoundString(l.text)
				headings = append(headings, image.Rect(bounds.Min.X.Floor(), bounds.Min.Y.Floor(), bounds.Max.X.Ceil(), bounds.Max.Y.Ceil()))
			}
			d.DrawString(l.text)
		}
	}
	for i, b := range blocks {
		if i > 0 {
			y += blockGap(body)
		}
		drawLines(b.left, x0, y)
		truth = append(truth, text(b.left))
		if len(b.right) > 0 {
			drawLines(b.right, columnX, y)
			truth = append(truth, text(b.right))
		}
		y += max(columnHeight(b.left), columnHeight(b.right))
	}

	gray := image.NewGray(rgba.Bounds())
	for i := range gray.Pix {
		gray.Pix[i] = rgba.Pix[4*i]
	}
	return gray, strings.Join(truth, "\n\n"), headings
}

// text joins the text of lines with newlines.
func text(lines []line) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.text
	}
	return strings.Join(out, "\n")
}

// wrap breaks s into lines no wider than width pixels in face; continuation lines are
// indented by the width of indent, as a list item's are.
func wrap(s string, face font.Face, width int, indent string) []line {
	shift := font.MeasureString(face, indent).Ceil()
	var (
		lines []line
		cur   string
	)
	for _, w := range strings.Fields(s) {
		next := w
		if cur != "" {
			next = cur + " " + w
		}
		avail := width
		if len(lines) > 0 {
			avail -= shift
		}
		if cur != "" && font.MeasureString(face, next).Ceil() > avail {
			lines = append(lines, line{text: cur, face: face})
			next = w
		}
		cur = next
	}
	if cur != "" {
		lines = append(lines, line{text: cur, face: face})
	}
	for i := 1; i < len(lines); i++ {
		lines[i].indent = shift
	}
	return lines
}

// pick returns one element of list.
func pick(rng *rand.Rand, list []string) string { return list[rng.IntN(len(list))] }

// shuffled returns a shuffled copy of list.
func shuffled(rng *rand.Rand, list []string) []string {
	out := append([]string(nil), list...)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// goFonts parses the embedded Go fonts the pages use, once. It panics if one does not parse,
// which would be a bug in golang.org/x/image.
var goFonts = sync.OnceValue(func() map[string]*sfnt.Font {
	fonts := make(map[string]*sfnt.Font)
	for name, ttf := range map[string][]byte{
		"regular": goregular.TTF, "medium": gomedium.TTF, "bold": gobold.TTF,
		"italic": goitalic.TTF, "mono": gomono.TTF,
	} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			panic("corpus: parse Go " + name + ": " + err.Error())
		}
		fonts[name] = f
	}
	return fonts
})

// fontFace returns a face of the Go font name ("regular", "medium", "bold", "italic" or
// "mono") at sizePx pixels.
func fontFace(name string, sizePx int) font.Face {
	// At 72 dpi one point is one pixel.
	face, err := opentype.NewFace(goFonts()[name], &opentype.FaceOptions{Size: float64(sizePx), DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic("corpus: Go " + name + " face: " + err.Error())
	}
	return face
}
