package layout

import (
	"image"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// page lays out words as a typesetter would: each placed line is text at x, y (its top) in
// a font of em pixels, 0.5 em per letter and 0.3 em per space.
type page struct {
	words []Word
	line  int
}

func (p *page) add(x, y, em int, text string) {
	p.line++
	for _, w := range strings.Fields(text) {
		width := len([]rune(w)) * em / 2
		p.words = append(p.words, Word{Box: image.Rect(x, y, x+width, y+em*95/100), Text: w, Conf: 90, Block: 1, Par: 1, Line: p.line})
		x += width + em*3/10
	}
}

func TestTwoColumnsAreReadOneAfterTheOther(t *testing.T) {
	t.Parallel()
	var p page
	p.add(50, 20, 48, "Sorting Algorithms")
	left := []string{"Merge sort splits the list", "in halves and merges them", "back in order again."}
	right := []string{"Quick sort picks a pivot", "and partitions the rest", "around it recursively."}
	for i := range left {
		// The engine read each row across both columns as one line.
		y := 120 + i*40
		p.line++
		for _, part := range []struct {
			x    int
			text string
		}{{50, left[i]}, {600, right[i]}} {
			x := part.x
			for _, w := range strings.Fields(part.text) {
				width := len(w) * 15
				p.words = append(p.words, Word{Box: image.Rect(x, y, x+width, y+28), Text: w, Conf: 90, Block: 1, Par: 1, Line: p.line})
				x += width + 9
			}
		}
	}
	p.add(50, 280, 30, "A closing line that spans the whole page below both columns.")

	got := Analyze(p.words, nil)
	require.Equal(t, "# Sorting Algorithms\n\n"+
		strings.Join(left, "\n")+"\n\n"+strings.Join(right, "\n")+"\n\n"+
		"A closing line that spans the whole page below both columns.\n", got.Markdown())
	require.Equal(t, "Sorting Algorithms\n\n"+strings.Join(left, "\n")+"\n\n"+strings.Join(right, "\n")+
		"\n\nA closing line that spans the whole page below both columns.", got.Text())
}

func TestTableRowsKeepTheirCells(t *testing.T) {
	t.Parallel()
	var p page
	p.add(50, 20, 30, "Results of the week")
	cells := [][]string{{"Day", "Trains", "Delay"}, {"Monday", "14", "3 min"}, {"Tuesday", "12", "none"}}
	for r, row := range cells {
		for c, cell := range row {
			p.add(50+c*250, 80+r*45, 30, cell)
		}
	}
	got := Analyze(p.words, nil)
	require.Len(t, got.Blocks, 2)
	require.Equal(t, Table, got.Blocks[1].Kind)
	require.Equal(t, cells, got.Blocks[1].Rows)
	require.Contains(t, got.Markdown(), "| Day | Trains | Delay |\n| --- | --- | --- |\n| Monday | 14 | 3 min |\n| Tuesday | 12 | none |")
}

func TestListsFromMarkersAndMisreadBullets(t *testing.T) {
	t.Parallel()
	var p page
	p.add(50, 20, 30, "Shopping for the trip")
	p.add(50, 70, 30, "e bread and butter")
	p.add(50, 112, 30, "e three kinds of fruit that")
	p.add(80, 154, 30, "keep for a week")
	p.add(110, 196, 30, "- apples")
	p.add(50, 280, 30, "1. Pack the bags")
	p.add(50, 322, 30, "2. Lock the door")
	got := Analyze(p.words, nil)
	require.Equal(t, "Shopping for the trip\n\n"+
		"- bread and butter\n- three kinds of fruit that keep for a week\n  - apples\n\n"+
		"1. Pack the bags\n2. Lock the door\n", got.Markdown())
}

// An arrow bullet ("➢") read as ">" marks the examples nested under each item; a line that
// starts with ">" outside a list stays as it is.
func TestArrowBulletsReadAsGreaterThan(t *testing.T) {
	t.Parallel()
	var p page
	p.add(50, 20, 30, "- State a general truth:")
	p.add(90, 62, 30, "> Ex: The sky is blue.")
	p.add(50, 104, 30, "- Say what is going on:")
	p.add(90, 146, 30, "> Ex: The driver starts the car.")
	p.add(50, 260, 30, "A comparison in the text that follows")
	p.add(50, 302, 30, "the list, one line after another, in")
	p.add(50, 344, 30, "a paragraph of its own:")
	p.add(50, 386, 30, "> 5 is true")
	md := Analyze(p.words, nil).Markdown()
	require.True(t, strings.HasPrefix(md, "- State a general truth:\n  - Ex: The sky is blue.\n"+
		"- Say what is going on:\n  - Ex: The driver starts the car.\n\nA comparison"), md)
	require.NotContains(t, md, "- 5 is true")
}

func TestNoWordsNoBlocks(t *testing.T) {
	t.Parallel()
	require.Empty(t, Analyze(nil, nil).Blocks)
	require.Empty(t, Analyze([]Word{{Text: "  ", Box: image.Rect(0, 0, 5, 5)}, {Text: "x"}}, nil).Markdown())
}

// What the engine read in a drawing, words it doubts, stays out of the page.
func TestDoubtedSegmentsLeftOut(t *testing.T) {
	t.Parallel()
	var p page
	p.add(50, 20, 30, "A caption under the drawing")
	p.add(50, 200, 30, "Fir ne ee eb")
	for i := range p.words[len(p.words)-4:] {
		p.words[len(p.words)-4+i].Conf = 20
	}
	require.Equal(t, "A caption under the drawing", Analyze(p.words, nil).Text())
}

// The wide space after a label, a list item's letter or a section's number ("2.1."), is its
// hanging indent, not a gutter: each item stays one line beside the column to its right, and
// the labels make no column of their own.
func TestLabelGapIsNoGutter(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		labels, texts [2]string
		textX         int
	}{
		{[2]string{"a.", "b."}, [2]string{"Find the velocity of it", "Find the speed of it"}, 130},
		{[2]string{"2.1.", "2.2."}, [2]string{"Light from the sun", "Oxygen in the air"}, 170},
	} {
		var p page
		for i, y := range []int{20, 62} {
			first := len(p.words)
			p.add(50, y, 30, c.labels[i])
			p.add(c.textX, y, 30, c.texts[i])
			for k := first; k < len(p.words); k++ { // the engine read each item as one line
				p.words[k].Line = p.words[first].Line
			}
		}
		p.add(700, 20, 30, "Right column text goes")
		p.add(700, 62, 30, "on below the first line")
		require.Equal(t, c.labels[0]+" "+c.texts[0]+"\n"+c.labels[1]+" "+c.texts[1]+
			"\n\nRight column text goes\non below the first line", Analyze(p.words, nil).Text())
	}
}

