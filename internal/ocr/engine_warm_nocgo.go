//go:build !cgo

package ocr

// newWarmEngine fails: warm engines call libtesseract through cgo.
func newWarmEngine(string) (warmEngine, error) { return nil, ErrNoWarmEngines }

// warmEnginesBuilt reports whether this binary can run warm engines.
const warmEnginesBuilt = false
