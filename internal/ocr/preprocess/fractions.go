package preprocess

import (
	"image"
	"math"
	"slices"
)

// fraction is a fraction set in a stack on the page: the bar, and the boxes around the ink of
// the numerator above it and the denominator below it.
type fraction struct{ bar, num, den glyph }

// span returns the columns the fraction takes on the page, ends excluded.
func (f *fraction) span() (x0, x1 int) {
	return min(f.bar.x0, f.num.x0, f.den.x0), max(f.bar.x1, f.num.x1, f.den.x1)
}

// unstackFractions rewrites each fraction set in a stack on img (a numerator over a short
// bar over a denominator, as maths worksheets print them), which Tesseract reads as a few
// dashes or leaves out as a picture, as the numerator, a slash and the denominator side by
// side on the baseline of its line: "2/3", the way one types a fraction. The rest of each such
// line moves right into the blank space after it; a line without that much blank space, or
// set so close to another line of fractions that their rows overlap, is left as printed. It
// returns img itself and 0 when it rewrites no fraction, else a new page of the same size and
// how many fractions it rewrote. height is the median character height of the page (see
// medianHeight).
func unstackFractions(img *image.Gray, height int) (*image.Gray, int) {
	if height < minGlyph {
		return img, 0
	}
	hist := histogram(img)
	ink, paper := otsu(hist), levelAt(hist, 0.5)
	boxes := inkBoxes(img, ink)
	fracs := findFractions(boxes, height)
	if len(fracs) == 0 {
		return img, 0
	}
	for i := range fracs {
		fracs[i].widen(img, ink/2+paper/2)
	}
	var out *image.Gray
	n := 0
	lines := fractionLines(fracs, boxes, img.Rect.Dy())
	for _, line := range lines {
		if slices.ContainsFunc(lines, func(other *fractionLine) bool {
			return other != line && other.y0 < line.y1 && line.y0 < other.y1
		}) {
			continue
		}
		end, ok := line.room(img, ink)
		if !ok {
			continue
		}
		if out == nil {
			out = clone(img)
		}
		line.rewrite(out, img, ink, end)
		n += len(line.fracs)
	}
	if n == 0 {
		return img, 0
	}
	return out, n
}

// findFractions returns the stacked fractions among boxes, the ink of a page whose median
// character height is height. A bar is a thin horizontal stroke from three quarters of a
// character to five characters long. It is a fraction's when digits (0.4 to 1.5 characters
// tall) stand within three quarters of a character above it and below it, each group centred
// on it, narrower than it by an eighth of a character at least and within its ends (give or
// take a quarter of a character), and no shape of a digit's height there runs past its ends.
// A photo's small digits are faint and break where their thin strokes cross: the pieces of
// one digit, each too small to be one, are joined (see stack). The line under an underlined
// word, set close, runs on beyond the rule; in a word set sideways (a chart's axis title) an
// "l" is a bar no wider than the letters lying above and below it; a table's rules are
// longer; a dash has nothing above or below it.
func findFractions(boxes []glyph, height int) []fraction {
	slack := height / 4
	var fracs []fraction
	var pieces []glyph
	for _, bar := range boxes {
		bw, bh := bar.x1-bar.x0, bar.y1-bar.y0
		if 4*bw < 3*height || bw > 5*height || 3*bh > bw || 5*bh > max(2*height, 10) {
			continue
		}
		pieces = pieces[:0]
		overrun := false
		for _, b := range boxes {
			if b == bar || b.x1 <= bar.x0-height || b.x0 >= bar.x1+height {
				continue
			}
			dw, dh := b.x1-b.x0, b.y1-b.y0
			if 2*dh > 3*height || 5*max(dw, dh) < height {
				continue
			}
			if b.x0 >= bar.x0-slack && b.x1 <= bar.x1+slack {
				pieces = append(pieces, b)
				continue
			}
			// A digit beside the bar, not over it: the bar is no fraction's.
			if 5*dh >= 2*height && (b.y1 <= bar.y0+1 && b.y1 >= bar.y0-3*height/4 ||
				b.y0 >= bar.y1-1 && b.y0 <= bar.y1+3*height/4) {
				overrun = true
			}
		}
		if overrun {
			continue
		}
		num, above := stack(pieces, bar, height, true)
		den, below := stack(pieces, bar, height, false)
		if !above || !below || !centred(num, bar) || !centred(den, bar) ||
			max(num.x1-num.x0, den.x1-den.x0)+height/8 > bw {
			continue
		}
		fracs = append(fracs, fraction{bar: bar, num: num, den: den})
	}
	return fracs
}

