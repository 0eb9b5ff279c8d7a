// Package ocr is what reading the text in a photo of lecture notes means to the rest of the
// service: the [Engine] interface and its [Result].
//
// An Engine takes an upright image (see package photo, whose Decode applies the EXIF
// orientation) and the [Options] of the read (the page's language: its course's, or
// [LangAuto] to find it) and returns a Result: the text with its line and paragraph structure, the mean
// word confidence and the word count. Engines are safe for concurrent use. An image without
// recognisable text returns [ErrNoText], a permanent failure.
//
// The engines live beside this package, each in its own:
//
//   - tesseract: Tesseract, after the measured preprocessing of package preprocess (pure image
//     steps), either running the tesseract command or reading in the warm child processes of
//     package warm (libtesseract through cgo); package layout then orders its words as the
//     page's layout reads and finds its headings, lists and tables (Result.Markdown).
//   - vision: a chat model that reads images, through any OpenAI-compatible API, transcribes
//     the page as Markdown, with a fallback engine for when the model fails; its Result names
//     the engine that answered.
//
// Tesseract's output, its TSV words ([Word], [ParseTSV]), is read here, as both ways of running
// Tesseract produce it.
package ocr
