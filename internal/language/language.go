// Package language tells which language a text is written in, from its commonest words, and
// names it as ISO 639-1 ("fr", the documents' metadata) and as Tesseract does ("fra", what a
// page is read in).
package language

import (
	"slices"
	"strings"
	"unicode"
)

// Undetermined is the language code Detect returns when it cannot
// tell (ISO 639-2 "und").
const Undetermined = "und"

// stopWords are the commonest function words of each language Detect
// knows. Words shared by several languages count for each, split between them.
var stopWords = map[string][]string{
	"en": strings.Fields(`the and of to is in that it for are was with as on be this by which
		from an or at not have has can we they these their there if when will`),
	"de": strings.Fields(`der die das und ist nicht ein eine zu den von mit sich des auf für im
		dem auch es wird werden sind bei oder aus wir wenn dass kann wie nach`),
	"fr": strings.Fields(`le la les et est des une un du que qui dans pour pas sur au avec ce
		il elle sont par plus nous ou mais cette aux se en de l d à`),
	"es": strings.Fields(`el la los las y es del que en un una por con para se no lo como más
		pero sus al son este esta está de`),
	"it": strings.Fields(`il lo la gli le e è di che per un una del della non sono con nel si
		da come anche questo alla dei delle ma l`),
	"pt": strings.Fields(`o a os as e é de do da dos das que em um uma para com não no na por
		se mais como são ao pelo`),
	"nl": strings.Fields(`de het een en van is dat niet op te in voor met zijn die er aan
		wordt ook als bij door naar worden deze kan maar`),
}

// stopWordWeights maps a stop word to its share per language.
var stopWordWeights = func() map[string]map[string]float64 {
	langs := map[string][]string{}
	for lang, words := range stopWords {
		for _, w := range words {
			langs[w] = append(langs[w], lang)
		}
	}
	weights := map[string]map[string]float64{}
	for w, ls := range langs {
		weights[w] = map[string]float64{}
		for _, l := range ls {
			weights[w][l] = 1 / float64(len(ls))
		}
	}
	return weights
}()

// Thresholds below which Detect does not guess: a few words, or a
// lead over the runner-up too small to mean anything.
const (
	minLanguageWords = 4
	minLanguageScore = 1.5
	minLanguageLead  = 1.5
)

// Detect guesses the ISO 639-1 code of text ("en", "de", "fr", "es",
// "it", "pt" or "nl") from how often each language's stop words occur. It
// returns Undetermined when text has fewer than four words, or when no
// language clearly leads.
func Detect(text string) string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsMark(r)
	})
	if len(words) < minLanguageWords {
		return Undetermined
	}
	scores := map[string]float64{}
	for _, w := range words {
		for lang, weight := range stopWordWeights[w] {
			scores[lang] += weight
		}
	}
	best, bestScore, second := Undetermined, 0.0, 0.0
	for lang, s := range scores {
		switch {
		case s > bestScore:
			best, bestScore, second = lang, s, bestScore
		case s > second:
			second = s
		}
	}
	if bestScore < minLanguageScore || bestScore < second*minLanguageLead {
		return Undetermined
	}
	return best
}

// tesseractCodes are Tesseract's names for the languages Detect knows: the
// names of their traineddata files (ISO 639-2/T), and of Debian's
// tesseract-ocr-* packages.
var tesseractCodes = map[string]string{
	"en": "eng", "fr": "fra", "de": "deu", "es": "spa", "it": "ita", "pt": "por", "nl": "nld",
}

// Tesseract returns Tesseract's code for the ISO 639-1 code iso ("fr" →
// "fra"), or "" for a language Detect does not know, and for Undetermined.
func Tesseract(iso string) string { return tesseractCodes[iso] }

// DetectTesseract guesses the language of text as Detect does and returns
// its Tesseract code when it is one of installed; "" when Detect cannot tell
// or the language is not installed.
func DetectTesseract(text string, installed []string) string {
	code := Tesseract(Detect(text))
	if code == "" || !slices.Contains(installed, code) {
		return ""
	}
	return code
}
