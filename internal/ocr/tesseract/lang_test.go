package tesseract_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/ocr/warm"
)

// languagePage returns page index of the corpus in lang.
func languagePage(t testing.TB, lang string, index int) corpus.Page {
	t.Helper()
	page, ok := corpus.LanguagePage(lang, index)
	require.True(t, ok, "the corpus has pages in %s", lang)
	return page
}

// autoEngine is how the server reads a course in "auto": English by default, any language of
// the corpus when the words say so.
var autoEngine = &tesseract.Engine{Lang: "eng", AutoLangs: corpus.Languages}

// autoReads holds each corpus page's read in "auto", made once: TestAutoFindsEachLanguage and
// TestRecognizeInTheAskedLanguage check the same reads.
var autoReads sync.Map // "lang/index" → func() (ocr.Result, error)

// autoRead returns autoEngine's read in ocr.LangAuto of page index of the corpus in lang.
func autoRead(t testing.TB, lang string, index int) ocr.Result {
	t.Helper()
	read, _ := autoReads.LoadOrStore(lang+"/"+strconv.Itoa(index), sync.OnceValues(func() (ocr.Result, error) {
		page, ok := corpus.LanguagePage(lang, index)
		if !ok {
			return ocr.Result{}, fmt.Errorf("the corpus has no pages in %s", lang)
		}
		return autoEngine.Recognize(context.Background(), page.Image, ocr.Options{Lang: ocr.LangAuto})
	}))
	res, err := read.(func() (ocr.Result, error))()
	require.NoError(t, err, "%s page %d in auto", lang, index)
	return res
}

// requireLanguages fails the test when a language of the corpus has no Tesseract data.
func requireLanguages(t testing.TB) {
	t.Helper()
	installed, err := (&tesseract.Engine{}).Languages(t.Context())
	require.NoError(t, err)
	for _, l := range corpus.Languages {
		require.Contains(t, installed, l, "these tests need Tesseract's %s data (scripts/deps.sh installs OCR_LANGS)", l)
	}
}

func TestRecognizeInTheAskedLanguage(t *testing.T) {
	t.Parallel()
	requireTesseract(t)
	requireLanguages(t)
	page := languagePage(t, "fra", 0)
	require.NotEmpty(t, accents(page.Truth), "the page has accents to read")

	// The server reads English by default; the course asks for French, or to find out.
	engine := autoEngine
	pool, err := warm.NewPool(t.Context(), &warm.PoolConfig{Size: 1, Lang: "eng"})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, pool.Close()) })
	warmEngine := &tesseract.Engine{Lang: "eng", AutoLangs: corpus.Languages, Pool: pool}

	read := func(e *tesseract.Engine, lang string) ocr.Result {
		res, err := e.Recognize(t.Context(), page.Image, ocr.Options{Lang: lang})
		require.NoError(t, err)
		return res
	}
	eng := read(engine, "")
	require.Contains(t, eng.Steps, "lang:eng")
	fra := read(engine, "fra")
	require.Equal(t, "lang:fra", fra.Steps[len(fra.Steps)-1])
	auto := autoRead(t, "fra", 0)
	require.Equal(t, []string{"detect:fra", "lang:fra"}, auto.Steps[len(auto.Steps)-2:])
	warmFra := read(warmEngine, "fra")
	warmAuto := read(warmEngine, ocr.LangAuto)
	for name, res := range map[string]ocr.Result{"eng": eng, "fra": fra, "auto": auto} {
		t.Logf("French page read as %s: CER %.4f, word error %.4f, accented letters kept %d of %d", name,
			ocrtest.CER(res.Text, page.Truth), ocrtest.WordError(res.Text, page.Truth), accentsKept(res.Text, page.Truth), len(accents(page.Truth)))
	}

	require.Less(t, ocrtest.CER(fra.Text, page.Truth), 0.03, "read in French: %q", fra.Text)
	require.Less(t, ocrtest.WordError(fra.Text, page.Truth), 0.03, "read in French: %q", fra.Text)
	require.Less(t, ocrtest.WordError(fra.Text, page.Truth), ocrtest.WordError(eng.Text, page.Truth), "French reads a French page better than English")
	require.Equal(t, len(accents(page.Truth)), accentsKept(fra.Text, page.Truth), "every accented letter kept: %q", fra.Text)
	require.Less(t, accentsKept(eng.Text, page.Truth), len(accents(page.Truth)), "the English model loses accents: what the test is about")
	require.Equal(t, fra.Text, auto.Text, "auto finds French and reads in it")
	require.Equal(t, fra.Text, warmFra.Text, "a warm child reads French like the command")
	require.Equal(t, auto.Steps, warmAuto.Steps)

	t.Run("an English page in auto is read once, in English", func(t *testing.T) {
		t.Parallel()
		res := autoRead(t, "eng", 0)
		require.Equal(t, []string{"detect:eng", "lang:eng"}, res.Steps[len(res.Steps)-2:])
	})
	t.Run("auto without other languages reads in the default", func(t *testing.T) {
		t.Parallel()
		res, err := (&tesseract.Engine{Lang: "eng"}).Recognize(t.Context(), page.Image, ocr.Options{Lang: ocr.LangAuto})
		require.NoError(t, err)
		require.Equal(t, []string{"detect:und", "lang:eng"}, res.Steps[len(res.Steps)-2:])
	})
	t.Run("a language without data fails the read", func(t *testing.T) {
		t.Parallel()
		_, err := engine.Recognize(t.Context(), page.Image, ocr.Options{Lang: "xyz"})
		require.ErrorContains(t, err, "xyz")
		_, err = warmEngine.Recognize(t.Context(), page.Image, ocr.Options{Lang: "xyz"})
		require.ErrorContains(t, err, "xyz")
	})
}

