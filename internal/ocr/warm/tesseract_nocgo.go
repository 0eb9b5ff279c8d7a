//go:build !cgo

package warm

// newPageReader fails: warm children call libtesseract through cgo.
func newPageReader(string) (pageReader, error) { return nil, ErrNoCgo }

// cgoBuilt reports whether this binary can run warm children.
const cgoBuilt = false