// stack returns the box around the digits standing on bar (under it when !up) among pieces,
// the ink over the bar's columns of a page whose median character height is height, and
// whether they are a digit's height, 0.4 to 1.5 characters. They start with the pieces ending
// within three quarters of a character of the bar and take in, one after another, the pieces
// over the same columns within half a character beyond them: the rest of a digit broken where
// its stroke is faint, never the line above or below, set further off.
func stack(pieces []glyph, bar glyph, height int, up bool) (glyph, bool) {
	near, gap := 3*height/4, height/2
	var box glyph
	found := false
	for _, b := range pieces {
		if up && b.y1 <= bar.y0+1 && b.y1 >= bar.y0-near || !up && b.y0 >= bar.y1-1 && b.y0 <= bar.y1+near {
			box, found = union(box, b, found), true
		}
	}
	for grown := found; grown; {
		grown = false
		for _, b := range pieces {
			if b.x1 <= box.x0 || b.x0 >= box.x1 || b.x0 >= box.x0 && b.x1 <= box.x1 && b.y0 >= box.y0 && b.y1 <= box.y1 {
				continue
			}
			if up && b.y1 <= box.y1 && b.y1 >= box.y0-gap || !up && b.y0 >= box.y0 && b.y0 <= box.y1+gap {
				box, grown = union(box, b, true), true
			}
		}
	}
	dh := box.y1 - box.y0
	return box, found && 5*dh >= 2*height && 2*dh <= 3*height
}

// clone returns a copy of img with its origin at (0, 0).
func clone(img *image.Gray) *image.Gray {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		copy(out.Pix[y*out.Stride:][:w], img.Pix[y*img.Stride:][:w])
	}
	return out
}

// widen grows f's numerator and denominator to all of their digits: a photo's small digits
// are faint, and only parts of them are dark enough to be found as ink. With h the height of
// the taller of the two, the numerator takes every row from just above the bar (its blurred
// top edge left out) up to its own top, or h and a fifth more above the bar when that is
// higher, and a fifth of h more either side; the denominator likewise below the bar. Each is
// then trimmed to its pixels at or below faint.
func (f *fraction) widen(src *image.Gray, faint uint8) {
	h := max(f.num.y1-f.num.y0, f.den.y1-f.den.y0)
	m := max(1, h/5)
	// The bar's blurred edges are left out.
	edge := max(1, (f.bar.y1-f.bar.y0)/2)
	num := glyph{f.num.x0 - m, min(f.num.y0, f.bar.y0-h-m), f.num.x1 + m, f.bar.y0 - edge}
	den := glyph{f.den.x0 - m, f.bar.y1 + edge, f.den.x1 + m, max(f.den.y1, f.bar.y1+h+m)}
	f.num, f.den = trim(src, num, faint, f.num), trim(src, den, faint, f.den)
}

// trim returns the box around the pixels of src inside box at or below faint, or found when
// there are none. box is first clipped to src.
func trim(src *image.Gray, box glyph, faint uint8, found glyph) glyph {
	box = glyph{max(0, box.x0), max(0, box.y0), min(src.Rect.Dx(), box.x1), min(src.Rect.Dy(), box.y1)}
	out, seen := found, false
	for y := box.y0; y < box.y1; y++ {
		for x, p := range src.Pix[y*src.Stride+box.x0:][:max(0, box.x1-box.x0)] {
			if p <= faint {
				out, seen = union(out, glyph{box.x0 + x, y, box.x0 + x + 1, y + 1}, seen), true
			}
		}
	}
	return out
}

