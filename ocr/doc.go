// Package ocr reads the text in a photo of lecture notes.
//
// An [Engine] takes an upright image (see package photo, whose Decode applies the EXIF
// orientation) and returns a [Result]: the text with its line and paragraph structure, the mean
// word confidence and the word count. Engines are safe for concurrent use.
//
// [Tesseract] is the engine this package provides. It runs the tesseract command (Tesseract 4 or
// later; developed against 5.3) once per image, on a grayscale PNG in a temporary file (in
// os.TempDir, so $TMPDIR), and reads its TSV output. Each run is limited to one OpenMP thread:
// Tesseract's threads spin while they wait, which makes a page about four times slower on a
// small machine, so recognise several images at once instead. Call [Tesseract.CheckInstalled]
// at start-up to fail early, with install instructions, when the binary or a language is
// missing.
//
// Errors: an image without recognisable text returns [ErrNoText], a permanent failure. Anything
// else is a different error: a missing binary wraps exec.ErrNotFound (or fs.ErrNotExist for a
// path), a run over the time limit wraps context.DeadlineExceeded, and a crash carries
// Tesseract's own message.
package ocr
