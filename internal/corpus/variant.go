package corpus

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/snapnote/snapnote/internal/raster"
)

// Variant classes: what a phone photo did to a page.
const (
	ClassClean       = "clean"       // the page as rendered, PNG
	ClassRotate90    = "rotate90"    // turned 90° clockwise, PNG without orientation tag
	ClassRotate180   = "rotate180"   // upside down
	ClassRotate270   = "rotate270"   // turned 90° counter-clockwise
	ClassSkew        = "skew"        // rotated 1–7° either way
	ClassPerspective = "perspective" // photographed at an angle: a trapezoid on a dark desk
	ClassBlur        = "blur"        // out of focus
	ClassJPEG        = "jpeg"        // strongly compressed JPEG
	ClassShadow      = "shadow"      // uneven lighting and the shadow of a hand
	ClassLowRes      = "lowres"      // taken from afar or sent shrunk: 35% of the resolution, x-height about 5 px
	ClassEXIF        = "exif"        // JPEG with pixels stored sideways or upside down and an EXIF orientation tag
	ClassPhone       = "phone"       // a bit of everything: skew, tilt, shadow, blur, noise, JPEG
	// Pages whose text lines are not straight, and whose edges do not show.
	ClassAngle       = "angle"        // held at an angle, keystone of 8–20%, on light surroundings that hide the page's edges
	ClassAngleDark   = "angle-dark"   // held at an angle, keystone of 8–20%, on a dark desk
	ClassCurl        = "curl"         // a curled page: lines bend in a gentle wave across the width
	ClassSpine       = "spine"        // a page of a bound book: it bends down into the gutter on one side
	ClassCurlShadow  = "curl-shadow"  // a curled page, unevenly lit
	ClassAngleLowRes = "angle-lowres" // held at an angle on light surroundings, at 50% of the resolution
	// Colour photos, JPEG, as phones take them.
	ClassPaleHeadings = "pale-headings" // headings printed in yellow, light grey and red, the page filling the frame
	ClassSteepSmall   = "steep-small"   // at a steep angle from afar: top edge 35–45% shorter, page small in the frame, x-height down to 5 px
	ClassDeskSmall    = "desk-small"    // small in the frame on a coloured, grained desk, a little turned: x-height 6–8 px
	ClassMildBlur     = "mild-blur"     // slightly out of focus: blurred by 2.8 px where the x-height is 13–17
)

// Classes lists every variant class in the order Variants returns them.
var Classes = []string{
	ClassClean, ClassRotate90, ClassRotate180, ClassRotate270, ClassSkew, ClassPerspective,
	ClassBlur, ClassJPEG, ClassShadow, ClassLowRes, ClassEXIF, ClassPhone,
	ClassAngle, ClassAngleDark, ClassCurl, ClassSpine, ClassCurlShadow, ClassAngleLowRes,
	ClassPaleHeadings, ClassSteepSmall, ClassDeskSmall, ClassMildBlur,
}

// Sample is one photo of a page, encoded as a user would upload it.
type Sample struct {
	// Name identifies the sample: "p003-skew".
	Name string
	// Class is one of Classes.
	Class string
	// Page is the index of the page photographed.
	Page int
	// Encoded is the image file.
	Encoded []byte
	// ContentType is the type of Encoded: "image/png" or "image/jpeg".
	ContentType string
	// Truth is the page's true text.
	Truth string
	// Structure lists the headings, list items, table cells and figures of a layout page
	// (LayoutSample); nil for the pages of Classes.
	Structure []Element
}

// Variants returns one sample of page for each of Classes.
func Variants(page Page) []Sample {
	out := make([]Sample, len(Classes))
	for i, class := range Classes {
		s, err := Variant(page, class)
		if err != nil {
			panic(err) // every class in Classes is known
		}
		out[i] = s
	}
	return out
}

