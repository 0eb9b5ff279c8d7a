package corpus

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/snapnote/snapnote/internal/raster"
)

// rgb is a colour of 8-bit red, green and blue.
type rgb [3]uint8

// Colours of the colour classes: paper that is a little warm under indoor light, ink that is
// not quite black, and the inks headings are printed in on real worksheets. A yellow heading
// has a luma of 182 and the light grey one 172 against 242 for the paper, so a global
// threshold on luma loses both.
var (
	paperColour   = rgb{248, 243, 230}
	inkColour     = rgb{30, 28, 32}
	headingInks   = []rgb{{236, 190, 24}, {172, 172, 172}, {206, 34, 40}}
	deskColours   = []rgb{{150, 98, 58}, {196, 160, 116}, {92, 108, 138}, {120, 124, 118}}
	darkDeskInks  = []rgb{{70, 52, 40}, {52, 58, 70}}
	photoFrameLow = [2]int{1200, 1600} // the frame of the classes whose page is small in it
)

// planes is a colour image as three gray planes, red, green and blue, so that the gray image
// tools (raster.Warp, boxBlur) transform it one channel at a time.
type planes [3]*image.Gray

// colourPage prints page in colour: paper and ink get paperColour and inkColour and, when
// coloured is set, the heading lines the inks of headingInks in turn.
func colourPage(page Page, coloured bool) planes {
	var p planes
	for c := range p {
		p[c] = image.NewGray(page.Image.Rect)
	}
	// How much ink a gray level holds: 0 on paper, 1 on solid ink.
	var amount [256]float64
	for v := range amount {
		amount[v] = min(1, max(0, float64(paper-v)/float64(paper-ink)))
	}
	paint := func(r image.Rectangle, ink rgb) {
		r = r.Intersect(page.Image.Rect)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				i := y*page.Image.Stride + x
				t := amount[page.Image.Pix[i]]
				for c := range p {
					p[c].Pix[i] = uint8(float64(paperColour[c])*(1-t) + float64(ink[c])*t + 0.5)
				}
			}
		}
	}
	paint(page.Image.Rect, inkColour)
	if coloured {
		for k, r := range page.Headings {
			paint(r.Inset(-2), headingInks[(k+page.Index)%len(headingInks)])
		}
	}
	return p
}

// photograph takes a photo fw×fh of the page p lying on a desk of colour desk, with grain
// (0: an even surface, 1: strong wood grain), its corners at quad in the photo (top-left,
// top-right, bottom-right, bottom-left), and adds sensor noise of sigma gray levels.
func photograph(rng *rand.Rand, p planes, fw, fh int, quad [4][2]float64, desk rgb, grain, sigma float64) *image.NRGBA {
	w, h := float64(p[0].Rect.Dx()), float64(p[0].Rect.Dy())
	from := raster.Projective(quad, [4][2]float64{{0, 0}, {w, 0}, {w, h}, {0, h}}).Apply
	var warped planes
	for c := range p {
		warped[c] = raster.Warp(p[c], fw, fh, 0, from)
	}
	full := image.NewGray(p[0].Rect)
	for i := range full.Pix {
		full.Pix[i] = 255
	}
	mask := raster.Warp(full, fw, fh, 0, from)

	// Wood grain: stripes that wander, brighter and darker by up to grain·18%.
	period := 9 + 10*rng.Float64()
	wander := 60 + 80*rng.Float64()
	light := 0.9 + 0.2*rng.Float64()
	out := image.NewNRGBA(image.Rect(0, 0, fw, fh))
	for y := range fh {
		for x := range fw {
			i := y*fw + x
			fx, fy := float64(x), float64(y)
			stripe := math.Sin(2 * math.Pi * (fy + 7*math.Sin(fx/wander)) / period)
			shade := light * (1 + grain*(0.12*stripe+0.06*math.Sin(fx/23+fy/71)))
			m := float64(mask.Pix[i]) / 255
			o := out.Pix[4*i:][:4]
			for c := range 3 {
				d := float64(desk[c]) * shade
				v := d*(1-m) + float64(warped[c].Pix[i])*m + rng.NormFloat64()*sigma
				o[c] = uint8(min(255, max(0, v+0.5)))
			}
			o[3] = 255
		}
	}
	return out
}

