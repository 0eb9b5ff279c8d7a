// Package pdffile checks the structure of an uploaded PDF without reading
// its pages: that it is a PDF, that it is whole, and that it is not
// encrypted. It runs no renderer and parses no content, so the API can
// refuse an unusable file at once and leave the reading (internal/pdf, in
// the worker) to a child process under limits.
package pdffile

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
)

// ContentType is the media type of a PDF.
const ContentType = "application/pdf"

// Extension is the file name extension a stored PDF gets.
const Extension = ".pdf"

// Errors of Check.
var (
	// ErrIncomplete: the file ends before its end-of-file marker, as an
	// upload that was cut off does.
	ErrIncomplete = errors.New("the PDF is incomplete")
	// ErrDamaged: the file's header or cross-reference pointer is not a
	// PDF's.
	ErrDamaged = errors.New("the PDF is damaged")
	// ErrEncrypted: a trailer names an /Encrypt dictionary.
	ErrEncrypted = errors.New("the PDF is encrypted")
)

// Sniff reports whether header, the first bytes of a file, starts with the
// PDF signature "%PDF-".
func Sniff(header []byte) bool { return bytes.HasPrefix(header, []byte("%PDF-")) }

// tailWindow is how near the end of the file %%EOF must be: the
// specification asks for it in the last 1024 bytes.
const tailWindow = 1024

var (
	version   = regexp.MustCompile(`^%PDF-[12]\.\d`)
	startxref = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF`)
	// The keyword of a trailer, and the start of a cross-reference stream's
	// dictionary (PDF 1.5+, where the trailer's entries live).
	trailerKey = regexp.MustCompile(`trailer\s*<<|/Type\s*/XRef\b`)
	encryptKey = regexp.MustCompile(`/Encrypt[\s/<\[\d]`)
)

// Check returns nil for a whole, unencrypted PDF: a version header, %%EOF
// in the last 1024 bytes after a startxref whose offset lies in the file,
// and no trailer (or cross-reference stream dictionary) with an /Encrypt
// entry. It returns ErrDamaged, ErrIncomplete or ErrEncrypted otherwise.
// It does not check the objects: poppler repairs a wrong cross-reference
// offset, and any other damage shows when the worker reads the file.
func Check(data []byte) error {
	if !version.Match(data) {
		return ErrDamaged
	}
	tail := data[max(0, len(data)-tailWindow):]
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return ErrIncomplete
	}
	m := startxref.FindAllSubmatchIndex(tail, -1)
	if m == nil {
		return ErrDamaged
	}
	last := m[len(m)-1]
	offset, err := strconv.ParseInt(string(tail[last[2]:last[3]]), 10, 64)
	if err != nil || offset >= int64(len(data)) {
		return ErrDamaged
	}
	// Every trailer is checked, not only the last: each revision of an
	// encrypted file repeats /Encrypt, and a linearised file has one first.
	for _, d := range trailerKey.FindAllIndex(data, -1) {
		if encryptKey.Match(dictionaryAround(data, d[0])) {
			return ErrEncrypted
		}
	}
	return nil
}

// maxDict bounds how much of a dictionary is read.
const maxDict = 64 << 10

// dictionaryAround returns the dictionary that holds, or follows, position
// at: from the nearest "<<" before it within its object (or after it, for a
// trailer keyword) to the ">>" that closes it, nested dictionaries and
// strings skipped.
func dictionaryAround(data []byte, at int) []byte {
	start := -1
	if bytes.HasPrefix(data[at:], []byte("trailer")) {
		if s := bytes.Index(data[at:min(len(data), at+maxDict)], []byte("<<")); s >= 0 {
			start = at + s
		}
	} else if back := bytes.LastIndex(data[max(0, at-maxDict):at], []byte("obj")); back >= 0 {
		// A cross-reference stream: its dictionary starts after "N 0 obj".
		objStart := max(0, at-maxDict) + back
		if s := bytes.Index(data[objStart:at], []byte("<<")); s >= 0 {
			start = objStart + s
		}
	}
	if start < 0 {
		return nil
	}
	depth := 0
	for i := start; i < len(data) && i < start+maxDict; i++ {
		switch data[i] {
		case '(':
			i = skipString(data, i)
		case '<':
			if i+1 < len(data) && data[i+1] == '<' {
				depth++
				i++
			}
		case '>':
			if i+1 < len(data) && data[i+1] == '>' {
				depth--
				i++
				if depth == 0 {
					return data[start : i+1]
				}
			}
		}
	}
	return data[start:min(len(data), start+maxDict)]
}

// skipString returns the index of the ")" closing the literal string that
// opens at i, balanced parentheses and escapes allowed.
func skipString(data []byte, i int) int {
	depth := 0
	for ; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return i
}