// centred reports whether box's middle lies on the middle half of bar.
func centred(box, bar glyph) bool {
	d := box.x0 + box.x1 - bar.x0 - bar.x1 // twice the distance between the middles
	return 2*max(d, -d) <= bar.x1-bar.x0
}

// union returns the box around a and b, or b alone when a is not yet set.
func union(a, b glyph, set bool) glyph {
	if !set {
		return b
	}
	return glyph{min(a.x0, b.x0), min(a.y0, b.y0), max(a.x1, b.x1), max(a.y1, b.y1)}
}

// fractionLine is a band of rows of the page holding one or more fractions side by side, with
// the row its text stands on and the height the digits of its fractions are set to: the
// numerator and denominator are printed smaller than the line's own digits, and Tesseract
// would take them for superscripts.
type fractionLine struct {
	y0, y1   int
	fracs    []fraction
	baseline int
	digit    int
}

// fractionLines groups fracs into the bands of rows they take, fractions whose rows overlap
// in one band, left to right, and finds each band's baseline among boxes, the ink of a page
// of the given number of rows. A fraction whose columns overlap one already in its band
// (another line's, in tightly set lines) is dropped: one band moves its rows as a whole.
func fractionLines(fracs []fraction, boxes []glyph, rows int) []*fractionLine {
	slices.SortFunc(fracs, func(a, b fraction) int { return a.num.y0 - b.num.y0 })
	var lines []*fractionLine
	for _, f := range fracs {
		y0, y1 := f.num.y0, f.den.y1
		if n := len(lines); n > 0 && y0 < lines[n-1].y1 {
			line := lines[n-1]
			x0, x1 := f.span()
			if slices.ContainsFunc(line.fracs, func(g fraction) bool {
				gx0, gx1 := g.span()
				return x0 < gx1 && gx0 < x1
			}) {
				continue
			}
			line.y1 = max(line.y1, y1)
			line.fracs = append(line.fracs, f)
			continue
		}
		lines = append(lines, &fractionLine{y0: y0, y1: y1, fracs: []fraction{f}})
	}
	for _, line := range lines {
		slices.SortFunc(line.fracs, func(a, b fraction) int { return a.bar.x0 - b.bar.x0 })
		line.baseline, line.digit = line.findBaseline(boxes)
		// The band takes in the faint edges of the digits, which would otherwise stay behind
		// as specks, and whole any character its edges cut through, which would tear
		// where the rows after a fraction move.
		m := max(1, line.digit/5)
		line.y0, line.y1 = max(0, line.y0-m), min(rows, line.y1+m)
		for _, b := range boxes {
			if b.y1-b.y0 <= 2*line.digit && (b.y0 < line.y0 && b.y1 > line.y0 || b.y0 < line.y1 && b.y1 > line.y1) {
				line.y0, line.y1 = min(line.y0, b.y0), max(line.y1, b.y1)
			}
		}
	}
	return lines
}

// scale returns how much f's digits are enlarged to the line's digit height, never shrunk.
func (line *fractionLine) scale(f fraction) float64 {
	return max(1, float64(line.digit)/float64(max(f.num.y1-f.num.y0, f.den.y1-f.den.y0)))
}

// gap is the space each side of a rewritten fraction's slash.
func (line *fractionLine) gap() int { return max(1, line.digit/6) }

// slash is how far a rewritten fraction's slash leans.
func (line *fractionLine) slash() int { return max(2, line.digit*2/5) }

// space is the room left each side of a rewritten fraction: its enlarged digits would
// otherwise come close enough to a "+" beside it for Tesseract to read "2/3+1/3" as one word.
func (line *fractionLine) space() int { return line.digit / 3 }

// width returns how wide f is once rewritten: space, numerator, gap, slash, gap,
// denominator, space; or as wide as it was, when that is wider.
func (line *fractionLine) width(f fraction) int {
	s := line.scale(f)
	x0, x1 := f.span()
	return max(x1-x0, int(float64(f.num.x1-f.num.x0)*s+0.5)+int(float64(f.den.x1-f.den.x0)*s+0.5)+
		line.slash()+2*line.gap()+2*line.space())
}