// detectionPages is how many pages per language TestAutoFindsEachLanguage reads.
const detectionPages = 3

func TestAutoFindsEachLanguage(t *testing.T) {
	t.Parallel()
	requireTesseract(t)
	requireLanguages(t)
	for _, lang := range corpus.Languages {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			for i := range detectionPages {
				res := autoRead(t, lang, i)
				require.Contains(t, res.Steps, "detect:"+lang, "page %d", i)
				require.Contains(t, res.Steps, "lang:"+lang, "page %d", i)
			}
		})
	}
}

// BenchmarkAutoLanguage reads corpus pages of each language both ways a course may ask, each
// page one way then the other so that the machine's load weighs on both alike: in the page's
// own language, and "auto" (read in English, the language found, then again in it when it is
// another). Per language it reports the seconds per page of each (s-lang, s-auto), what auto
// costs (auto-cost: their ratio), the share of pages auto found right (detected) and the mean
// CER and order-free word error of auto's reads. With a warm pool of one child per language,
// so model loading is not measured:
//
//	go test ./internal/ocr/tesseract -run '^$' -bench AutoLanguage -benchtime 10x
func BenchmarkAutoLanguage(b *testing.B) {
	requireTesseract(b)
	requireLanguages(b)
	pool, err := warm.NewPool(b.Context(), &warm.PoolConfig{Size: 1, Lang: "eng", LangsPerSlot: len(corpus.Languages)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = pool.Close() })
	engine := &tesseract.Engine{Lang: "eng", AutoLangs: corpus.Languages, Pool: pool}
	read := func(b *testing.B, page corpus.Page, lang string) (ocr.Result, time.Duration) {
		start := time.Now()
		res, err := engine.Recognize(b.Context(), page.Image, ocr.Options{Lang: lang})
		if err != nil {
			b.Fatal(err)
		}
		return res, time.Since(start)
	}
	for _, lang := range corpus.Languages {
		b.Run(lang, func(b *testing.B) {
			var inLang, inAuto time.Duration
			var cer, wordErr float64
			detected := 0
			for i := range b.N {
				page := languagePage(b, lang, i)
				_, took := read(b, page, lang)
				inLang += took
				res, took := read(b, page, ocr.LangAuto)
				inAuto += took
				cer += ocrtest.CER(res.Text, page.Truth)
				wordErr += ocrtest.WordError(res.Text, page.Truth)
				if slices.Contains(res.Steps, "lang:"+lang) {
					detected++
				}
			}
			n := float64(b.N)
			b.ReportMetric(inLang.Seconds()/n, "s-lang")
			b.ReportMetric(inAuto.Seconds()/n, "s-auto")
			b.ReportMetric(inAuto.Seconds()/inLang.Seconds(), "auto-cost")
			b.ReportMetric(float64(detected)/n, "detected")
			b.ReportMetric(cer/n, "cer")
			b.ReportMetric(wordErr/n, "word-error")
		})
	}
}

// accents returns the letters of s outside ASCII, é, à, ç, in order.
func accents(s string) []rune {
	var out []rune
	for _, r := range s {
		if r > unicode.MaxASCII && unicode.IsLetter(r) {
			out = append(out, r)
		}
	}
	return out
}

// accentsKept counts the accented letters of want that got has too, each at most as often.
func accentsKept(got, want string) int {
	have := map[rune]int{}
	for _, r := range accents(got) {
		have[r]++
	}
	kept := 0
	for _, r := range accents(want) {
		if have[r] > 0 {
			have[r]--
			kept++
		}
	}
	return kept
}
