package pdf

import (
	"strings"
	"unicode"
)

// Thresholds of UsableText.
const (
	// minWords is how many words a text layer needs to be taken instead of
	// OCR. Fewer is most often a scanner app's stamp or a page number over
	// a scanned image, whose text OCR would miss; when such a page really
	// holds only a few words, OCR of its rendering reads them too.
	minWords = 5
	// maxBadRunes is the largest share of runes that are not printable
	// text (U+FFFD, private-use glyphs, control characters): what a font
	// without a usable Unicode map gives.
	maxBadRunes = 0.02
	// minWordLike is the least share of tokens that look like words.
	minWordLike = 0.6
)

// UsableText decides whether a page's text layer, as pdftotext wrote
// it, is text to take as it is, and returns it tidied: the lines of
// the page, each with its runs of spaces made one, paragraphs (blank lines)
// kept, no form feeds. A layer is usable when it has at least 5 words, few
// unprintable runes, and most tokens look like words: letters, with vowels
// when they are Latin, not glyph numbers or symbol soup.
func UsableText(layer string) (string, bool) {
	text := tidy(layer)
	var runes, bad int
	for _, r := range text {
		runes++
		if r == unicode.ReplacementChar || unicode.Is(unicode.Co, r) || (unicode.IsControl(r) && r != '\n' && r != '\t') {
			bad++
		}
	}
	if runes == 0 || float64(bad) > maxBadRunes*float64(runes) {
		return text, false
	}
	tokens := strings.Fields(text)
	words := 0
	for _, tok := range tokens {
		if wordLike(tok) {
			words++
		}
	}
	return text, words >= minWords && float64(words) >= minWordLike*float64(len(tokens))
}

// wordLike reports whether tok, with punctuation around it, is a word: two
// or more letters making most of it, and a vowel among them if it is written
// in Latin letters (scripts without vowel letters pass on letters alone).
// Numbers count as words too.
func wordLike(tok string) bool {
	tok = strings.TrimFunc(tok, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) })
	var letters, digits, latin, vowels, others int
	for _, r := range tok {
		switch {
		case unicode.IsLetter(r):
			letters++
			if unicode.Is(unicode.Latin, r) {
				latin++
				if strings.ContainsRune("aeiouyAEIOUY", baseLetter(r)) {
					vowels++
				}
			}
		case unicode.IsDigit(r):
			digits++
		default:
			others++
		}
	}
	if digits > 0 && letters == 0 && others <= 2 {
		return true // 42, 3.14, 2024-10-03
	}
	if letters == 0 || float64(letters) < 0.7*float64(letters+digits+others) {
		return false
	}
	if letters == 1 {
		return true // "a", "I", a variable
	}
	return latin < letters || vowels > 0
}

// baseLetter folds the common accented Latin vowels to their base letter.
func baseLetter(r rune) rune {
	switch {
	case strings.ContainsRune("àáâãäåæ", unicode.ToLower(r)):
		return 'a'
	case strings.ContainsRune("èéêë", unicode.ToLower(r)):
		return 'e'
	case strings.ContainsRune("ìíîï", unicode.ToLower(r)):
		return 'i'
	case strings.ContainsRune("òóôõöøœ", unicode.ToLower(r)):
		return 'o'
	case strings.ContainsRune("ùúûü", unicode.ToLower(r)):
		return 'u'
	}
	return r
}

// tidy trims each line of a pdftotext page and makes its runs of
// spaces one space; blank lines (at most one in a row) separate paragraphs.
func tidy(layer string) string {
	layer = strings.ReplaceAll(layer, "\f", "\n")
	var lines []string
	blank := true
	for line := range strings.SplitSeq(strings.ReplaceAll(layer, "\r\n", "\n"), "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			if !blank {
				lines = append(lines, "")
			}
			blank = true
			continue
		}
		lines = append(lines, line)
		blank = false
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// joinParagraphs joins the texts of pages with a blank line between them.
func joinParagraphs(texts []string) string { return strings.Join(texts, "\n\n") }

func countWords(text string) int { return len(strings.Fields(text)) }