// room returns where the rest of line ends once moved: the first column after its last
// fraction from which a run of blank columns of its rows (no pixel at or below ink) is wide
// enough for the text before it to move right by what the fractions grow, keeping a
// character's width of space; false when there is none.
func (line *fractionLine) room(src *image.Gray, ink uint8) (int, bool) {
	grow := 0
	for _, f := range line.fracs {
		x0, x1 := f.span()
		grow += line.width(f) - (x1 - x0)
	}
	_, from := line.fracs[len(line.fracs)-1].span()
	if grow == 0 {
		return from, true
	}
	need := grow + line.digit
	run := 0
	for x := from; x < src.Rect.Dx(); x++ {
		run++
		for y := line.y0; y < line.y1; y++ {
			if src.Pix[y*src.Stride+x] <= ink {
				run = 0
				break
			}
		}
		if run == need {
			return x + 1 - need, true
		}
	}
	return 0, false
}

// rewrite paints line's rows of out from src, a page of the same size, from its first
// fraction on: each fraction unstacked with its digits enlarged to the height of the line's
// other digits and standing on its baseline, and the columns between and after them, up to
// end (see room), moved right to make room, into the blank columns that start at end. ink is
// the threshold at or below which a pixel is ink.
func (line *fractionLine) rewrite(out, src *image.Gray, ink uint8, end int) {
	copyCols := func(sx0, sx1, dx int) {
		for y := line.y0; y < line.y1; y++ {
			copy(out.Pix[y*out.Stride+dx:][:sx1-sx0], src.Pix[y*src.Stride+sx0:][:sx1-sx0])
		}
	}
	from, _ := line.fracs[0].span()
	at := from
	// The blurred end of a bar, as long as the bar is thick, would stay behind beside the
	// rewritten fraction as a speck, read as a quote or a dot. The right one is painted over
	// once the columns after the fraction are in place.
	var after image.Rectangle
	var afterPaper uint8
	for _, f := range line.fracs {
		x0, x1 := f.span()
		copyCols(from, x0, at)
		fillRect(out, after, afterPaper)
		at += x0 - from
		width := line.width(f)
		paper := line.paper(src, x0, x1, ink)
		fillRect(out, image.Rect(at, line.y0, at+width, line.y1), paper)
		blur := f.bar.y1 - f.bar.y0
		fillRect(out, image.Rect(at-blur, f.bar.y0-blur, at, f.bar.y1+blur), paper)
		after, afterPaper = image.Rect(at+width, f.bar.y0-blur, at+width+blur, f.bar.y1+blur), paper
		s := line.scale(f)
		// Pixels nearer the paper than the ink by three to one are paper.
		below := paper - (paper-ink)/4
		x := at + line.space()
		x += paste(out, src, f.num, x, line.baseline, s, below) + line.gap()
		drawSlash(out, x, line.baseline, line.slash(), line.digit, max(2, f.bar.y1-f.bar.y0), darkest(src, f.bar))
		x += line.slash() + line.gap()
		paste(out, src, f.den, x, line.baseline, s, below)
		at += width
		from = x1
	}
	copyCols(from, end, at)
	fillRect(out, after, afterPaper)
}

// fillRect paints the part of r inside img with level v.
func fillRect(img *image.Gray, r image.Rectangle, v uint8) {
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[img.PixOffset(r.Min.X, y):][:r.Dx()]
		for x := range row {
			row[x] = v
		}
	}
}

// paper returns the paper's level around a fraction in columns x0 to x1 of src, from the
// pixels of the line's rows there lighter than ink, the threshold of ink: not their median,
// which the gray edges of the strokes pull darker than the paper looks.
func (line *fractionLine) paper(src *image.Gray, x0, x1 int, ink uint8) uint8 {
	hist := histogram(src.SubImage(image.Rect(x0, line.y0, x1, line.y1).Add(src.Rect.Min)).(*image.Gray))
	clear(hist[:int(ink)+1])
	return levelAt(hist, 0.75)
}

