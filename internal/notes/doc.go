// Package notes turns OCR text into a Markdown note and extracts what the
// document row needs from it: a title, an excerpt, a word count and a language.
//
// Formatting goes through the [Formatter] interface so that the pipeline can use
// an LLM ([LLM]) when one is configured and [Builtin] otherwise. An LLM note
// passes a content guard against the OCR text, or Builtin's note is kept. Builtin works offline
// and deterministically, and it never drops a word of its input: OCR text is all
// a student has of the page, so a formatter that guesses wrong must still keep
// every word, in order. Its rules are documented on [Builtin].
//
// The extraction functions work on any Markdown, from Builtin, from an LLM, or
// edited by the user:
//
//   - [Title] keeps a title given at upload, else infers one from the first
//     heading or the first sentence.
//   - [Excerpt] gives a plain-text preview cut on a word boundary.
//   - [PlainText] strips Markdown syntax and keeps the words.
//   - [WordCount] and [DetectLanguage] fill the document's metadata.
//
// Lengths are counted in runes (Unicode code points), as Postgres counts
// characters for VARCHAR(n) columns.
package notes
