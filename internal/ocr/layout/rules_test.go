package layout

import (
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRulesFoundErasedAndMadeCells(t *testing.T) {
	t.Parallel()
	page := image.NewGray(image.Rect(0, 0, 800, 600))
	draw.Draw(page, page.Rect, image.NewUniform(color.Gray{255}), image.Point{}, draw.Src)
	ink := image.NewUniform(color.Gray{20})
	ys, xs := []int{100, 150, 200, 250}, []int{100, 350, 600}
	for _, y := range ys {
		draw.Draw(page, image.Rect(100, y, 602, y+2), ink, image.Point{}, draw.Src)
	}
	for _, x := range xs {
		draw.Draw(page, image.Rect(x, 100, x+2, 252), ink, image.Point{}, draw.Src)
	}
	// A filled block, a short dash, the stems of large letters and a line on its own are no
	// table's rules.
	draw.Draw(page, image.Rect(100, 400, 400, 500), ink, image.Point{}, draw.Src)
	draw.Draw(page, image.Rect(500, 450, 530, 452), ink, image.Point{}, draw.Src)
	for x := 450; x < 700; x += 40 {
		draw.Draw(page, image.Rect(x, 300, x+4, 370), ink, image.Point{}, draw.Src)
	}
	draw.Draw(page, image.Rect(450, 550, 750, 552), ink, image.Point{}, draw.Src)

	rules := FindRules(page)
	require.Len(t, rules, len(ys)+len(xs))
	erased := EraseRules(page, rules)
	require.Equal(t, uint8(255), erased.GrayAt(300, 150).Y)
	require.Equal(t, uint8(20), erased.GrayAt(200, 450).Y, "the block stays")
	require.Equal(t, uint8(20), page.GrayAt(300, 150).Y, "the page itself is unchanged")

	var words []Word
	cell := func(x, y int, text string, line int) { words = append(words, cellWord(x, y, text, line)) }
	cell(110, 115, "Name", 1)
	cell(160, 115, "given", 1) // close to the next column: only the rule tells the cells apart
	cell(360, 115, "Age", 1)
	cell(110, 165, "Ada", 2)
	cell(360, 165, "36", 2)
	cell(360, 215, "41", 3)
	cell(100, 300, "Below", 4)
	got := Analyze(words, rules)
	require.Len(t, got.Blocks, 2)
	require.Equal(t, [][]string{{"Name given", "Age"}, {"Ada", "36"}, {"", "41"}}, got.Blocks[0].Rows)
	require.Equal(t, []string{"Below"}, got.Blocks[1].Lines)
}

// Rules across only, at the top, under the header and at the foot, draw a table too.
func TestRulesAcrossOnlyMakeATable(t *testing.T) {
	t.Parallel()
	page := image.NewGray(image.Rect(0, 0, 800, 600))
	draw.Draw(page, page.Rect, image.NewUniform(color.Gray{255}), image.Point{}, draw.Src)
	for _, y := range []int{100, 140, 260} {
		draw.Draw(page, image.Rect(100, y, 600, y+2), image.NewUniform(color.Gray{20}), image.Point{}, draw.Src)
	}
	rules := FindRules(page)
	require.Len(t, rules, 3)
	var words []Word
	for r, row := range [][]string{{"Metal", "Melts"}, {"Tin", "232"}, {"Lead", "327"}} {
		for c, text := range row {
			x, y := 110+c*250, 110+r*45
			if r > 0 {
				y += 10
			}
			words = append(words, Word{Box: image.Rect(x, y, x+len(text)*12, y+22), Text: text, Conf: 90, Block: 1, Par: 1, Line: r + 1})
		}
	}
	got := Analyze(words, rules)
	require.Len(t, got.Blocks, 1)
	require.Equal(t, [][]string{{"Metal", "Melts"}, {"Tin", "232"}, {"Lead", "327"}}, got.Blocks[0].Rows)
}

// A rule over the page's footer, as wide as the ruled table above it, is no part of the
// table: the paragraph between them stays a paragraph, not the grid's two columns.
func TestFooterRuleUnderAGridStaysOut(t *testing.T) {
	t.Parallel()
	img := image.NewGray(image.Rect(0, 0, 800, 900))
	draw.Draw(img, img.Rect, image.NewUniform(color.Gray{255}), image.Point{}, draw.Src)
	ink := image.NewUniform(color.Gray{20})
	for _, y := range []int{100, 150, 200} {
		draw.Draw(img, image.Rect(100, y, 702, y+2), ink, image.Point{}, draw.Src)
	}
	for _, x := range []int{100, 400, 700} {
		draw.Draw(img, image.Rect(x, 100, x+2, 202), ink, image.Point{}, draw.Src)
	}
	draw.Draw(img, image.Rect(98, 800, 704, 802), ink, image.Point{}, draw.Src)
	rules := FindRules(img)

	var p page
	p.add(110, 115, 24, "Level")
	p.add(410, 115, 24, "Share")
	p.add(110, 165, 24, "Low")
	p.add(410, 165, 24, "Less than half")
	for i := range p.words {
		p.words[i].Line = 1 + p.words[i].Box.Min.Y/150
	}
	p.add(100, 300, 24, "Small business loans go to firms whose revenue")
	p.add(100, 340, 24, "is a million or less, as the report defines it.")
	p.add(390, 820, 24, "5 - 3")
	got := Analyze(p.words, rules)
	require.Equal(t, "| Level | Share |\n| --- | --- |\n| Low | Less than half |\n\n"+
		"Small business loans go to firms whose revenue\nis a million or less, as the report defines it.\n\n5 - 3\n", got.Markdown())
}

// A renderer may leave a pixel of paper in a rule where another crosses it: the rule runs on
// across the gap, so a grid whose rows are shorter than a rule's least length is still found.
func TestRulesRunAcrossAPixelGap(t *testing.T) {
	t.Parallel()
	img := image.NewGray(image.Rect(0, 0, 800, 600))
	draw.Draw(img, img.Rect, image.NewUniform(color.Gray{255}), image.Point{}, draw.Src)
	ink := image.NewUniform(color.Gray{0})
	ys := []int{100, 135, 170, 205, 240}
	for _, x := range []int{100, 400, 700} {
		draw.Draw(img, image.Rect(x, ys[0], x+1, ys[len(ys)-1]+1), ink, image.Point{}, draw.Src)
	}
	for _, y := range ys {
		draw.Draw(img, image.Rect(100, y, 701, y+1), ink, image.Point{}, draw.Src)
		for _, x := range []int{100, 400, 700} {
			img.SetGray(x, y+1, color.Gray{255})
		}
	}
	rules := FindRules(img)
	down := 0
	for _, r := range rules {
		if !r.Horizontal() {
			down++
			require.Equal(t, ys[len(ys)-1]+1-ys[0], r.Box.Dy(), "the whole rule: %v", r.Box)
		}
	}
	require.Equal(t, 3, down, "rules found: %v", rules)
}

// A photographed page lies on a desk: the streaks of a dark desk's grain and the edge of the
// sheet against it are no rules, while a table on the sheet, grey paper, double rules and all,
// is erased to the paper's grey, which leaves the engine no pale lines to see.
func TestRulesOnPaperOnly(t *testing.T) {
	t.Parallel()
	img := image.NewGray(image.Rect(0, 0, 800, 600))
	draw.Draw(img, img.Rect, image.NewUniform(color.Gray{200}), image.Point{}, draw.Src)
	desk := image.Rect(20, 20, 780, 160)
	for y := desk.Min.Y; y < desk.Max.Y; y++ {
		for x := desk.Min.X; x < desk.Max.X; x++ {
			if y%3 == 0 || x%3 == 0 { // the grain: dark streaks across and down
				img.SetGray(x, y, color.Gray{30})
			}
		}
	}
	ink := image.NewUniform(color.Gray{20})
	ys, xs := []int{300, 350, 400}, []int{100, 400, 700}
	for _, y := range ys {
		draw.Draw(img, image.Rect(100, y, 702, y+2), ink, image.Point{}, draw.Src)
	}
	for _, x := range xs {
		draw.Draw(img, image.Rect(x, 300, x+2, 402), ink, image.Point{}, draw.Src)
	}
	draw.Draw(img, image.Rect(100, 305, 702, 307), ink, image.Point{}, draw.Src) // the top rule is double
	rules := FindRules(img)
	require.Len(t, rules, len(ys)+len(xs)+1, "the table's rules alone")
	for _, r := range rules {
		require.True(t, r.Box.Min.Y >= 300, "no rule in the desk: %v", r.Box)
	}
	erased := EraseRules(img, rules)
	require.Equal(t, uint8(200), erased.GrayAt(250, 300).Y, "a rule across, erased to the paper")
	require.Equal(t, uint8(200), erased.GrayAt(400, 375).Y, "a rule down")

	// What is left of a rule the engine reads as "|", which is no text of the cell.
	var words []Word
	for r, row := range [][]string{{"Metal", "|", "Melts"}, {"Tin", "|", "232"}} {
		for c, text := range row {
			x, y := []int{110, 395, 410}[c], 315+r*50
			words = append(words, Word{Box: image.Rect(x, y, x+max(4, len(text)*12), y+22), Text: text, Conf: 90, Block: 1, Par: 1, Line: r + 1})
		}
	}
	require.Equal(t, [][]string{{"Metal", "Melts"}, {"Tin", "232"}}, Analyze(words, rules).Blocks[0].Rows)
}

// Two rules across, above and below, frame a block (a code example, a note) rather than draw a
// table: its lines stay lines.
func TestTwoRulesAcrossFrameNoTable(t *testing.T) {
	t.Parallel()
	img := image.NewGray(image.Rect(0, 0, 800, 600))
	draw.Draw(img, img.Rect, image.NewUniform(color.Gray{255}), image.Point{}, draw.Src)
	for _, y := range []int{100, 260} {
		draw.Draw(img, image.Rect(100, y, 600, y+2), image.NewUniform(color.Gray{20}), image.Point{}, draw.Src)
	}
	var p page
	p.add(110, 115, 24, "SELECT")
	p.add(220, 115, 24, "function_id,")
	p.add(220, 150, 24, "user_name")
	p.add(110, 185, 24, "FROM")
	p.add(220, 185, 24, "function_usage")
	for i := range p.words {
		p.words[i].Line = 1 + (p.words[i].Box.Min.Y-115)/35
	}
	got := Analyze(p.words, FindRules(img))
	require.NotContains(t, got.Markdown(), "|", "no table:\n%s", got.Markdown())
}

// Rules down that stop short of the table's sides (lines between some columns only) do not
// make the cells outside them: the columns come from the words, and no word is lost.
func TestRulesDownBetweenSomeColumnsOnly(t *testing.T) {
	t.Parallel()
	img := image.NewGray(image.Rect(0, 0, 800, 600))
	draw.Draw(img, img.Rect, image.NewUniform(color.Gray{255}), image.Point{}, draw.Src)
	ink := image.NewUniform(color.Gray{20})
	for _, y := range []int{100, 150, 200, 250, 300} {
		draw.Draw(img, image.Rect(100, y, 702, y+2), ink, image.Point{}, draw.Src)
	}
	for _, x := range []int{250, 400, 550} {
		draw.Draw(img, image.Rect(x, 100, x+2, 302), ink, image.Point{}, draw.Src)
	}
	rows := [][]string{{"Layers", "Format", "TEDs", "Time"}, {"6", "OTSL", "0.965", "2.73"}, {"4", "HTML", "0.938", "5.39"}, {"2", "HTML", "0.931", "1.97"}}
	var words []Word
	for r, row := range rows {
		for c, text := range row {
			x, y := []int{110, 270, 420, 600}[c], 115+r*50
			words = append(words, Word{Box: image.Rect(x, y, x+len(text)*12, y+22), Text: text, Conf: 90, Block: 1, Par: 1, Line: r + 1})
		}
	}
	got := Analyze(words, FindRules(img))
	require.Len(t, got.Blocks, 1)
	require.Equal(t, rows, got.Blocks[0].Rows)
}

// A table on a page photographed at a slight angle keeps its rules tilted after deskewing, the
// lines down more than the lines across: each row (column) then holds only a short piece of a
// rule. The rules are found whole, erased along their ink only, and give the cells.
func TestTiltedRulesFoundErasedAndMadeCells(t *testing.T) {
	t.Parallel()
	page := image.NewGray(image.Rect(0, 0, 800, 600))
	draw.Draw(page, page.Rect, image.NewUniform(color.Gray{255}), image.Point{}, draw.Src)
	const ink = 20
	ys, xs := []int{100, 180, 260, 340}, []int{100, 350, 600}
	for _, y0 := range ys { // across, one pixel down every 50 along
		for x := 100; x < 616; x++ {
			page.SetGray(x, y0+(x-100)/50, color.Gray{ink})
		}
	}
	for _, x0 := range xs { // down, one pixel right every 20 along
		for y := 100; y < 352; y++ {
			page.SetGray(x0+(y-100)/20, y, color.Gray{ink})
		}
	}
	// A letter's stroke close to the middle rule down, inside its box but off its line.
	draw.Draw(page, image.Rect(364, 300, 367, 318), image.NewUniform(color.Gray{ink}), image.Point{}, draw.Src)

	rules := FindRules(page)
	require.Len(t, rules, len(ys)+len(xs), "rules: %v", rules)
	for _, r := range rules {
		require.Positive(t, r.Slant, "%v", r)
		if r.Horizontal() {
			require.GreaterOrEqual(t, r.Box.Dx(), 510, "the whole rule across: %v", r)
		} else {
			require.GreaterOrEqual(t, r.Box.Dy(), 250, "the whole rule down: %v", r)
		}
	}
	erased := EraseRules(page, rules)
	for _, p := range []image.Point{{350 + 5, 200}, {350 + 12, 340}, {200, 180 + 2}, {500, 260 + 8}} {
		require.Equal(t, uint8(ink), page.GrayAt(p.X, p.Y).Y, "a rule at %v", p)
		require.Equal(t, uint8(255), erased.GrayAt(p.X, p.Y).Y, "erased at %v", p)
	}
	require.Equal(t, uint8(ink), erased.GrayAt(365, 305).Y, "the letter stays")

	rows := [][]string{{"Verb", "Present"}, {"parler", "parle"}, {"finir", "finis"}}
	var words []Word
	for r, row := range rows {
		for c, text := range row {
			words = append(words, cellWord([]int{120, 380}[c], 125+r*80, text, r+1))
		}
	}
	got := Analyze(words, rules)
	require.Len(t, got.Blocks, 1)
	require.Equal(t, rows, got.Blocks[0].Rows)
}

// cellWord is a word of text read at x, y in a table's cell, on the given line of the page.
func cellWord(x, y int, text string, line int) Word {
	return Word{Box: image.Rect(x, y, x+len(text)*12, y+22), Text: text, Conf: 90, Block: 1, Par: 1, Line: line}
}
