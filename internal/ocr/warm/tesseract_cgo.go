//go:build cgo

package warm

// #cgo LDFLAGS: -ltesseract
// #include <malloc.h>
// #include <stdlib.h>
// #include <tesseract/capi.h>
import "C"

import (
	"errors"
	"fmt"
	"image"
	"unsafe"

	"github.com/snapnote/snapnote/internal/ocr"
)

// capiReader reads pages with a libtesseract engine for the page's languages, kept loaded,
// and detects orientation with a second one for the osd model, loaded only for the pages that
// need it and freed after: most pages are plainly upright and skip detection, and the osd
// model holds about 32 MB, a third of an engine's memory. Both go through Tesseract's own C
// API (tesseract/capi.h).
//
// Not gosseract: v2.4.1 has no call that returns the orientation found, and its word-level
// results (GetBoundingBoxesVerbose) never free each word's text or the result iterator, so an
// engine that lives for thousands of pages would grow without bound. The C API also gives the
// very TSV the tesseract command writes, so both engines rebuild the text with ocr.WordsResult.
type capiReader struct {
	reader *C.TessBaseAPI
}

// newPageReader loads the models for lang, and checks that the orientation model loads.
func newPageReader(lang string) (pageReader, error) {
	e := &capiReader{}
	var err error
	if e.reader, err = newTessAPI(lang); err != nil {
		return nil, err
	}
	osd, err := newTessAPI(ocr.OSDLang)
	if err != nil {
		e.close()
		return nil, err
	}
	endTessAPI(osd)
	return e, nil
}

// endTessAPI frees an engine and its models, and gives the memory back to the system:
// glibc's allocator would otherwise keep it for the process.
func endTessAPI(api *C.TessBaseAPI) {
	C.TessBaseAPIEnd(api)
	C.TessBaseAPIDelete(api)
	C.malloc_trim(0)
}

// newTessAPI returns an engine with lang's models loaded.
func newTessAPI(lang string) (*C.TessBaseAPI, error) {
	api := C.TessBaseAPICreate()
	cLang := C.CString(lang)
	defer C.free(unsafe.Pointer(cLang))
	if C.TessBaseAPIInit3(api, nil, cLang) != 0 {
		C.TessBaseAPIDelete(api)
		return nil, fmt.Errorf("load tesseract language %q failed (see the messages above; on Debian: apt-get install tesseract-ocr-%s)", lang, lang)
	}
	return api, nil
}

// setImage gives api the pixels of img. Tesseract copies them. Without a dpi the image's
// resolution is unknown, as for the command's PNG, and Tesseract estimates it alike.
func setImage(api *C.TessBaseAPI, img *image.Gray, dpi int) {
	C.TessBaseAPISetImage(api, (*C.uchar)(unsafe.Pointer(&img.Pix[0])),
		C.int(img.Rect.Dx()), C.int(img.Rect.Dy()), 1, C.int(img.Stride))
	if dpi > 0 {
		C.TessBaseAPISetSourceResolution(api, C.int(dpi))
	}
}

func (e *capiReader) recognize(img *image.Gray, psm, dpi int) ([]ocr.Word, error) {
	defer C.TessBaseAPIClear(e.reader) // the page and its results
	C.TessBaseAPISetPageSegMode(e.reader, C.TessPageSegMode(psm))
	setImage(e.reader, img, dpi)
	if C.TessBaseAPIRecognize(e.reader, nil) != 0 {
		return nil, errors.New("tesseract could not read the page")
	}
	tsv := C.TessBaseAPIGetTsvText(e.reader, 0)
	if tsv == nil {
		return nil, errors.New("tesseract returned no result")
	}
	defer C.TessDeleteText(tsv)
	return ocr.ParseTSVWords([]byte(C.GoString(tsv)))
}

func (e *capiReader) orient(img *image.Gray, dpi int) (detected bool, turn int, confidence float64, err error) {
	osd, err := newTessAPI(ocr.OSDLang)
	if err != nil {
		return false, 0, 0, err
	}
	defer endTessAPI(osd)
	setImage(osd, img, dpi)
	var (
		deg        C.int
		conf       C.float
		script     *C.char
		scriptConf C.float
	)
	if C.TessBaseAPIDetectOrientationScript(osd, &deg, &conf, &script, &scriptConf) == 0 {
		return false, 0, 0, nil // too few characters to judge
	}
	// Tesseract reports how far the page is turned clockwise; undoing it is the rest of the
	// circle, the "Rotate:" of `tesseract --psm 0`.
	return true, (360 - int(deg)) % 360, float64(conf), nil
}

func (e *capiReader) close() {
	if e.reader != nil {
		endTessAPI(e.reader)
	}
}

// cgoBuilt reports whether this binary can run warm engines.
const cgoBuilt = true
