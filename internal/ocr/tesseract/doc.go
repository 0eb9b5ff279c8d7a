// Package tesseract is the OCR engine that reads photos with Tesseract (4 or later; developed
// against 5.3).
//
// An [Engine] preprocesses the page (package preprocess, with orientation detection run by
// Tesseract) and reads it. With a warm.Pool in Engine.Pool it reads in warm child processes,
// each keeping its models loaded, fed gray pixels over a pipe, killed and replaced when a page
// overruns its deadline or crashes them (see package warm; programs that make a pool call
// warm.ServeIfChild first thing). Without one it runs the tesseract command twice per image
// (orientation, then recognition), on a grayscale PNG in a temporary file (in os.TempDir, so
// $TMPDIR), and reads its TSV output; both read the same words. Each child or run is limited to
// one OpenMP thread: Tesseract's threads spin while they wait, which makes a page about four
// times slower on a small machine, so recognise several images at once instead. Call
// [Engine.CheckInstalled] at start-up to fail early, with install instructions, when the
// binary or a language is missing.
//
// Each read is in the languages its ocr.Options name, the Engine's Lang when they name none
// (the command's -l, or a warm child for those languages). For ocr.LangAuto the page is read
// in Lang, its language told from the words read (package language, among AutoLangs), and
// read again in that language when it is another; Result.Steps say which ("detect:fra",
// "lang:fra").
//
// Tesseract's words are not taken in its order. The rules that draw tables are found on the
// preprocessed page and erased before Tesseract reads it (it takes a ruled table for a picture
// and reads none of its cells); then package layout orders the words as the page's layout
// reads (columns one after the other), finds headings, lists and tables, with the rules giving
// the cells and the page's pixels the stroke widths, and writes the Result's Text and Markdown.
//
// Errors: an image without recognisable text returns ocr.ErrNoText, a permanent failure.
// Anything else is a different error: a missing binary wraps exec.ErrNotFound (or
// fs.ErrNotExist for a path), a run over the time limit wraps context.DeadlineExceeded, a crash
// of the command carries Tesseract's own message, and a child process that died mid-page wraps
// warm.ErrChildCrashed.
package tesseract