// Variant returns the sample of page of one class. It returns an error for a class not in
// Classes.
func Variant(page Page, class string) (Sample, error) {
	if !slices.Contains(Classes, class) {
		return Sample{}, fmt.Errorf("unknown corpus class %q (known: %v)", class, Classes)
	}
	h := fnv.New64a()
	h.Write([]byte(class))
	rng := rand.New(rand.NewPCG(Seed+uint64(page.Index), h.Sum64()))

	img := page.Image
	var (
		encoded []byte
		typ     = "image/png"
	)
	switch class {
	case ClassRotate90:
		img = raster.Turn(img, 90)
	case ClassRotate180:
		img = raster.Turn(img, 180)
	case ClassRotate270:
		img = raster.Turn(img, 270)
	case ClassSkew:
		img = skew(img, signed(rng, 1, 7), paper)
	case ClassPerspective:
		img = perspective(rng, img, 0.09)
	case ClassBlur:
		img = boxBlur(boxBlur(boxBlur(img, 1+rng.IntN(2)), 1), 1)
	case ClassJPEG:
		typ = "image/jpeg"
		encoded = encodeJPEG(img, 15+rng.IntN(11))
	case ClassShadow:
		img = shadow(rng, img, 0.5)
	case ClassLowRes:
		img = scale(boxBlur(img, 1), lowRes)
	case ClassEXIF:
		typ = "image/jpeg"
		orientation := []int{6, 8, 3}[page.Index%3]
		encoded = withOrientation(encodeJPEG(stored(img, orientation), 88), orientation)
	case ClassPhone:
		// The page lies turned on the desk, so its edges turn with the text.
		img = skew(img, signed(rng, 1, 3), desk)
		img = perspective(rng, img, 0.04)
		img = shadow(rng, img, 0.3)
		img = boxBlur(img, 1)
		img = noise(rng, img, 5)
		typ = "image/jpeg"
		encoded = encodeJPEG(img, 70)
	case ClassAngle:
		img = keystone(rng, img, angleAmount(page), light)
	case ClassAngleDark:
		img = keystone(rng, img, angleAmount(page), desk)
	case ClassCurl:
		img = curl(rng, img, curlAmplitude(page))
	case ClassSpine:
		img = spine(rng, img)
	case ClassCurlShadow:
		img = shadow(rng, curl(rng, img, curlAmplitude(page)), 0.35)
	case ClassAngleLowRes:
		img = scale(boxBlur(keystone(rng, img, angleAmount(page), light), 1), 0.5)
	case ClassPaleHeadings:
		typ, encoded = "image/jpeg", encodeJPEG(paleHeadings(rng, page), colourQuality)
	case ClassSteepSmall:
		typ, encoded = "image/jpeg", encodeJPEG(steepSmall(rng, page), colourQuality)
	case ClassDeskSmall:
		typ, encoded = "image/jpeg", encodeJPEG(deskSmall(rng, page), colourQuality)
	case ClassMildBlur:
		typ, encoded = "image/jpeg", encodeJPEG(mildBlur(rng, page), colourQuality)
	}
	if encoded == nil {
		encoded = encodePNG(img)
	}
	return Sample{
		Name:        fmt.Sprintf("p%03d-%s", page.Index, class),
		Class:       class,
		Page:        page.Index,
		Encoded:     encoded,
		ContentType: typ,
		Truth:       page.Truth,
	}, nil
}

// lowRes is the scale of ClassLowRes. At half the resolution Tesseract still read as well as
// from the full page; at 35% its error rate rises clearly, as it does for a photo taken from
// across a room or sent through a messenger that shrinks images.
const lowRes = 0.35

// colourQuality is the JPEG quality of the colour classes, about what phones save.
const colourQuality = 85

// signed returns an angle between lo and hi degrees in either direction.
func signed(rng *rand.Rand, lo, hi float64) float64 {
	a := lo + rng.Float64()*(hi-lo)
	if rng.IntN(2) == 0 {
		return -a
	}
	return a
}

// encodePNG encodes img with default compression; it cannot fail on an in-memory image.
func encodePNG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic("corpus: encode PNG: " + err.Error())
	}
	return buf.Bytes()
}

// encodeJPEG encodes img at quality; it cannot fail on an in-memory image.
func encodeJPEG(img image.Image, quality int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		panic("corpus: encode JPEG: " + err.Error())
	}
	return buf.Bytes()
}

// skew rotates img by deg degrees (positive is counter-clockwise) on a canvas grown to hold
// the whole page, filled with fill: paper for a page that fills the photo, the desk for one
// lying on it.
func skew(img *image.Gray, deg float64, fill uint8) *image.Gray {
	w, h := float64(img.Rect.Dx()), float64(img.Rect.Dy())
	sin, cos := math.Sincos(deg * math.Pi / 180)
	dw := int(math.Ceil(w*math.Abs(cos) + h*math.Abs(sin)))
	dh := int(math.Ceil(w*math.Abs(sin) + h*math.Abs(cos)))
	cx, cy := float64(dw)/2, float64(dh)/2
	return raster.Warp(img, dw, dh, fill, func(x, y float64) (float64, float64) {
		// Image y points down, so a counter-clockwise turn on screen maps back like this.
		dx, dy := x-cx, y-cy
		return w/2 + dx*cos - dy*sin, h/2 + dx*sin + dy*cos
	})
}

