package corpus

import (
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"slices"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// Layout classes: pages whose layout a reader must follow, each clean (PNG as rendered) and
// photographed (suffix "-photo": what ClassPhone does to a page).
const (
	ClassTwoColumns   = "twocol"      // a title over two columns of paragraphs
	ClassThreeColumns = "threecol"    // a title over three columns in a smaller size
	ClassLists        = "lists"       // headings of three sizes, a bullet list with a nested item and a numbered list
	ClassRuledTable   = "table-ruled" // a table drawn as a grid of lines
	ClassPlainTable   = "table-plain" // a table without lines, its columns aligned
	ClassFigure       = "figure"      // a drawing between paragraphs, with a caption
	ClassSlide        = "slide"       // a landscape slide: a large title and bullets
	ClassFractions    = "fractions"   // a maths worksheet: numbered sums of fractions set in a stack, clean only
	photoSuffix       = "-photo"
)

// LayoutClasses lists every layout class, each clean then photographed. Fractions are clean
// only: the small digits of a generated photo blur beyond what a phone does to a printed
// worksheet, and the real worksheet photos of the real set measure them instead.
var LayoutClasses = func() []string {
	var out []string
	for _, c := range []string{ClassTwoColumns, ClassThreeColumns, ClassLists, ClassRuledTable, ClassPlainTable, ClassFigure, ClassSlide} {
		out = append(out, c, c+photoSuffix)
	}
	return append(out, ClassFractions)
}()

// Element kinds of a layout page's structure.
const (
	ElementHeading = "heading"
	ElementItem    = "item"
	ElementCell    = "cell"
	ElementFigure  = "figure"
)

// Element is one thing a reader of a layout page must find in its note: a heading, a list
// item (its text without the marker), a table cell in its row and column (from 0, the header
// row 0), or a figure.
type Element struct {
	Kind     string
	Text     string
	Row, Col int
	// Level is a heading's level from 1 by size; a list item's nesting depth from 0.
	Level int
}

// LayoutSample returns the sample of class, one of LayoutClasses, for page index: its Truth
// is the text in reading order (a list item without its bullet, a table row by row with its
// cells joined by spaces, no text for a figure) and its Structure what the note must show.
func LayoutSample(index int, class string) (Sample, error) {
	if !slices.Contains(LayoutClasses, class) {
		return Sample{}, fmt.Errorf("unknown corpus layout class %q (known: %v)", class, LayoutClasses)
	}
	kind, photo := strings.CutSuffix(class, photoSuffix)
	h := fnv.New64a()
	h.Write([]byte(kind))
	rng := rand.New(rand.NewPCG(Seed+uint64(index), h.Sum64()))
	c := newComposer(kind, rng)
	c.compose(kind)
	page := Page{Index: index, Image: c.gray(), Truth: strings.Join(c.truth, "\n\n"), BodyPx: c.body}
	variant := ClassClean
	if photo {
		variant = ClassPhone
	}
	s, err := Variant(page, variant)
	if err != nil {
		return Sample{}, err
	}
	s.Name = fmt.Sprintf("p%03d-%s", index, class)
	s.Class = class
	s.Structure = c.structure
	return s, nil
}

// composer draws a layout page top to bottom.
type composer struct {
	rng       *rand.Rand
	s         subject
	rgba      *image.RGBA
	body      int
	x0, width int // the text area
	y         int
	truth     []string
	structure []Element
	sentences []string
}

func newComposer(kind string, rng *rand.Rand) *composer {
	w, h := PageWidth, PageHeight
	body := 24 + rng.IntN(7)
	switch kind {
	case ClassThreeColumns:
		body = 19 + rng.IntN(4)
	case ClassSlide:
		w, h = PageHeight, PageHeight*9/16
		body = 40 + rng.IntN(8)
	}
	c := &composer{rng: rng, s: subjects[rng.IntN(len(subjects))], body: body}
	c.rgba = image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(c.rgba, c.rgba.Bounds(), image.NewUniform(color.Gray{paper}), image.Point{}, draw.Src)
	c.x0, c.width, c.y = margin(body), w-2*margin(body), margin(body)
	c.sentences = shuffled(rng, c.s.sentences)
	return c
}

func (c *composer) take(n int) string {
	n = min(n, len(c.sentences))
	out := strings.Join(c.sentences[:n], " ")
	c.sentences = c.sentences[n:]
	return out
}

// draw sets lines at x from the current top and returns their height; it does not move down.
func (c *composer) draw(lines []line, x, top int) int {
	baseline := top
	src := image.NewUniform(color.Gray{ink})
	for _, l := range lines {
		baseline += lineHeight(l.face)
		d := font.Drawer{Dst: c.rgba, Src: src, Face: l.face, Dot: fixed.P(x+l.indent, baseline-l.face.Metrics().Descent.Ceil())}
		d.DrawString(l.text)
	}
	return baseline - top
}

func (c *composer) gap() { c.y += blockGap(c.body) }

func (c *composer) heading(text string, level int, face font.Face) {
	ls := wrap(text, face, c.width, "")
	c.y += c.draw(ls, c.x0, c.y)
	c.gap()
	c.truth = append(c.truth, text)
	c.structure = append(c.structure, Element{Kind: ElementHeading, Text: text, Level: level})
}

func (c *composer) paragraph(text string) {
	ls := wrap(text, fontFace("regular", c.body), c.width, "")
	c.y += c.draw(ls, c.x0, c.y)
	c.gap()
	c.truth = append(c.truth, text)
}

// columns sets n columns of paragraphs side by side.
func (c *composer) columns(n, paragraphs int) {
	gutter := 2 * c.body
	colW := (c.width - (n-1)*gutter) / n
	regular := fontFace("regular", c.body)
	bottom := c.y
	for i := range n {
		y := c.y
		for range paragraphs {
			text := c.take(2)
			if text == "" {
				c.sentences = shuffled(c.rng, c.s.sentences)
				text = c.take(2)
			}
			y += c.draw(wrap(text, regular, colW, ""), c.x0+i*(colW+gutter), y) + blockGap(c.body)
			c.truth = append(c.truth, text)
		}
		bottom = max(bottom, y)
	}
	c.y = bottom
}

// list sets items as a bullet or numbered list; an item starting with ">" is nested.
func (c *composer) list(items []string, ordered bool, face font.Face) {
	var truth []string
	for i, item := range items {
		level := 0
		if rest, ok := strings.CutPrefix(item, ">"); ok {
			item, level = rest, 1
		}
		marker := "• "
		if level > 0 {
			marker = "– "
		}
		if ordered {
			marker = fmt.Sprintf("%d. ", i+1)
		}
		x := c.x0 + level*2*c.body
		ls := wrap(marker+item, face, c.width-level*2*c.body, strings.Repeat(" ", len([]rune(marker))+1))
		c.y += c.draw(ls, x, c.y)
		t := item
		if ordered {
			t = marker + item
		}
		truth = append(truth, t)
		c.structure = append(c.structure, Element{Kind: ElementItem, Text: item, Level: level})
	}
	c.gap()
	c.truth = append(c.truth, strings.Join(truth, "\n"))
}

// table sets rows as a table, the first row in bold, with or without ruled lines.
func (c *composer) table(rows [][]string, ruled bool) {
	regular, bold := fontFace("regular", c.body), fontFace("bold", c.body)
	cols := len(rows[0])
	widths := make([]int, cols)
	for _, r := range rows {
		for j, cell := range r {
			widths[j] = max(widths[j], font.MeasureString(bold, cell).Ceil())
		}
	}
	pad := c.body
	rowH := lineHeight(regular) + pad/2
	var truth []string
	top := c.y
	for i, r := range rows {
		x := c.x0 + pad/2
		face := regular
		if i == 0 {
			face = bold
		}
		for j, cell := range r {
			c.draw([]line{{text: cell, face: face}}, x, c.y+pad/4)
			c.structure = append(c.structure, Element{Kind: ElementCell, Text: cell, Row: i, Col: j})
			x += widths[j] + 2*pad
		}
		truth = append(truth, strings.Join(r, " "))
		c.y += rowH
	}
	if ruled {
		right := c.x0
		for _, w := range widths {
			right += w + 2*pad
		}
		right -= pad
		for i := range len(rows) + 1 {
			c.rule(c.x0, top+i*rowH, right, top+i*rowH+1)
		}
		x := c.x0
		for j := range cols + 1 {
			c.rule(x, top, x+1, c.y+1)
			if j < cols {
				x += widths[j] + 2*pad
				if j == cols-1 {
					x -= pad
				}
			}
		}
	}
	c.y += c.body
	c.gap()
	c.truth = append(c.truth, strings.Join(truth, "\n"))
}

// rule fills the rectangle from (x0, y0) to (x1, y1) with ink, two pixels thick at least.
func (c *composer) rule(x0, y0, x1, y1 int) {
	r := image.Rect(x0, y0, max(x1, x0+2), max(y1, y0+2))
	draw.Draw(c.rgba, r, image.NewUniform(color.Gray{ink}), image.Point{}, draw.Src)
}

// figure draws a diagram without text: boxes joined by lines and a filled disc, framed.
func (c *composer) figure() {
	h := 9 * c.body
	w := c.width * 2 / 3
	x := c.x0 + (c.width-w)/2
	gray := image.NewUniform(color.Gray{150})
	draw.Draw(c.rgba, image.Rect(x, c.y, x+w, c.y+h), image.NewUniform(color.Gray{225}), image.Point{}, draw.Src)
	for i := range 3 {
		bx := x + c.body + i*(w-2*c.body)/3
		by := c.y + c.body + (i%2)*3*c.body
		draw.Draw(c.rgba, image.Rect(bx, by, bx+4*c.body, by+3*c.body), gray, image.Point{}, draw.Src)
		if i < 2 {
			c.rule(bx+4*c.body, by+c.body, bx+(w-2*c.body)/3, by+c.body+3)
		}
	}
	cx, cy, r := x+w-3*c.body, c.y+h-3*c.body, 2*c.body
	for yy := cy - r; yy <= cy+r; yy++ {
		for xx := cx - r; xx <= cx+r; xx++ {
			if (xx-cx)*(xx-cx)+(yy-cy)*(yy-cy) <= r*r {
				c.rgba.Set(xx, yy, color.Gray{ink})
			}
		}
	}
	c.y += h
	c.gap()
	c.structure = append(c.structure, Element{Kind: ElementFigure})
}

// compose draws the page of one layout kind.
func (c *composer) compose(kind string) {
	title := fontFace("bold", c.body*3/2)
	pickTitle := pick(c.rng, c.s.titles)
	switch kind {
	case ClassTwoColumns:
		c.heading(pickTitle, 1, title)
		c.columns(2, 3)
	case ClassThreeColumns:
		c.heading(pickTitle, 1, title)
		c.columns(3, 3)
	case ClassLists:
		c.heading(pickTitle, 1, title)
		c.paragraph(c.take(2))
		c.heading(pick(c.rng, []string{"Key points", "Remember", "Summary"}), 2, fontFace("bold", c.body*5/4))
		bullets := shuffled(c.rng, c.s.bullets)[:4]
		bullets[2] = ">" + bullets[2]
		c.list(bullets, false, fontFace("regular", c.body))
		c.heading(pick(c.rng, []string{"Method", "How to solve it", "Steps"}), 3, fontFace("bold", c.body))
		c.list(c.s.steps[:3+c.rng.IntN(2)], true, fontFace("regular", c.body))
		c.paragraph(c.take(2))
	case ClassRuledTable, ClassPlainTable:
		c.heading(pickTitle, 1, title)
		c.paragraph(c.take(2))
		t := tables[c.rng.IntN(len(tables))]
		rows := append([][]string{t[0]}, shuffled2(c.rng, t[1:])[:4]...)
		c.table(rows, kind == ClassRuledTable)
		c.paragraph(c.take(2))
	case ClassFigure:
		c.heading(pickTitle, 1, title)
		c.paragraph(c.take(2))
		c.figure()
		c.paragraph("Figure 1: " + strings.TrimSuffix(pick(c.rng, c.s.bullets), "."))
		c.paragraph(c.take(2))
	case ClassSlide:
		c.heading(pickTitle, 1, fontFace("bold", c.body*3/2))
		c.list(shuffled(c.rng, c.s.bullets)[:4], false, fontFace("regular", c.body))
	case ClassFractions:
		c.heading(pick(c.rng, []string{"Adding fractions", "Fractions: exercises", "Working with fractions"}), 1, title)
		c.paragraph("Give the result of each sum in its simplest form.")
		c.sums(5)
		c.paragraph(c.take(2))
	}
}

// sums sets a numbered list of n sums of fractions set in a stack, a numerator over a bar
// over a denominator in a smaller size, as maths worksheets print them. The truth writes
// each fraction as one types it: "1. 2/3 + 1/3".
func (c *composer) sums(n int) {
	face, small := fontFace("regular", c.body), fontFace("regular", c.body*7/10)
	digit := small.Metrics().CapHeight.Ceil()
	bar := max(2, c.body/14)
	var truth []string
	for i := range n {
		var terms []string
		for range 1 + c.rng.IntN(2) {
			den := 2 + c.rng.IntN(8)
			terms = append(terms, fmt.Sprintf("%d/%d", 1+c.rng.IntN(3*den), den))
		}
		if c.rng.IntN(3) == 0 {
			terms = append(terms, fmt.Sprint(1+c.rng.IntN(9)))
		}
		marker := fmt.Sprintf("%d. ", i+1)
		// The stack stands on the math axis, a little above the middle of a lowercase letter.
		baseline := c.y + digit + c.body/6 + c.body*3/10
		axis := baseline - c.body*3/10
		x := c.x0 + c.write(face, marker, c.x0, baseline)
		for j, term := range terms {
			if j > 0 {
				x += c.write(face, " + ", x, baseline)
			}
			num, den, stacked := strings.Cut(term, "/")
			if !stacked {
				x += c.write(face, term, x, baseline)
				continue
			}
			nw, dw := font.MeasureString(small, num).Ceil(), font.MeasureString(small, den).Ceil()
			w := max(nw, dw) + c.body/4
			c.rule(x, axis-bar/2, x+w, axis-bar/2+bar)
			c.write(small, num, x+(w-nw)/2, axis-bar/2-c.body/6)
			c.write(small, den, x+(w-dw)/2, axis-bar/2+bar+c.body/6+digit)
			x += w
		}
		c.y = baseline + digit + c.body/2
		sum := strings.Join(terms, " + ")
		truth = append(truth, marker+sum)
		c.structure = append(c.structure, Element{Kind: ElementItem, Text: sum})
	}
	c.gap()
	c.truth = append(c.truth, strings.Join(truth, "\n"))
}

// write draws s in face with its baseline on row baseline from column x, and returns its
// width.
func (c *composer) write(face font.Face, s string, x, baseline int) int {
	d := font.Drawer{Dst: c.rgba, Src: image.NewUniform(color.Gray{ink}), Face: face, Dot: fixed.P(x, baseline)}
	d.DrawString(s)
	return d.Dot.X.Ceil() - x
}

func shuffled2(rng *rand.Rand, rows [][]string) [][]string {
	out := slices.Clone(rows)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// gray returns the page drawn so far as a gray image.
func (c *composer) gray() *image.Gray {
	g := image.NewGray(c.rgba.Bounds())
	for i := range g.Pix {
		g.Pix[i] = c.rgba.Pix[4*i]
	}
	return g
}

// tables are the tables of the table classes: a header row, then rows of one to three words.
var tables = [][][]string{
	{{"Quantity", "Symbol", "Unit"}, {"Energy", "E", "joule"}, {"Power", "P", "watt"}, {"Force", "F", "newton"},
		{"Charge", "Q", "coulomb"}, {"Pressure", "p", "pascal"}},
	{{"Algorithm", "Best case", "Worst case"}, {"Merge sort", "n log n", "n log n"}, {"Quick sort", "n log n", "n squared"},
		{"Insertion sort", "linear", "n squared"}, {"Heap sort", "n log n", "n log n"}, {"Bubble sort", "linear", "n squared"}},
	{{"Element", "Symbol", "Mass"}, {"Hydrogen", "H", "1.008"}, {"Carbon", "C", "12.011"}, {"Oxygen", "O", "15.999"},
		{"Iron", "Fe", "55.845"}, {"Sodium", "Na", "22.990"}},
	{{"Event", "Year", "Place"}, {"First flight", "1903", "Kitty Hawk"}, {"Moon landing", "1969", "Sea of Tranquility"},
		{"Printing press", "1440", "Mainz"}, {"Telephone call", "1876", "Boston"}, {"Radio signal", "1901", "Cornwall"}},
}
