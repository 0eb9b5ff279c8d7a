package notes

import (
	"context"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// formatCases are OCR texts and the Markdown Builtin makes of them. Their inputs
// also seed FuzzBuiltinKeepsWords.
var formatCases = []struct {
	name string
	in   string
	want string
}{
	// Normalising.
	{"empty", "", ""},
	{"only whitespace", " \n\t\n\r\n", ""},
	{"only junk", "|\n—\n.\n---\n", ""},
	{"windows line endings", "first line\r\nsecond line\r\n\r\nnext paragraph\r\n", "first line second line\n\nnext paragraph\n"},
	{"old mac line endings", "one\rtwo\r\rthree", "one two\n\nthree\n"},
	{"trailing and inner spaces", "  lots   of \t space   \nhere  ", "lots of space here\n"},
	{"many blank lines", "one paragraph.\n\n\n\n\nanother one.", "one paragraph.\n\nanother one.\n"},
	{"junk line inside a paragraph", "the heat flows\n|\nfrom hot to cold.", "the heat flows from hot to cold.\n"},
	{"junk line between paragraphs", "first part.\n\n— —\n\nsecond part.", "first part.\n\nsecond part.\n"},
	{"invalid utf-8", "caf\xe9 au lait", "caf\uFFFD au lait\n"},

	// Paragraphs.
	{"reflow", "The first law\nof thermodynamics\nsays energy is conserved.", "The first law of thermodynamics says energy is conserved.\n"},
	{"hyphenated word joined", "the laws of thermo-\ndynamics apply", "the laws of thermodynamics apply\n"},
	{"hyphen kept before capital", "the Anglo-\nSaxon period", "the Anglo-Saxon period\n"},
	{"hyphen kept before digit", "the pre-\n1990 data", "the pre-1990 data\n"},
	{"real hyphen before lower case is dropped too", "a well-\nknown result", "a wellknown result\n"},
	{"unicode hyphen", "thermo\u2010\ndynamics is fun", "thermodynamics is fun\n"},
	{"soft hyphen", "Thermo\u00ad\nDynamik ist toll", "ThermoDynamik ist toll\n"},
	{"spaced dash is not hyphenation", "hot -\ncold", "hot - cold\n"},
	{"hyphen before punctuation", "see also-\n(later)", "see also- (later)\n"},

	// Headings.
	{"all caps alone", "intro text.\n\nTHERMODYNAMICS\n\nmore text.", "intro text.\n\n# THERMODYNAMICS\n\nmore text.\n"},
	{"title case alone", "intro text.\n\nThe Laws of Motion\n\nmore text.", "intro text.\n\n# The Laws of Motion\n\nmore text.\n"},
	{"first line without blank after", "Heat Engines\nA heat engine turns heat into work.", "# Heat Engines\n\nA heat engine turns heat into work.\n"},
	{"first line continued in lower case", "The Quick Brown Fox\njumps over the dog.", "The Quick Brown Fox jumps over the dog.\n"},
	{"second heading is level two", "LECTURE 3\n\nIntro.\n\nEntropy And Heat\n\nText.", "# LECTURE 3\n\nIntro.\n\n## Entropy And Heat\n\nText.\n"},
	{"short sentence is not a heading", "Some text.\n\nThe sun is hot\n\nMore text.", "Some text.\n\nThe sun is hot\n\nMore text.\n"},
	{"title case sentence with period", "Some text.\n\nThe Sun Is Hot.\n\nMore text.", "Some text.\n\nThe Sun Is Hot.\n\nMore text.\n"},
	{"title case line ending in comma", "Some text.\n\nDear Students,\n\nMore text.", "Some text.\n\nDear Students,\n\nMore text.\n"},
	{"title case inside a paragraph", "some text\nThe Laws of Motion\nmore text", "some text The Laws of Motion more text\n"},
	{"too many words", "Text.\n\nOne Two Three Four Five Six Seven Eight Nine\n\nText.", "Text.\n\nOne Two Three Four Five Six Seven Eight Nine\n\nText.\n"},
	{"too long", "Text.\n\nInternationalization Considerations Regarding Thermodynamical Systems\n\nText.", "Text.\n\nInternationalization Considerations Regarding Thermodynamical Systems\n\nText.\n"},
	{"colon before a list", "Text.\n\nThe main results:\n- energy is conserved\n- entropy grows", "Text.\n\n# The main results\n\n- energy is conserved\n- entropy grows\n"},
	{"colon before a list after a blank line", "Text.\n\nthree laws:\n\n1. first\n2. second", "Text.\n\n# three laws\n\n1. first\n2. second\n"},
	{"colon without a list", "Text.\n\nthe result is:\n\nenergy is conserved.", "Text.\n\nthe result is:\n\nenergy is conserved.\n"},
	{"markdown heading kept", "# Thermodynamics\n\nintro\n\n### Details\ntext", "# Thermodynamics\n\nintro\n\n### Details\n\ntext\n"},
	{"markdown heading counts as first", "## Given Heading\n\ntext\n\nInferred Heading\n\ntext", "## Given Heading\n\ntext\n\n## Inferred Heading\n\ntext\n"},
	{"markdown heading spacing", "##   Spaced    out  ", "## Spaced out\n"},
	{"hashtag is not a heading", "#hashtag in text", "#hashtag in text\n"},
	{"seven hashes are not a heading", "####### seven", "####### seven\n"},
	{"numbered section title", "Text.\n\n2.1 Kinetic Energy\n\nText.", "Text.\n\n# 2.1 Kinetic Energy\n\nText.\n"},

	// Bullet lists.
	{"bullet markers", "- dash\n* star\n+ plus\n• dot\n· middle dot\n◦ circle\n▪ square\n● disc\n– en dash\n— em dash\n> angle",
		"- dash\n- star\n- plus\n- dot\n- middle dot\n- circle\n- square\n- disc\n- en dash\n- em dash\n- angle\n"},
	{"ocr bullets", "o first\no second", "- first\n- second\n"},
	{"ocr bullet inside a list", "- first\no second", "- first\n- second\n"},
	{"ocr bullet before a list", "o first\n- second", "- first\n- second\n"},
	{"lone o is a word", "o professor disse que\na energia se conserva.", "o professor disse que a energia se conserva.\n"},
	{"marker needs a space", "-5 degrees\n*emphasis*\n•dot", "-5 degrees *emphasis* •dot\n"},
	{"continuation line", "- energy is\nconserved\n- entropy", "- energy is conserved\n- entropy\n"},
	{"indented continuation", "- energy is\n    always conserved\n- entropy", "- energy is always conserved\n- entropy\n"},
	{"hyphenated continuation", "- thermo-\n  dynamics\n- next", "- thermodynamics\n- next\n"},
	{"blank line ends the list", "- item\n\nparagraph after.", "- item\n\nparagraph after.\n"},
	{"paragraph then list", "We know:\nthat\n- a\n- b", "We know: that\n\n- a\n- b\n"},
	{"list item text that looks like markdown", "- # not a heading\n- 1. not numbered\n- > not a quote", "- \\# not a heading\n- 1\\. not numbered\n- \\> not a quote\n"},
	{"nested markers kept", "- top\n  - nested\n  o ocr nested\n      - deeper", "- top\n  - nested\n  - ocr nested\n      - deeper\n"},
	{"nesting needs a list above", "  - alone\n\n  - apart", "- alone\n\n- apart\n"},
	{"table rows kept as they are", "Results\n\n| Day | Trains |\n| --- | --- |\n| Mon | 14 |\nafter",
		"# Results\n\n| Day | Trains |\n| --- | --- |\n| Mon | 14 |\n\nafter\n"},

	// Numbered lists.
	{"numbered markers", "1. one\n2) two\n(3) three\n10. ten", "1. one\n2. two\n3. three\n10. ten\n"},
	{"numbers kept", "3. three\n7. seven", "3. three\n7. seven\n"},
	{"four digits are not a marker", "1985. was a year", "1985\\. was a year\n"},
	{"four digits with parenthesis", "2024) was too", "2024\\) was too\n"},
	{"letters", "a) alpha\n(b) beta\nc. gamma\nD) delta", "- a) alpha\n- (b) beta\n- c. gamma\n- D) delta\n"},
	{"roman numerals", "i. one\nii) two\n(iii) three\nIV. four", "- i. one\n- ii) two\n- (iii) three\n- IV. four\n"},
	{"initial is not a marker", "J. Smith wrote it.", "J. Smith wrote it.\n"},
	{"word with period is not a marker", "Fig. 3 shows it.", "Fig. 3 shows it.\n"},
	{"decimal is not a marker", "1.5 kg of water", "1.5 kg of water\n"},
	{"numbered after bullets", "- bullet\n1. number", "- bullet\n\n1. number\n"},
	{"number alone", "Text.\n\n12.\n\nText.", "Text.\n\n12\\.\n\nText.\n"},

	// Formulas.
	{"formula isolated", "The energy is\nE = mc^2\nfor a body at rest.", "The energy is\n\nE = mc^2\n\nfor a body at rest.\n"},
	{"formulas", "a^2 + b^2 = c^2\n∫ f(x) dx\nPV = nRT\ndU = δQ − δW\n2 + 3 * 4",
		"a^2 + b^2 = c^2\n\n∫ f(x) dx\n\nPV = nRT\n\ndU = δQ − δW\n\n2 + 3 * 4\n"},
	{"formula spacing kept", "  x  =  y + 1  ", "x  =  y + 1\n"},
	{"formula inside a sentence", "The energy E = mc^2 is conserved\nin every frame.", "The energy E = mc^2 is conserved in every frame.\n"},
	{"prose with relations", "x = 5 and y = 6 so the sum is 11\nas expected", "x = 5 and y = 6 so the sum is 11 as expected\n"},
	{"formula after a list item", "- item\nE = mc^2\n- next", "- item\n\nE = mc^2\n\n- next\n"},
	{"formula is not a heading", "Text.\n\nE = MC^2\n\nText.", "Text.\n\nE = MC^2\n\nText.\n"},

	// Markdown that would change the meaning.
	{"html", "<div> is a tag\n\n< 5 is fine", "\\<div> is a tag\n\n< 5 is fine\n"},
	{"code fence", "```go code", "\\```go code\n"},
	{"link reference definition", "[1]: https://example.org", "\\[1]: https://example.org\n"},
	{"citation is not a link reference definition", "[1]: Smith 2003, p. 4", "[1]: Smith 2003, p. 4\n"},
	{"plus line with text", "+5 points", "+5 points\n"},
}

func TestBuiltinFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range formatCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := Builtin{}.Format(context.Background(), Input{Text: tc.in, Context: "ignored"})
			require.NoError(t, err)
			require.Equal(t, EngineBuiltin, out.Engine)
			require.Equal(t, tc.want, out.Markdown)
			requireKeepsWords(t, tc.in, out.Markdown)
		})
	}
}

func TestBuiltinFormatCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Builtin{}.Format(ctx, Input{Text: "some text"})
	require.ErrorIs(t, err, context.Canceled)
}

func TestBuiltinKeepsWords(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		lecturePage,
		benchmarkText(),
		"o o o\no o\no",
		"a-\nb-\nc-\nd",
		"x-\n|\ny",
		"o-\no x\no y",
		"(1)\n(a) b\n(iv)x\n1.\n1.x",
		"Ünïcödé Tëxt\n\nGrüße aus Köln: 🎓 émoji 😀\n- ü-\n  ber",
		"e\u0301-\nta\u0301\n\ne\u0301 e\u0301",
		"\u0085o x\n\u2028o y",
	} {
		out, err := Builtin{}.Format(context.Background(), Input{Text: in})
		require.NoError(t, err)
		requireKeepsWords(t, in, out.Markdown)
	}
}

func FuzzBuiltinKeepsWords(f *testing.F) {
	for _, tc := range formatCases {
		f.Add(tc.in)
	}
	f.Add(lecturePage)
	f.Fuzz(func(t *testing.T, in string) {
		out, err := Builtin{}.Format(context.Background(), Input{Text: in})
		require.NoError(t, err)
		requireKeepsWords(t, in, out.Markdown)
		md := out.Markdown
		require.True(t, utf8.ValidString(md), "invalid UTF-8 in %q", md)
		require.NotContains(t, md, "\r")
		require.NotContains(t, md, "\n\n\n")
		for line := range strings.SplitSeq(md, "\n") {
			if _, ok := parseMarker(strings.TrimSpace(line)); ok {
				line = strings.TrimLeft(line, " ") // a nested list item's indent
			}
			require.Equal(t, strings.TrimSpace(line), line, "line not trimmed in %q", md)
		}
	})
}

