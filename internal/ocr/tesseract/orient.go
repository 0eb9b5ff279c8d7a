package tesseract

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"image"
	"os"
	"strconv"
	"strings"

	"github.com/snapnote/snapnote/internal/ocr"
)

// orientation runs Tesseract's orientation and script detection (--psm 0) on img and returns
// the clockwise turn, 0, 90, 180 or 270 degrees, that makes it upright, with Tesseract's
// confidence. A page Tesseract cannot judge (too few characters) returns 0, 0 and no error;
// an error means Tesseract could not run.
func (t *Engine) orientation(ctx context.Context, img *image.Gray) (turn int, confidence float64, err error) {
	if t.Pool != nil {
		_, turn, confidence, err = t.Pool.Orient(ctx, img)
		return turn, confidence, err
	}
	page, err := writeTemp(img)
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = os.Remove(page) }()

	out, _, err := t.run(ctx, page, "stdout", "--psm", "0", "-l", ocr.OSDLang)
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