// findBaseline returns the row the line's text stands on and the height its digits are set
// to: the median bottom and height of its other characters that are taller than wide and at
// least as tall as the fractions' digits, crossing the bars' rows (the "1." before a fraction
// of a numbered exercise; not a "+"), or else the bars' middle plus half the fractions'
// tallest digit, and that digit's height.
func (line *fractionLine) findBaseline(boxes []glyph) (y, digit int) {
	small, mid := 0, 0
	for _, f := range line.fracs {
		small = max(small, f.num.y1-f.num.y0, f.den.y1-f.den.y0)
		mid += (f.bar.y0 + f.bar.y1) / 2
	}
	mid /= len(line.fracs)
	var bottoms, heights []int
	for _, b := range boxes {
		h := b.y1 - b.y0
		if b.y0 >= mid || b.y1 <= mid || h < small || h > 3*small || 5*h < 6*(b.x1-b.x0) || line.holds(b) {
			continue
		}
		bottoms, heights = append(bottoms, b.y1), append(heights, h)
	}
	if len(bottoms) == 0 {
		return mid + small/2, small
	}
	slices.Sort(bottoms)
	slices.Sort(heights)
	return bottoms[len(bottoms)/2], heights[len(heights)/2]
}

// holds reports whether b lies within the columns of one of line's fractions.
func (line *fractionLine) holds(b glyph) bool {
	return slices.ContainsFunc(line.fracs, func(f fraction) bool {
		x0, x1 := f.span()
		return b.x0 >= x0 && b.x1 <= x1
	})
}

// paste draws the part of src inside box onto out, scaled by s, with its left edge at column x
// and its bottom on row baseline: the pixels darker than below, each where it is darker than
// what out has, so that neither the paper around the digits nor their own shows as a patch.
// It returns the width drawn.
func paste(out, src *image.Gray, box glyph, x, baseline int, s float64, below uint8) int {
	crop := src.SubImage(image.Rect(box.x0, box.y0, box.x1, box.y1).Add(src.Rect.Min)).(*image.Gray)
	w, h := int(float64(crop.Rect.Dx())*s+0.5), int(float64(crop.Rect.Dy())*s+0.5)
	if w > crop.Rect.Dx() || h > crop.Rect.Dy() {
		crop = enlarge(crop, max(w, crop.Rect.Dx()), max(h, crop.Rect.Dy()))
	}
	w, h = min(crop.Rect.Dx(), out.Rect.Dx()-x), crop.Rect.Dy()
	for cy := range h {
		y := baseline - h + cy
		if y < 0 || y >= out.Rect.Dy() {
			continue
		}
		dst := out.Pix[y*out.Stride+x:][:w]
		for cx, p := range crop.Pix[cy*crop.Stride:][:w] {
			if p < below {
				dst[cx] = min(dst[cx], p)
			}
		}
	}
	return w
}

// darkest returns the darkest pixel of src inside box: the ink of a stroke.
func darkest(src *image.Gray, box glyph) uint8 {
	v := uint8(255)
	for y := box.y0; y < box.y1; y++ {
		v = min(v, slices.Min(src.Pix[y*src.Stride+box.x0:][:box.x1-box.x0]))
	}
	return v
}

// drawSlash draws a stroke of the given thickness and ink on out, from column x on row
// baseline up to lean columns right and height rows up, with its edges smoothed over a pixel.
func drawSlash(out *image.Gray, x, baseline, lean, height, thickness int, ink uint8) {
	ax, ay := float64(x), float64(baseline)
	dx, dy := float64(lean), -float64(height)
	length2 := dx*dx + dy*dy
	half := float64(thickness) / 2
	for y := max(0, baseline-height-thickness); y < min(out.Rect.Dy(), baseline+thickness); y++ {
		for px := max(0, x-thickness); px < min(out.Rect.Dx(), x+lean+thickness); px++ {
			// Distance from the pixel's centre to the segment.
			cx, cy := float64(px)+0.5-ax, float64(y)+0.5-ay
			t := max(0, min(1, (cx*dx+cy*dy)/length2))
			d := math.Hypot(cx-t*dx, cy-t*dy)
			cover := max(0, min(1, half+0.5-d))
			if cover == 0 {
				continue
			}
			p := &out.Pix[y*out.Stride+px]
			*p = min(*p, uint8(float64(*p)-cover*float64(int(*p)-int(ink))+0.5))
		}
	}
}
