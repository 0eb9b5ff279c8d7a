package ocr

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"image"
	"os"
	"strconv"
	"strings"
)

// osdLang is the Tesseract data that orientation detection needs.
const osdLang = "osd"

// osdGlyph is the median character height, in pixels, of the copy of a page that
// orientation detection reads. With characters of 8 or 9 pixels Tesseract named a wrong
// orientation with confidence 3; with 12 or more it was right with confidence 10 to 16 on every
// corpus page. Larger characters only make the extra Tesseract run slower.
const osdGlyph = 12

// minOSDConfidence is the orientation confidence, as Tesseract reports it, below which a
// detected turn is not trusted: well below what right answers scored, above wrong ones.
const minOSDConfidence = 5

// minOSDGlyphs is how many character-like shapes a page needs before orientation detection
// is worth a run: Tesseract refuses pages with too few characters anyway.
const minOSDGlyphs = 60

// orientation runs Tesseract's orientation and script detection (--psm 0) on img and returns
// the clockwise turn, 0, 90, 180 or 270 degrees, that makes it upright, with Tesseract's
// confidence. A page Tesseract cannot judge (too few characters) returns 0, 0 and no error;
// an error means Tesseract could not run.
func (t *Tesseract) orientation(ctx context.Context, img *image.Gray) (turn int, confidence float64, err error) {
	if t.Engines != nil {
		_, turn, confidence, err = t.Engines.orient(ctx, img)
		return turn, confidence, err
	}
	page, err := writeTemp(img)
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = os.Remove(page) }()

	out, _, err := t.run(ctx, page, "stdout", "--psm", "0", "-l", osdLang)
	if err != nil {
		var exitErr interface{ ExitCode() int }
		if ctx.Err() == nil && errors.As(err, &exitErr) && strings.Contains(err.Error(), "Too few characters") {
			return 0, 0, nil
		}
		return 0, 0, err
	}
	turn, confidence = parseOSD(out)
	return turn, confidence, nil
}

// parseOSD reads the "Rotate:" and "Orientation confidence:" lines of Tesseract's --psm 0
// output. Missing or malformed lines read as 0.
func parseOSD(out []byte) (turn int, confidence float64) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.TrimSpace(key) {
		case "Rotate":
			if n, err := strconv.Atoi(value); err == nil && n%90 == 0 && n >= 0 && n < 360 {
				turn = n
			}
		case "Orientation confidence":
			if f, err := strconv.ParseFloat(value, 64); err == nil {
				confidence = f
			}
		}
	}
	return turn, confidence
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
