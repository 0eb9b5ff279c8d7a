package preprocess

import (
	"context"
	"fmt"
	"image"
	"slices"
	"strconv"

	"github.com/snapnote/snapnote/internal/raster"
)

// Preprocessing steps, by the names Pipeline.Skip takes.
const (
	// StepPerspective finds a page photographed at an angle on a darker surface and maps it
	// onto a rectangle.
	StepPerspective = "perspective"
	// StepNormalize flattens uneven lighting and stretches contrast (see normalize).
	StepNormalize = "normalize"
	// StepSharpen sharpens a page photographed slightly out of focus (see blurred).
	StepSharpen = "sharpen"
	// StepScale rescales the page so its characters are the size Tesseract reads best.
	StepScale = "scale"
	// StepOrient turns a sideways or upside-down page upright with Tesseract's orientation
	// detection.
	StepOrient = "orient"
	// StepDeskew straightens a page turned by up to 10 degrees.
	StepDeskew = "deskew"
	// StepDewarp straightens lines of text that bend or converge (a curled page, one held at
	// an angle) by moving each column up or down along the fitted baselines.
	StepDewarp = "dewarp"
	// StepFractions rewrites fractions set in a stack (numerator over denominator) as
	// numerator, slash, denominator on the line.
	StepFractions = "fractions"
)

// Steps lists the preprocessing steps in the order they run.
var Steps = []string{StepPerspective, StepNormalize, StepSharpen, StepScale, StepOrient, StepDeskew, StepDewarp, StepFractions}

// Character sizes for StepScale, as the median height in pixels of the character shapes on a
// page (see glyphs), which lies between the x-height and the cap height. Pages whose characters
// are smaller than minGlyph are enlarged to targetGlyph, as enlarging larger ones made no
// difference on the corpus but cost time (Tesseract's time grows with the pixel count). For
// the same reason pages whose characters are larger than maxGlyph, as a full-size phone photo
// of a page has, are shrunk to shrunkGlyph: larger characters read no better.
const (
	minGlyph    = 10
	targetGlyph = 20
	maxEnlarge  = 4.0
	maxGlyph    = 40
	shrunkGlyph = 30
)

// osdGlyph is the median character height, in pixels, of the copy of a page that
// orientation detection reads. With characters of 8 or 9 pixels Tesseract named a wrong
// orientation with confidence 3; with 12 or more it was right with confidence 10 to 16 on every
// corpus page. Larger characters only make the extra Tesseract run slower.
const osdGlyph = 12

// MinOSDConfidence is the orientation confidence, as Tesseract reports it, below which a
// detected turn is not trusted: well below what right answers scored, above wrong ones.
const MinOSDConfidence = 5

// minOSDGlyphs is how many character-like shapes a page needs before orientation detection
// is worth a run: Tesseract refuses pages with too few characters anyway.
const minOSDGlyphs = 60

// Pipeline is the preprocessing of a page before Tesseract reads it: the steps of Steps not in
// Skip, in order. Orientation detection needs Tesseract, so its engine injects it.
type Pipeline struct {
	// Skip names steps not to run, of Steps.
	Skip []string
	// Orient returns the clockwise turn, 0, 90, 180 or 270 degrees, that makes img upright,
	// with Tesseract's confidence; 0, 0 and no error when it cannot judge the page. An error
	// means it could not run. Nil skips StepOrient.
	Orient func(ctx context.Context, img *image.Gray) (turn int, confidence float64, err error)
}

