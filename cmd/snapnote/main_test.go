package main

import (
	"os"
	"testing"

	"github.com/snapnote/snapnote/internal/ocr"
)

// TestMain lets the worker these tests start run this test binary as its OCR engines, as
// main does for snapnote.
func TestMain(m *testing.M) {
	ocr.ServeEngineIfChild()
	os.Exit(m.Run())
}
