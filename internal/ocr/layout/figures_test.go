package layout

import (
	"image"
	"image/color"
	"image/draw"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// drawnPage is a page for FindFigures: white paper with ink drawn on it, and the words an
// engine read, each inked as a row of letter strokes inside its box.
type drawnPage struct {
	img   *image.Gray
	words []Word
	line  int
}

func newDrawnPage() *drawnPage {
	img := image.NewGray(image.Rect(0, 0, 1200, 1600))
	draw.Draw(img, img.Rect, image.NewUniform(color.Gray{250}), image.Point{}, draw.Src)
	return &drawnPage{img: img}
}

func (p *drawnPage) fill(r image.Rectangle, level uint8) {
	draw.Draw(p.img, r, image.NewUniform(color.Gray{level}), image.Point{}, draw.Src)
}

// frame draws a rectangle 3 pixels wide in ink of level along the inside of r.
func (p *drawnPage) frame(r image.Rectangle, level uint8) {
	p.fill(r, level)
	p.fill(r.Inset(3), 250)
}

// text writes a line of 30-pixel words from (x, y), each letter a vertical stroke.
func (p *drawnPage) text(x, y int, s string) {
	p.line++
	for _, w := range strings.Fields(s) {
		box := image.Rect(x, y, x+len(w)*15, y+30)
		for lx := box.Min.X + 2; lx < box.Max.X-4; lx += 15 {
			p.fill(image.Rect(lx, y+4, lx+4, y+28), 20)
		}
		p.words = append(p.words, Word{Box: box, Text: w, Conf: 91, Block: 1, Par: 1, Line: p.line})
		x = box.Max.X + 12
	}
}

// paragraph writes lines of text down from y and returns the y below them.
func (p *drawnPage) paragraph(y int, lines ...string) int {
	for _, l := range lines {
		p.text(100, y, l)
		y += 45
	}
	return y + 30
}

// diagram draws boxes joined by lines, a ring and a label in one box, within r, and returns
// the box of its ink.
func (p *drawnPage) diagram(r image.Rectangle) image.Rectangle {
	a := image.Rect(r.Min.X, r.Min.Y, r.Min.X+200, r.Min.Y+120)
	b := a.Add(image.Pt(420, 160))
	for _, box := range []image.Rectangle{a, b} {
		p.frame(box, 30)
	}
	p.fill(image.Rect(a.Max.X, a.Min.Y+60, b.Min.X, a.Min.Y+63), 30)
	p.fill(image.Rect(b.Min.X-3, a.Min.Y+60, b.Min.X, b.Min.Y), 30)
	c, radius := image.Pt(r.Max.X-90, r.Min.Y+90), 80
	for y := c.Y - radius; y <= c.Y+radius; y++ {
		for x := c.X - radius; x <= c.X+radius; x++ {
			if d := (x-c.X)*(x-c.X) + (y-c.Y)*(y-c.Y); d <= radius*radius && d >= (radius-4)*(radius-4) {
				p.img.SetGray(x, y, color.Gray{30})
			}
		}
	}
	p.text(a.Min.X+40, a.Min.Y+45, "Input")
	return a.Union(b).Union(image.Rect(c.X-radius, c.Y-radius, c.X+radius+1, c.Y+radius+1))
}

var fourLines = []string{
	"The market clears where supply equals demand and",
	"prices move until the quantity people want to buy",
	"matches the quantity firms want to sell at that",
	"price, which economists call the equilibrium.",
}

func TestFindFiguresFindsADiagramBetweenParagraphs(t *testing.T) {
	t.Parallel()
	p := newDrawnPage()
	y := p.paragraph(100, fourLines...)
	where := p.diagram(image.Rect(250, y, 950, y+300))
	p.paragraph(where.Max.Y+40, fourLines[:2]...)

	figures := FindFigures(p.img, p.words, FindRules(p.img))
	require.Len(t, figures, 1)
	require.True(t, where.In(figures[0].Inset(-1)), "the figure %v holds the whole drawing %v", figures[0], where)
	require.Less(t, figures[0].Dx()*figures[0].Dy(), 2*where.Dx()*where.Dy(), "and little else: %v", figures[0])

	page := Analyze(p.words, nil, figures...)
	md := page.Markdown()
	require.Equal(t, []image.Rectangle{figures[0]}, page.Figures())
	first, second, ok := strings.Cut(md, "![Figure 1]("+FigureScheme+"1)")
	require.True(t, ok, "the figure's link is in the Markdown:\n%s", md)
	require.Contains(t, first, "equilibrium.", "the paragraph above comes before it")
	require.Contains(t, second, "prices move", "the paragraph below comes after it")
	require.NotContains(t, md, "Input", "the diagram's label is part of its picture")
	require.NotContains(t, page.Text(), "Figure", "plain text has no figures")
}

func TestFindFiguresFindsNoneOnText(t *testing.T) {
	t.Parallel()
	p := newDrawnPage()
	p.text(100, 60, "Heading")
	p.fill(image.Rect(100, 95, 700, 98), 20) // underlined across the page
	y := p.paragraph(140, fourLines...)
	// Bullets the engine did not read, and specks of dust.
	for i := range 4 {
		p.fill(image.Rect(70, y+i*45+10, 80, y+i*45+20), 20)
		p.text(100, y+i*45, "an item of the list")
	}
	for _, at := range []image.Point{{900, 1200}, {400, 1400}, {1000, 300}} {
		p.fill(image.Rectangle{Min: at, Max: at.Add(image.Pt(3, 3))}, 40)
	}
	// A framed paragraph is text, not a figure.
	box := image.Rect(80, 700, 1000, 960)
	p.frame(box, 20)
	p.paragraph(720, fourLines...)

	require.Empty(t, FindFigures(p.img, p.words, FindRules(p.img)))
}

func TestFindFiguresTakesNoTableRules(t *testing.T) {
	t.Parallel()
	p := newDrawnPage()
	y := p.paragraph(100, fourLines[:2]...)
	xs, ys := []int{100, 450, 800, 1100}, []int{y, y + 60, y + 120, y + 180, y + 240}
	for _, ry := range ys {
		p.fill(image.Rect(xs[0], ry, xs[len(xs)-1]+3, ry+3), 20)
	}
	for _, rx := range xs {
		p.fill(image.Rect(rx, ys[0], rx+3, ys[len(ys)-1]+3), 20)
	}
	for _, ry := range ys[:len(ys)-1] {
		for _, rx := range xs[:len(xs)-1] {
			p.text(rx+20, ry+15, "cell")
		}
	}
	rules := FindRules(p.img)
	require.NotEmpty(t, rules)
	require.Empty(t, FindFigures(p.img, p.words, rules))
}

func TestFindFiguresOnAPageWithoutWords(t *testing.T) {
	t.Parallel()
	p := newDrawnPage()
	where := p.diagram(image.Rect(200, 300, 900, 600))
	figures := FindFigures(p.img, nil, nil)
	require.Len(t, figures, 1)
	require.True(t, where.In(figures[0].Inset(-1)), "%v", figures[0])
	require.Empty(t, FindFigures(image.NewGray(image.Rect(0, 0, 10, 10)), nil, nil), "too small a page")
}

// A glyph's soft edge reaches a pixel past the box the engine gives its word: that fringe is
// the word's ink, and does not make a figure of a thin separator rule drawn under the
// paragraph.
func TestFindFiguresTakesNoSeparatorUnderText(t *testing.T) {
	t.Parallel()
	p := newDrawnPage()
	// The last line's boxes end where a row of the grid FindFigures sees the page in starts
	// (cells of 13 pixels, a third of the text's em of 41).
	y := p.paragraph(108, fourLines...)
	for _, w := range p.words[len(p.words)-6:] { // the last line's soft edge, under its words' boxes
		p.fill(image.Rect(w.Box.Min.X, w.Box.Max.Y, w.Box.Max.X, w.Box.Max.Y+2), 150)
	}
	p.fill(image.Rect(100, y+50, 1100, y+51), 190) // a light rule between sections
	p.paragraph(y+100, fourLines[:2]...)
	require.Empty(t, FindFigures(p.img, p.words, FindRules(p.img)))
}

// Two framed figures side by side, one beside the foot of a column of text: each is a figure of
// its own, and the column's lines beside the taller one stay text.
func TestFiguresSideBySideLeaveTheColumnBesideThem(t *testing.T) {
	t.Parallel()
	p := newDrawnPage()
	column := []string{"so the two sets of it are", "out of phase and a bolt", "that is in it must push", "the lock out on its way"}
	for i, l := range column {
		p.text(60, 100+i*45, l)
	}
	frame := func(r image.Rectangle) {
		p.fill(r, 40)
		p.fill(r.Inset(3), 250)
		p.fill(image.Rect(r.Min.X+60, r.Min.Y+60, r.Max.X-60, r.Min.Y+140), 90) // a drawing in it
		p.text(r.Min.X+70, r.Max.Y-50, "Nut case")
	}
	left, right := image.Rect(60, 360, 560, 700), image.Rect(600, 100, 1100, 700)
	frame(left)
	frame(right)

	figures := FindFigures(p.img, p.words, FindRules(p.img))
	require.Len(t, figures, 2, "%v", figures)
	text := Analyze(p.words, nil, figures...).Text()
	for _, l := range column {
		require.Contains(t, text, l)
	}
}

// A cell whose word the engine did not read still holds text, not a figure that would take the
// words of the cells around it.
func TestFindFiguresTakesNoUnreadCell(t *testing.T) {
	t.Parallel()
	p := newDrawnPage()
	y := p.paragraph(100, fourLines[:2]...)
	xs, ys := []int{100, 450, 800, 1100}, []int{y, y + 50, y + 100, y + 150, y + 200}
	for _, ry := range ys {
		p.fill(image.Rect(xs[0], ry, xs[len(xs)-1]+3, ry+3), 20)
	}
	for _, rx := range xs {
		p.fill(image.Rect(rx, ys[0], rx+3, ys[len(ys)-1]+3), 20)
	}
	for r, ry := range ys[:len(ys)-1] {
		for c, rx := range xs[:len(xs)-1] {
			p.text(rx+20, ry+10, "CHARACTER(300)")
			if c == 1 && r < 3 {
				p.words = p.words[:len(p.words)-1] // inked, but not read
			}
		}
	}
	require.Empty(t, FindFigures(p.img, p.words, FindRules(p.img)))
}

// A frame around lines of text set far apart (a figure made of text, such as the values of
// variables step by step) holds text, not a drawing: its lines stay text.
func TestFindFiguresTakesNoFramedText(t *testing.T) {
	t.Parallel()
	p := newDrawnPage()
	y := p.paragraph(100, fourLines[:2]...)
	box := image.Rect(100, y, 600, y+600)
	p.frame(box, 40)
	for i, l := range []string{"Signed on as ALICE", "USER = ALICE", "CURRENT USER = ALICE", "CALL proc1", "Owner = JOE",
		"SET OPTION USRPRF", "USER = ALICE", "CURRENT USER = JOE", "USER = ALICE"} {
		p.text(120, y+30+i*60, l)
	}
	p.paragraph(box.Max.Y+40, fourLines[2:]...)
	require.Empty(t, FindFigures(p.img, p.words, FindRules(p.img)))
}

// A frame round two columns of short words set far from its edges (a conjugation table in a
// box): slanted letters leave ink just past the boxes the engine gives the words, and some words
// are read with doubt. The box holds text, not a drawing.
func TestFindFiguresTakesNoFrameRoundColumnsOfWords(t *testing.T) {
	t.Parallel()
	p := newDrawnPage()
	y := p.paragraph(100, fourLines[:2]...)
	box := image.Rect(100, y, 1100, y+520)
	p.frame(box, 40)
	for i, l := range [][2]string{{"Je suis", "J'ai"}, {"Tu es", "Tu as"}, {"Il est", "Il a"},
		{"Nous sommes", "Nous avons"}, {"Vous etes", "Vous avez"}, {"Ils sont", "Ils ont"}} {
		p.text(260, y+80+i*60, l[0])
		p.text(700, y+80+i*60, l[1])
	}
	for i := range p.words {
		w := &p.words[i]
		if !w.Box.Overlaps(box) {
			continue
		}
		p.fill(image.Rect(w.Box.Max.X+3, w.Box.Min.Y+2, w.Box.Max.X+12, w.Box.Min.Y+10), 20)
		if i%3 == 0 {
			w.Conf = 40
		}
	}
	p.paragraph(box.Max.Y+40, fourLines[2:]...)
	require.Empty(t, FindFigures(p.img, p.words, FindRules(p.img)))
}

// A photographed sheet whose edges, the desk beside it and the binding stay in the frame: the
// dark bands around the page are far from its words, and do not make a figure that takes in
// the text between them, nor one that takes in a column of short words beside the binding.
// (A band alone, with no words in its box, may stay a figure: it takes no text.)
func TestFindFiguresTakesNoEdgesAroundAPhotographedPage(t *testing.T) {
	t.Parallel()
	p := newDrawnPage()
	band := func(x0, y0, x1, y1, width int) { // a slanted band from (x0, y0) to (x1, y1)
		for y := y0; y < y1; y++ {
			x := x0 + (x1-x0)*(y-y0)/(y1-y0)
			p.fill(image.Rect(x, y, x+width, y+1), 90)
		}
	}
	band(40, 60, 150, 1520, 24)               // the sheet's left edge
	band(150, 1500, 1130, 1530, 20)           // its bottom edge
	band(1060, 40, 1150, 1540, 30)            // the binding on the right
	p.fill(image.Rect(760, 30, 1160, 80), 60) // the desk in the top corner
	words := []string{"fish", "small", "person", "in law", "forget", "child", "strong", "sorry", "octopus"}
	for i, w := range words {
		p.text(250, 150+i*130, "the word of the first column")
		p.text(820, 150+i*130, w)
	}

	figures := FindFigures(p.img, p.words, FindRules(p.img))
	for _, f := range figures {
		require.Less(t, 2*f.Dx()*f.Dy(), p.img.Rect.Dx()*p.img.Rect.Dy(), "a figure %v takes in the page", f)
	}
	text := Analyze(p.words, nil, figures...).Text()
	for _, w := range words {
		require.Contains(t, text, w)
	}
	require.Equal(t, len(words), strings.Count(text, "the word of the first column"))
}

// A figure's margin takes in no word: a line set close under a drawing stays text.
func TestFindFiguresLeavesTheLineUnderADrawing(t *testing.T) {
	t.Parallel()
	p := newDrawnPage()
	y := p.paragraph(100, fourLines...)
	where := p.diagram(image.Rect(250, y, 950, y+300))
	p.text(250, where.Max.Y+2, "a line set close under it")

	figures := FindFigures(p.img, p.words, FindRules(p.img))
	require.Len(t, figures, 1)
	require.True(t, where.In(figures[0].Inset(-1)), "the figure %v holds the whole drawing %v", figures[0], where)
	require.Contains(t, Analyze(p.words, nil, figures...).Text(), "a line set close under it")
}