// desk is the gray level of what is around the page in a photo.
const desk = 70

// perspective photographs img from an angle: the page becomes a trapezoid whose corners move
// inward by up to amount of the page size, on a desk.
func perspective(rng *rand.Rand, img *image.Gray, amount float64) *image.Gray {
	w, h := float64(img.Rect.Dx()), float64(img.Rect.Dy())
	j := func(lo float64) float64 { return (lo + rng.Float64()*(1-lo)) * amount }
	// Corners of the page in the photo: the top edge farther from the camera, so shorter.
	dst := [4][2]float64{
		{w * (0.02 + j(0.5)), h * (0.02 + j(0))},
		{w * (0.98 - j(0.5)), h * (0.02 + j(0))},
		{w * (0.98 - j(0)/3), h * (0.98 - j(0)/3)},
		{w * (0.02 + j(0)/3), h * (0.98 - j(0)/3)},
	}
	src := [4][2]float64{{0, 0}, {w, 0}, {w, h}, {0, h}}
	return raster.Warp(img, int(w), int(h), desk, raster.Projective(dst, src).Apply)
}

// boxBlur averages each pixel of img with its neighbours up to r pixels away, horizontally
// then vertically. Three passes approximate a Gaussian blur.
func boxBlur(img *image.Gray, r int) *image.Gray {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	tmp := image.NewGray(image.Rect(0, 0, w, h))
	dst := image.NewGray(image.Rect(0, 0, w, h))
	blur1D(img.Pix, tmp.Pix, w, h, 1, img.Stride, r)
	blur1D(tmp.Pix, dst.Pix, h, w, tmp.Stride, 1, r)
	return dst
}

// blur1D box-blurs n pixels spaced step apart in each of lines lines spaced next apart,
// clamping at the ends.
func blur1D(src, dst []uint8, n, lines, step, next, r int) {
	win := 2*r + 1
	for l := range lines {
		base := l * next
		at := func(i int) int { return int(src[base+min(max(i, 0), n-1)*step]) }
		sum := 0
		for i := -r; i <= r; i++ {
			sum += at(i)
		}
		for i := range n {
			dst[base+i*step] = uint8((sum + win/2) / win)
			sum += at(i+r+1) - at(i-r)
		}
	}
}

// shadow lights img unevenly: brightness falls off across the page in a random direction by up
// to depth, and a soft-edged shadow darkens one corner region by depth more.
func shadow(rng *rand.Rand, img *image.Gray, depth float64) *image.Gray {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	angle := rng.Float64() * 2 * math.Pi
	dx, dy := math.Cos(angle), math.Sin(angle)
	// The shadow is a disc, partly off the page, with a soft edge as wide as a tenth of it.
	cx := float64(w) * (rng.Float64()*1.2 - 0.1)
	cy := float64(h) * []float64{-0.05, 1.05}[rng.IntN(2)]
	radius := float64(w) * (0.35 + rng.Float64()*0.2)
	soft := radius * 0.25
	diag := math.Hypot(float64(w), float64(h))
	dst := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			t := ((float64(x)-float64(w)/2)*dx + (float64(y)-float64(h)/2)*dy) / diag // -0.5..0.5
			light := 1 - depth*(t+0.5)
			d := math.Hypot(float64(x)-cx, float64(y)-cy)
			if d < radius+soft {
				light *= 1 - depth*min(1, (radius+soft-d)/(2*soft))
			}
			dst.Pix[y*dst.Stride+x] = uint8(float64(img.Pix[y*img.Stride+x])*light + 0.5)
		}
	}
	return dst
}

// scale resizes img by factor with bilinear sampling; blur it first when shrinking.
func scale(img *image.Gray, factor float64) *image.Gray {
	w := int(math.Round(float64(img.Rect.Dx()) * factor))
	h := int(math.Round(float64(img.Rect.Dy()) * factor))
	return raster.Warp(img, w, h, paper, func(x, y float64) (float64, float64) { return x / factor, y / factor })
}

