package notes

import "github.com/snapnote/snapnote/internal/language"

// Undetermined is the language code DetectLanguage returns when it cannot
// tell (ISO 639-2 "und").
const Undetermined = language.Undetermined

// DetectLanguage guesses the ISO 639-1 code of text ("en", "de", "fr", "es",
// "it", "pt" or "nl"), the document's metadata "language": see
// language.Detect. It returns Undetermined when it cannot tell.
func DetectLanguage(text string) string { return language.Detect(text) }