func BenchmarkBuiltinFormat(b *testing.B) {
	text := benchmarkText()
	b.SetBytes(int64(len(text)))
	ctx := context.Background()
	for b.Loop() {
		if _, err := (Builtin{}).Format(ctx, Input{Text: text}); err != nil {
			b.Fatal(err)
		}
	}
}

// lecturePage is a page of OCR text with every construct the formatter knows.
const lecturePage = `THERMODYNAMICS

Lecture 3 - The First Law

The first law of thermo-
dynamics states that the energy of an
isolated system is conserved. Heat and
work are two ways of transferring it.
|
The change of internal energy is

dU = δQ − δW

Key points:
• energy is conserved
o heat is not a state function,
  neither is work
o work depends on the path
1) isothermal
2) adiabatic
(3) isobaric
a) reversible
b) irreversible

Summary
In a cyclic process ΔU = 0, so Q = W.
`

// benchmarkText is about 3000 words of lecture notes.
func benchmarkText() string {
	var b strings.Builder
	for WordCount(b.String()) < 3000 {
		b.WriteString(lecturePage)
		b.WriteString("\n\n")
	}
	return b.String()
}

// srcWord is a word of formatter input and what the formatter may do to it.
type srcWord struct {
	text string
	// lineStart: the word begins its line, so an "o" may be an OCR bullet.
	lineStart bool
	// hyphenBreak: a hyphen and a line break follow, so the word may be joined
	// to the next.
	hyphenBreak bool
}

