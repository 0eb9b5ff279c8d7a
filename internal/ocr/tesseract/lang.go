package tesseract

import (
	"cmp"
	"context"
	"image"
	"slices"
	"strings"

	"github.com/snapnote/snapnote/internal/language"
	"github.com/snapnote/snapnote/internal/ocr"
)

// Steps a Result records after the preprocessing: the language a page of an ocr.LangAuto
// read was found in ("detect:fra", or "detect:und" when it could not be told), and the
// languages the page was read in ("lang:fra").
const (
	StepDetect = "detect"
	StepLang   = "lang"
)

// readIn reads page in the languages opts asks, the engine's Lang for "", and returns the
// words, the languages read in and the steps that say which: see readAuto for ocr.LangAuto.
func (t *Engine) readIn(ctx context.Context, page *image.Gray, opts ocr.Options) ([]ocr.Word, string, []string, error) {
	if opts.Lang != ocr.LangAuto {
		lang := cmp.Or(opts.Lang, t.defaultLang())
		words, err := t.read(ctx, page, lang)
		return words, lang, []string{StepLang + ":" + lang}, err
	}
	return t.readAuto(ctx, page)
}

// readAuto reads page in the engine's Lang, tells the language from the words read
// (language.DetectTesseract, among AutoLangs) and, when it is another language, reads the
// page again in it. The stop words that tell a language are short and mostly unaccented, so
// a model for another language of the same script reads enough of them; the second read then
// gets the accents and letters right. A page in the default language costs one read.
func (t *Engine) readAuto(ctx context.Context, page *image.Gray) ([]ocr.Word, string, []string, error) {
	lang := t.defaultLang()
	words, err := t.read(ctx, page, lang)
	if err != nil {
		return nil, "", nil, err
	}
	found := language.DetectTesseract(wordsText(words), t.AutoLangs)
	steps := []string{StepDetect + ":" + cmp.Or(found, language.Undetermined)}
	if found != "" && !slices.Contains(strings.Split(lang, "+"), found) {
		lang = found
		if words, err = t.read(ctx, page, lang); err != nil {
			return nil, "", nil, err
		}
	}
	return words, lang, append(steps, StepLang+":"+lang), nil
}

// defaultLang is what a page is read in when the read names no language.
func (t *Engine) defaultLang() string { return cmp.Or(t.Lang, ocr.DefaultLang) }

// wordsText joins the words' text with spaces: enough to tell their language.
func wordsText(words []ocr.Word) string {
	var b strings.Builder
	for _, w := range words {
		b.WriteString(w.Text)
		b.WriteByte(' ')
	}
	return b.String()
}
