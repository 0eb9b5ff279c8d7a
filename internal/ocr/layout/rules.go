package layout

import (
	"image"
	"slices"
)

// Rule is a ruled line on the page: a thin, long run of ink, horizontal or vertical.
type Rule struct {
	// Box is the line's extent; a horizontal rule is much wider than tall.
	Box image.Rectangle
}

// Horizontal reports whether r runs across the page.
func (r Rule) Horizontal() bool { return r.Box.Dx() > r.Box.Dy() }

// inkLevel is the gray level under which a pixel of a preprocessed page (paper near white) is
// ink.
const inkLevel = 128

// FindRules returns the ruled lines of page, a preprocessed page (paper near white, ink dark,
// straightened): runs of ink at least a twentieth of the page's width (horizontal) or a
// thirtieth of its height (vertical) long, longer than any letter, and at most a hundred and
// fiftieth of the page's width thick, thinner than a filled shape. A line may drift by a pixel
// every few pixels, as a slightly tilted rule does.
func FindRules(page *image.Gray) []Rule {
	b := page.Rect
	if b.Dx() < 20 || b.Dy() < 20 {
		return nil
	}
	thick := max(3, b.Dx()/150)
	rules := runs(page, true, max(40, b.Dx()/20), thick)
	return append(rules, runs(page, false, max(40, b.Dy()/30), thick)...)
}

// runs finds the rules in one direction: along each row (horizontal) or column, runs of ink at
// least minLen long, where a pixel counts as ink when it or a neighbour across the run is
// dark; then runs of neighbouring rows that overlap merge into one rule, kept when at most
// thick across.
func runs(page *image.Gray, horizontal bool, minLen, thick int) []Rule {
	b := page.Rect
	along, across := b.Dx(), b.Dy()
	if !horizontal {
		along, across = across, along
	}
	dark := func(a, c int) bool {
		x, y := b.Min.X+a, b.Min.Y+c
		if !horizontal {
			x, y = b.Min.X+c, b.Min.Y+a
		}
		return page.Pix[page.PixOffset(x, y)] < inkLevel
	}
	type span struct{ c, a0, a1 int }
	var spans []span
	for c := range across {
		start := -1
		for a := 0; a <= along; a++ {
			ink := a < along && (dark(a, c) || c > 0 && dark(a, c-1) && c+1 < across && dark(a, c+1))
			if ink && start < 0 {
				start = a
			}
			if !ink && start >= 0 {
				if a-start >= minLen {
					spans = append(spans, span{c, start, a})
				}
				start = -1
			}
		}
	}
	// Merge spans of neighbouring rows (or columns) that overlap along the run.
	var out []Rule
	used := make([]bool, len(spans))
	for i := range spans {
		if used[i] {
			continue
		}
		used[i] = true
		a0, a1, c0, c1 := spans[i].a0, spans[i].a1, spans[i].c, spans[i].c+1
		for j := i + 1; j < len(spans) && spans[j].c <= c1; j++ {
			if !used[j] && spans[j].c == c1 && spans[j].a0 < a1 && spans[j].a1 > a0 {
				used[j] = true
				a0, a1, c1 = min(a0, spans[j].a0), max(a1, spans[j].a1), c1+1
			}
		}
		if c1-c0 > thick {
			continue
		}
		r := image.Rect(b.Min.X+a0, b.Min.Y+c0, b.Min.X+a1, b.Min.Y+c1)
		if !horizontal {
			r = image.Rect(b.Min.X+c0, b.Min.Y+a0, b.Min.X+c1, b.Min.Y+a1)
		}
		out = append(out, Rule{Box: r})
	}
	return out
}

// EraseRules returns a copy of page with the ink of rules, and a pixel around it, turned to
// white, so that an OCR engine reads the text between them rather than taking a ruled table
// for a picture. Without rules it returns page itself.
func EraseRules(page *image.Gray, rules []Rule) *image.Gray {
	if len(rules) == 0 {
		return page
	}
	out := &image.Gray{Pix: slices.Clone(page.Pix), Stride: page.Stride, Rect: page.Rect}
	for _, r := range rules {
		box := r.Box.Inset(-1).Intersect(page.Rect)
		for y := box.Min.Y; y < box.Max.Y; y++ {
			row := out.Pix[out.PixOffset(box.Min.X, y):out.PixOffset(box.Max.X, y)]
			for i := range row {
				row[i] = 255
			}
		}
	}
	return out
}