func inputWords(s string) []srcWord {
	var words []srcWord
	lineStart := true
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isTestWordRune(r) {
			switch {
			case r == '\n' || r == '\r':
				lineStart = true
			case !unicode.IsSpace(r):
				lineStart = false
			}
			i += size
			continue
		}
		end := i
		for end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			if !isTestWordRune(r) {
				break
			}
			end += size
		}
		w := srcWord{text: s[i:end], lineStart: lineStart}
		if h, _ := utf8.DecodeRuneInString(s[end:]); strings.ContainsRune("-\u2010\u00ad", h) {
			sep := s[end:]
			if next := strings.IndexFunc(sep, isTestWordRune); next >= 0 {
				sep = sep[:next]
			}
			w.hyphenBreak = strings.ContainsAny(sep, "\n\r")
		}
		words = append(words, w)
		lineStart = false
		i = end
	}
	return words
}

func outputWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !isTestWordRune(r) })
}

// isTestWordRune is the test's own idea of a word character, independent of
// the package's.
func isTestWordRune(r rune) bool {
	return unicode.In(r, unicode.L, unicode.N, unicode.M)
}

// requireKeepsWords checks that every word of in appears in out, in order,
// and nothing else does. Two exceptions: words separated by a hyphen and a line
// break may be joined, and an "o" starting a line may be dropped (an OCR bullet).
func requireKeepsWords(t testing.TB, in, out string) {
	t.Helper()
	src, dst := inputWords(in), outputWords(out)
	type pos struct{ i, j int }
	memo := map[pos]bool{}
	var match func(i, j int) bool
	match = func(i, j int) bool {
		if j == len(dst) {
			for ; i < len(src); i++ {
				if !isOCRBullet(src[i]) {
					return false
				}
			}
			return true
		}
		if i == len(src) {
			return false
		}
		if ok, seen := memo[pos{i, j}]; seen {
			return ok
		}
		ok := false
		joined := ""
		for k := i; k < len(src) && !ok; k++ {
			joined += src[k].text
			if joined == dst[j] {
				ok = match(k+1, j+1)
			}
			if !src[k].hyphenBreak || !strings.HasPrefix(dst[j], joined) {
				break
			}
		}
		if !ok && isOCRBullet(src[i]) {
			ok = match(i+1, j)
		}
		memo[pos{i, j}] = ok
		return ok
	}
	if !match(0, 0) {
		texts := make([]string, len(src))
		for i, w := range src {
			texts[i] = w.text
		}
		require.Failf(t, "words changed", "input %q\noutput %q\ninput words  %q\noutput words %q", in, out, texts, dst)
	}
}

func isOCRBullet(w srcWord) bool { return w.lineStart && w.text == "o" }

func TestRequireKeepsWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, out string
		ok      bool
	}{
		{"a b c", "a b c", true},
		{"a b c", "# a\n\n- b c", true},
		{"a b c", "a c", false},
		{"a b c", "a c b", false},
		{"a b c", "a b c d", false},
		{"thermo-\ndynamics", "thermodynamics", true},
		{"thermo-dynamics", "thermodynamics", false},
		{"thermo\ndynamics", "thermodynamics", false},
		{"o x\no y", "- x\n- y", true},
		{"x o y", "x y", false},
		{"o o", "- o", true},
	} {
		rec := &recordingTB{TB: t}
		func() {
			defer func() { _ = recover() }()
			requireKeepsWords(rec, tc.in, tc.out)
		}()
		require.Equal(t, !tc.ok, rec.failed, "in %q out %q", tc.in, tc.out)
	}
}

// recordingTB records a failure instead of failing the test.
type recordingTB struct {
	testing.TB
	failed bool
}

func (r *recordingTB) Errorf(string, ...any) { r.failed = true }
func (r *recordingTB) FailNow()              { r.failed = true; panic(r) }
func (r *recordingTB) Helper()               {}
