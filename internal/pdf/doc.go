// Package pdf reads the text of a PDF page by page, as scanner apps (Adobe
// Scan, Google Drive, iOS Files) hand a note over: a page that carries a
// usable text layer is taken as it is, without OCR; a page without one is
// rendered at a resolution fit for OCR and read by an ocr.Engine like a photo.
//
// The work is done by Debian's poppler-utils in child processes — pdfinfo for
// the page count and page sizes, pdftotext for a page's text layer, pdftoppm
// to render a page — never in this process: a PDF is a program of sorts, and
// one made to exhaust memory or time must cost only its own child. Each
// command runs under prlimit(1) with an address-space (--as) and CPU-time
// limit, in a process group of its own that is killed on timeout, with
// Pdeathsig so that it dies with the worker. A PDF of more pages than
// Reader.MaxPages is refused before any page is read; a page too large to
// render at a readable resolution within Reader.MaxPixels is refused before it
// is rendered.
//
// The API does not import this package: it checks an upload's structure with
// internal/pdffile, which runs nothing.
package pdf