// noise adds Gaussian sensor noise of standard deviation sigma gray levels.
func noise(rng *rand.Rand, img *image.Gray, sigma float64) *image.Gray {
	dst := image.NewGray(img.Rect)
	for i, p := range img.Pix {
		dst.Pix[i] = uint8(min(255, max(0, float64(p)+rng.NormFloat64()*sigma+0.5)))
	}
	return dst
}

// light is the gray level of light surroundings: a white desk or a sheet under the page, as
// bright as the paper within a few levels, so no edge of the page shows.
const light = 238

// angleAmount is how much shorter the top edge of page is than its bottom edge when held at
// an angle: pages take turns at 8%, 14% and 20%.
func angleAmount(page Page) float64 { return []float64{0.08, 0.14, 0.2}[page.Index%3] }

// keystone photographs img held at an angle, tilted away at the top: the top edge is amount
// shorter than the bottom one (each top corner moves in by half of it, give or take a fifth),
// the page is foreshortened vertically, and a little turned; the photo shows surroundings of
// gray level fill around it.
func keystone(rng *rand.Rand, img *image.Gray, amount float64, fill uint8) *image.Gray {
	w, h := float64(img.Rect.Dx()), float64(img.Rect.Dy())
	in := func() float64 { return w * amount / 2 * (0.8 + 0.4*rng.Float64()) }
	turn := h * 0.015 * (rng.Float64()*2 - 1) // the top edge rises on one side
	top := h * (0.03 + amount/3)
	dst := [4][2]float64{
		{w*0.03 + in(), top + turn},
		{w*0.97 - in(), top - turn},
		{w * 0.97, h * 0.97},
		{w * 0.03, h * 0.97},
	}
	src := [4][2]float64{{0, 0}, {w, 0}, {w, h}, {0, h}}
	return raster.Warp(img, int(w), int(h), fill, raster.Projective(dst, src).Apply)
}

// curlAmplitude is how far the lines of a curled page bend up and down, in pixels: pages take
// turns at 8, 14 and 20 (about a quarter, a half and two thirds of a line's height).
func curlAmplitude(page Page) float64 { return []float64{8, 14, 20}[page.Index%3] }

// curl bends img as a curled page: every point moves vertically along a wave across the width,
// of a wavelength between 0.8 and 2 page widths and an amplitude that grows from top to bottom
// between 70% and 100% of amplitude pixels, on light surroundings.
func curl(rng *rand.Rand, img *image.Gray, amplitude float64) *image.Gray {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	wavelength := float64(w) * (0.8 + 1.2*rng.Float64())
	phase := rng.Float64() * 2 * math.Pi
	return raster.Warp(img, w, h, light, func(x, y float64) (float64, float64) {
		a := amplitude * (0.7 + 0.3*y/float64(h))
		return x, y - a*math.Sin(2*math.Pi*x/wavelength+phase)
	})
}

// spine photographs img as the page of an open book: over the quarter of the width next to
// the gutter (left or right), the page bends down and away, so lines drop by up to 4–6% of
// the page height, grow closer together horizontally and darken into the fold.
func spine(rng *rand.Rand, img *image.Gray) *image.Gray {
	w, h := float64(img.Rect.Dx()), float64(img.Rect.Dy())
	gutter := w * (0.25 + 0.1*rng.Float64())
	drop := h * (0.04 + 0.02*rng.Float64())
	left := rng.IntN(2) == 0
	// t runs from 0 where the bend starts to 1 at the gutter; the page's surface there is seen
	// from the side, so columns crowd together towards the gutter, up to 1.45 page columns a
	// pixel, while the bend's start joins the flat page smoothly: the margin by the gutter
	// slips out of sight.
	dst := raster.Warp(img, int(w), int(h), light, func(x, y float64) (float64, float64) {
		d := x // distance from the gutter
		if !left {
			d = w - x
		}
		if d >= gutter {
			return x, y
		}
		t := 1 - d/gutter
		sd := d - 0.15*gutter*t*t*t
		sx := sd
		if !left {
			sx = w - sd
		}
		return sx, y - drop*t*t*(0.6+0.8*y/h)
	})
	// The fold is in shadow.
	for y := range dst.Rect.Dy() {
		row := dst.Pix[y*dst.Stride:][:dst.Rect.Dx()]
		for x := range row {
			d := float64(x)
			if !left {
				d = w - d
			}
			if d < gutter {
				t := 1 - d/gutter
				row[x] = uint8(float64(row[x])*(1-0.35*t*t*t) + 0.5)
			}
		}
	}
	return dst
}