// blurPlanes blurs each plane of p with three box blurs of radii r.
func blurPlanes(p planes, r [3]int) planes {
	var out planes
	for c := range p {
		out[c] = boxBlur(boxBlur(boxBlur(p[c], r[0]), r[1]), r[2])
	}
	return out
}

// paleHeadings photographs page, its headings printed in yellow, light grey and red, from
// straight above: the page fills the frame but for a strip of desk at its edges.
func paleHeadings(rng *rand.Rand, page Page) *image.NRGBA {
	w, h := page.Image.Rect.Dx(), page.Image.Rect.Dy()
	return photograph(rng, colourPage(page, true), w, h, framed(rng, float64(w), float64(h)), deskColours[3], 0.3, 3)
}

// mildBlur photographs page from straight above, slightly out of focus: blurred by about 2.8
// pixels (standard deviation) where the body text's x-height is 13 to 17.
func mildBlur(rng *rand.Rand, page Page) *image.NRGBA {
	w, h := page.Image.Rect.Dx(), page.Image.Rect.Dy()
	p := blurPlanes(colourPage(page, false), [3]int{3, 2, 2})
	return photograph(rng, p, w, h, framed(rng, float64(w), float64(h)), deskColours[3], 0.3, 3)
}

// framed returns the corners of a page that fills a w×h photo but for a margin of 1 to 3% on
// each side, the top a little narrower.
func framed(rng *rand.Rand, w, h float64) [4][2]float64 {
	m := func() float64 { return 0.01 + 0.02*rng.Float64() }
	return [4][2]float64{
		{w * (m() + 0.01), h * m()},
		{w * (1 - m() - 0.01), h * m()},
		{w * (1 - m()), h * (1 - m())},
		{w * m(), h * (1 - m())},
	}
}

// deskSmall photographs page lying on a coloured, grained desk from high above: the page, a
// little turned, is about 45% of the frame's width, so the body text's x-height is 6 to 8
// pixels.
func deskSmall(rng *rand.Rand, page Page) *image.NRGBA {
	fw, fh := photoFrameLow[0], photoFrameLow[1]
	pw := float64(fw) * (0.42 + 0.08*rng.Float64())
	ph := pw * float64(page.Image.Rect.Dy()) / float64(page.Image.Rect.Dx())
	cx := float64(fw) * (0.4 + 0.2*rng.Float64())
	cy := float64(fh) * (0.42 + 0.16*rng.Float64())
	sin, cos := math.Sincos(signed(rng, 2, 8) * math.Pi / 180)
	var quad [4][2]float64
	for k, c := range [4][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		// Each corner a little off the rectangle, as a page photographed not quite from above.
		dx, dy := c[0]*pw/2*(1+0.03*rng.Float64()), c[1]*ph/2*(1+0.03*rng.Float64())
		quad[k] = [2]float64{cx + dx*cos - dy*sin, cy + dx*sin + dy*cos}
	}
	desk := deskColours[(page.Index+rng.IntN(2))%3]
	return photograph(rng, colourPage(page, false), fw, fh, quad, desk, 1, 4)
}

// steepSmall photographs page on a dark desk at a steep angle from afar: the bottom edge is
// about 60% of the frame's width, the top edge 35 to 45% shorter, and the page is foreshortened
// to 55% of its height, so the text at the top has an x-height of about 5 pixels.
func steepSmall(rng *rand.Rand, page Page) *image.NRGBA {
	fw, fh := photoFrameLow[0], photoFrameLow[1]
	bottom := float64(fw) * (0.58 + 0.06*rng.Float64())
	top := bottom * (0.55 + 0.1*rng.Float64())
	ph := bottom * float64(page.Image.Rect.Dy()) / float64(page.Image.Rect.Dx()) * 0.55
	cx := float64(fw) * (0.45 + 0.1*rng.Float64())
	yb := float64(fh) * (0.8 + 0.08*rng.Float64())
	tilt := signed(rng, 0, 0.03) * bottom // the page a little turned on the desk
	quad := [4][2]float64{
		{cx - top/2 + tilt, yb - ph - tilt/3},
		{cx + top/2 + tilt, yb - ph + tilt/3},
		{cx + bottom/2, yb + tilt/3},
		{cx - bottom/2, yb - tilt/3},
	}
	return photograph(rng, colourPage(page, false), fw, fh, quad, darkDeskInks[page.Index%2], 0.6, 4)
}