// A title centred over the page comes before a heading set at the left under it, though the
// heading lies wholly left of it: nothing beside them makes them columns.
func TestTitleBeforeTheHeadingUnderIt(t *testing.T) {
	t.Parallel()
	var p page
	p.add(400, 20, 40, "Ancient Greece")
	p.add(50, 110, 30, "I. Greek theatre")
	p.add(50, 170, 24, "Plays were much loved and the theatres were built")
	p.add(50, 200, 24, "as half circles open to the sky above the town.")
	require.Equal(t, "Ancient Greece\n\nI. Greek theatre\n\nPlays were much loved and the theatres were built\nas half circles open to the sky above the town.",
		Analyze(p.words, nil).Text())
}

// The caption beside a drawing is read with it, before the heading under the drawing: a
// figure makes no column.
func TestCaptionBesideAFigureBeforeTheHeadingUnderIt(t *testing.T) {
	t.Parallel()
	var p page
	p.add(50, 20, 24, "Plays were much loved and the theatres were built as half circles.")
	p.add(600, 150, 20, "Plan of a theatre")
	p.add(50, 260, 30, "II. Greek society")
	p.add(50, 320, 24, "The Greeks invented democracy, and every citizen could vote.")
	figure := image.Rect(60, 80, 560, 220)
	require.Equal(t, "Plays were much loved and the theatres were built as half circles.\n\nPlan of a theatre\n\nII. Greek society\n\nThe Greeks invented democracy, and every citizen could vote.",
		Analyze(p.words, nil, figure).Text())
}

// An engine reads a lone letter whose capital and small forms look alike as both ("Cc", "oO"):
// one glyph's width is one letter, its height says which.
func TestDoubledLoneLetterIsOne(t *testing.T) {
	t.Parallel()
	var p page
	for r, row := range [][]string{{"Element", "Symbol", "Mass"}, {"Carbon", "Cc", "12.011"}, {"Oxygen", "oO", "15.999"}, {"Sulfur", "Ss", "32.06"}} {
		for c, cell := range row {
			p.add(50+c*250, 80+r*45, 30, cell)
		}
	}
	letter := func(i int, height int) { // the box of one glyph: a capital's width and height
		w := &p.words[i]
		w.Box.Max.X = w.Box.Min.X + 20
		w.Box.Min.Y = w.Box.Max.Y - height
	}
	letter(4, 28)  // C, as tall as the capitals beside it
	letter(7, 28)  // O
	letter(10, 20) // s, as tall as a small letter
	got := Analyze(p.words, nil)
	require.Equal(t, [][]string{{"Element", "Symbol", "Mass"}, {"Carbon", "C", "12.011"}, {"Oxygen", "O", "15.999"}, {"Sulfur", "s", "32.06"}},
		got.Blocks[0].Rows)
}

// Bullets the engine read as lines of their own, in a block of their own beside the items'
// text (a glyph font's "►" read as "»", a round one as "e"), stay with their items rather than
// making a column.
func TestBulletsReadApartStayWithTheirItems(t *testing.T) {
	t.Parallel()
	var p page
	p.add(50, 20, 30, "Figure 3-5 shows the difference when adopted:")
	items := []string{"A user connects to the server.", "USER and CURRENT USER have the same value.", "ALICE calls an SQL procedure."}
	for i, item := range items {
		p.add(80, 80+i*45, 30, item)
	}
	for i := range items {
		p.add(52, 84+i*45, 22, "»")
		p.words[len(p.words)-1].Block = 2
	}
	require.Equal(t, "Figure 3-5 shows the difference when adopted:\n\n"+
		"- A user connects to the server.\n- USER and CURRENT USER have the same value.\n- ALICE calls an SQL procedure.\n", Analyze(p.words, nil).Markdown())

	// Round bullets read as "e", a column of them: bullets too.
	for i := range p.words {
		if p.words[i].Text == "»" {
			p.words[i].Text = "e"
		}
	}
	require.Equal(t, "Figure 3-5 shows the difference when adopted:\n\n"+
		"- A user connects to the server.\n- USER and CURRENT USER have the same value.\n- ALICE calls an SQL procedure.\n", Analyze(p.words, nil).Markdown())
}