// Run runs the steps of t not in t.Skip on img, enlarging small text up to maxSide pixels (no
// limit when maxSide <= 0), and returns the image to read and the steps applied. It returns
// an error only when orientation detection could not run.
func (t *Pipeline) Run(ctx context.Context, img *image.Gray, maxSide int) (*image.Gray, []string, error) {
	var steps []string
	// A full-size photo is shrunk to the character size Tesseract needs first, so that the
	// steps after it, and the engine, work on a third of the pixels.
	if t.runs(StepScale) {
		if height := medianHeight(glyphs(img, otsu(histogram(img))/2)); height > maxGlyph {
			f := float64(shrunkGlyph) / float64(height)
			img = shrink(img, max(1, int(float64(img.Rect.Dx())*f+0.5)), max(1, int(float64(img.Rect.Dy())*f+0.5)))
			steps = append(steps, "scale:"+strconv.FormatFloat(f, 'f', 2, 64))
		}
	}
	warped := false
	if t.runs(StepPerspective) {
		if quad, ok := pageQuad(img); ok {
			img, warped = unwarp(img, quad), true
			steps = append(steps, StepPerspective)
		}
	}
	if t.runs(StepNormalize) {
		// A page mapped onto the whole image has no desk beside it left to clear: only slivers
		// along its edges, which Tesseract passes over.
		img = normalize(img, !warped)
		steps = append(steps, StepNormalize)
	}
	// Half the threshold that splits ink from paper keeps the cores of strokes only, so the
	// letters of a blurred word stay apart.
	gs := glyphs(img, otsu(histogram(img))/2)

	if t.runs(StepSharpen) {
		if r, ok := blurred(img, medianHeight(gs)); ok {
			img = sharpen(img, r)
			gs = glyphs(img, otsu(histogram(img))/2)
			steps = append(steps, StepSharpen+":"+strconv.Itoa(r))
		}
	}

	if height := medianHeight(gs); t.runs(StepScale) && height > 0 && height < minGlyph {
		f := min(maxEnlarge, float64(targetGlyph)/float64(height))
		w, h := img.Rect.Dx(), img.Rect.Dy()
		if maxSide > 0 {
			f = min(f, float64(maxSide)/float64(max(w, h)))
		}
		if f > 1.05 {
			img = enlarge(img, int(float64(w)*f+0.5), int(float64(h)*f+0.5))
			for i, g := range gs {
				gs[i] = glyph{int(float64(g.x0) * f), int(float64(g.y0) * f), int(float64(g.x1) * f), int(float64(g.y1) * f)}
			}
			steps = append(steps, "scale:"+strconv.FormatFloat(f, 'f', 2, 64))
		}
	}

	// Whether the lines of the page are known to run across it once turned: its glyphs said so
	// without a doubt, or orientation detection did with confidence.
	orient := t.runs(StepOrient) && t.Orient != nil && len(gs) >= minOSDGlyphs
	oriented := orient && plainlyUpright(gs)
	if orient && !oriented {
		w, h := img.Rect.Dx(), img.Rect.Dy()
		deg, plain := plainTurn(gs, w, h)
		oriented = plain
		if !plain {
			// Orientation detection reads characters of osdGlyph pixels: smaller ones it gets
			// wrong with confidence, larger ones only cost time.
			small := img
			switch height := medianHeight(gs); {
			case height > osdGlyph:
				small = shrink(img, max(1, w*osdGlyph/height), max(1, h*osdGlyph/height))
			case height < osdGlyph:
				small = enlarge(img, w*osdGlyph/height, h*osdGlyph/height)
			}
			var conf float64
			var err error
			deg, conf, err = t.Orient(ctx, small)
			if err != nil {
				return nil, nil, fmt.Errorf("detect orientation: %w", err)
			}
			if oriented = conf >= MinOSDConfidence; !oriented {
				deg = sidewaysTurn(gs, deg, w, h)
			}
		}
		if deg != 0 {
			turnGlyphs(gs, deg, img.Rect.Dx(), img.Rect.Dy())
			img = raster.Turn(img, deg)
			steps = append(steps, "rotate:"+strconv.Itoa(deg))
		}
	}

	if t.runs(StepDeskew) {
		skew := skewAngle
		if oriented {
			skew = uprightSkewAngle
		}
		if deg := skew(gs); deg <= -minSkew || deg >= minSkew {
			gs = rotateGlyphs(gs, -deg, img.Rect.Dx(), img.Rect.Dy())
			img = rotate(img, -deg, paperLevel(img))
			steps = append(steps, "deskew:"+strconv.FormatFloat(deg, 'f', 2, 64))
		}
	}

	if t.runs(StepDewarp) {
		var applied []string
		img, applied = straightenLines(img, gs)
		steps = append(steps, applied...)
	}

	if t.runs(StepFractions) {
		if out, n := unstackFractions(img, medianHeight(gs)); n > 0 {
			img = out
			steps = append(steps, StepFractions+":"+strconv.Itoa(n))
		}
	}
	return img, steps, nil
}

// runs reports whether step is to run: it is not in t.Skip.
func (t *Pipeline) runs(step string) bool { return !slices.Contains(t.Skip, step) }

// paperLevel returns the gray level of the paper in img: the median of its pixels, since a
// page of notes is mostly paper.
func paperLevel(img *image.Gray) uint8 { return levelAt(histogram(img), 0.5) }

// levelAt returns the lowest gray level at or below which share of the pixels counted in hist
// lie (0.5 for the median), 255 for none.
func levelAt(hist *[256]int, share float64) uint8 {
	total := 0
	for _, n := range hist {
		total += n
	}
	seen := 0
	for v, n := range hist {
		if seen += n; total > 0 && float64(seen) >= share*float64(total) {
			return uint8(v)
		}
	}
	return 255
}

// turnGlyphs moves the boxes gs found on a w×h image to where turn(img, deg) puts them.
func turnGlyphs(gs []glyph, deg, w, h int) {
	for i, g := range gs {
		switch deg {
		case 90:
			gs[i] = glyph{h - g.y1, g.x0, h - g.y0, g.x1}
		case 180:
			gs[i] = glyph{w - g.x1, h - g.y1, w - g.x0, h - g.y0}
		case 270:
			gs[i] = glyph{g.y0, w - g.x1, g.y1, w - g.x0}
		}
	}
}
