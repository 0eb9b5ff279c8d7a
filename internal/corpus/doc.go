// Package corpus generates a quality corpus for OCR: pages of lecture notes with known text,
// rendered with the embedded Go fonts, and the kinds of damage a phone photo does to them.
//
// Nothing is downloaded and nothing is random between runs: [Pages] derives every page from a
// fixed seed and its index, and [Variants] derives every photo of a page from the page, so the
// same call returns the same bytes on every machine. A page mixes what students write down: a
// bold title, an italic date line, paragraphs, a subheading, a bullet list, numbered steps, a
// formula in a monospaced font and a two-column section, in body sizes that vary from page to
// page. Its Truth is what a perfect reader would output: the lines top to bottom, a blank line
// between blocks, and for two columns the left column before the right.
//
// Each [Sample] is an encoded file (PNG or JPEG) as a phone would upload it, so a test runs the
// same decoding path as the service (package photo). The classes are listed in [Classes].
package corpus
