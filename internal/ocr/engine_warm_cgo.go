//go:build cgo

package ocr

// #cgo LDFLAGS: -ltesseract
// #include <stdlib.h>
// #include <tesseract/capi.h>
import "C"

import (
	"cmp"
	"errors"
	"fmt"
	"image"
	"strconv"
	"strings"
	"unsafe"

	"github.com/otiai10/gosseract/v2"
)

// tesseractWarm reads pages with libtesseract: gosseract for recognition, and Tesseract's C
// API for orientation detection, which gosseract v2.4.1 does not offer (it has
// PSM_OSD_ONLY but no call that returns the orientation found).
type tesseractWarm struct {
	reader *gosseract.Client
	psm    int
	osd    *C.TessBaseAPI
}

// newWarmEngine loads the models for lang and for orientation detection.
func newWarmEngine(lang string) (warmEngine, error) {
	e := &tesseractWarm{reader: gosseract.NewClient(), psm: -1}
	if err := e.reader.SetLanguage(strings.Split(lang, "+")...); err != nil {
		e.close()
		return nil, err
	}
	// gosseract loads the model on its first read: read a blank page now, so that the first
	// page a user sends finds the engine warm, and a missing language fails at start-up.
	if _, err := e.recognize(image.NewGray(image.Rect(0, 0, 8, 8)), 3, 0); err != nil {
		e.close()
		return nil, fmt.Errorf("load tesseract language %q: %w", lang, err)
	}
	// Loading the model reset the page segmentation mode set before it to the library's
	// default (a single block, not the command's automatic segmentation): set it again.
	e.psm = -1

	e.osd = C.TessBaseAPICreate()
	cLang := C.CString(osdLang)
	defer C.free(unsafe.Pointer(cLang))
	if C.TessBaseAPIInit3(e.osd, nil, cLang) != 0 {
		e.close()
		return nil, errors.New(`load tesseract language "osd" for orientation detection failed (on Debian: apt-get install tesseract-ocr-osd)`)
	}
	return e, nil
}

func (e *tesseractWarm) recognize(img *image.Gray, psm, dpi int) ([]ocrWord, error) {
	// A PGM header before the pixels is an image leptonica reads without decoding anything.
	header := fmt.Sprintf("P5\n%d %d\n255\n", img.Rect.Dx(), img.Rect.Dy())
	pgm := make([]byte, 0, len(header)+len(img.Pix))
	pgm = append(append(pgm, header...), img.Pix...)
	if err := e.reader.SetImageFromBytes(pgm); err != nil {
		return nil, err
	}
	if dpi > 0 {
		if err := e.reader.SetVariable("user_defined_dpi", strconv.Itoa(dpi)); err != nil {
			return nil, err
		}
	}
	if psm != e.psm {
		if err := e.reader.SetPageSegMode(gosseract.PageSegMode(psm)); err != nil {
			return nil, err
		}
		e.psm = psm
	}
	boxes, err := e.reader.GetBoundingBoxesVerbose()
	if err != nil {
		return nil, err
	}
	words := make([]ocrWord, len(boxes))
	for i, b := range boxes {
		words[i] = ocrWord{page: 1, block: b.BlockNum, par: b.ParNum, line: b.LineNum, conf: b.Confidence, text: b.Word}
	}
	return words, nil
}

func (e *tesseractWarm) orient(img *image.Gray, dpi int) (detected bool, turn int, confidence float64, err error) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	C.TessBaseAPISetImage(e.osd, (*C.uchar)(unsafe.Pointer(&img.Pix[0])), C.int(w), C.int(h), 1, C.int(img.Stride))
	// As the tesseract command does for an image that does not say its resolution.
	C.TessBaseAPISetSourceResolution(e.osd, C.int(cmp.Or(dpi, 70)))
	var (
		deg        C.int
		conf       C.float
		script     *C.char
		scriptConf C.float
	)
	if C.TessBaseAPIDetectOrientationScript(e.osd, &deg, &conf, &script, &scriptConf) == 0 {
		return false, 0, 0, nil // too few characters to judge
	}
	// Tesseract reports how far the page is turned clockwise; undoing it is the rest of the
	// circle, the "Rotate:" of `tesseract --psm 0`.
	return true, (360 - int(deg)) % 360, float64(conf), nil
}

func (e *tesseractWarm) close() {
	if e.reader != nil {
		_ = e.reader.Close()
	}
	if e.osd != nil {
		C.TessBaseAPIEnd(e.osd)
		C.TessBaseAPIDelete(e.osd)
	}
}

// warmEnginesBuilt reports whether this binary can run warm engines.
const warmEnginesBuilt = true
