package notes

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestTitle(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 30) + "end of the first line"
	for _, tc := range []struct {
		name, markdown, given, want string
	}{
		{"given wins", "# Heading\n\ntext", "  My   lecture\tnotes ", "My lecture notes"},
		{"blank given is ignored", "# Heading\n\ntext", " \t ", "Heading"},
		{"first heading wins over first line", "intro text\n\n## First **Heading**\n\n# Second", "", "First Heading"},
		{"heading before text", "# First **Heading** [link](x)\n\nbody", "", "First Heading link"},
		{"heading colon dropped", "## Key points:\n- a", "", "Key points"},
		{"setext heading", "Entropy\n=======\n\ntext", "", "Entropy"},
		{"heading in code is not a heading", "```sh\n# comment\n```\n\n# Real", "", "Real"},
		{"empty heading skipped", "#\n\n## Real one", "", "Real one"},
		{"first sentence", "The first law holds. Energy is conserved.", "", "The first law holds"},
		{"abbreviation does not end a sentence", "Dr. Smith explained entropy. Then more.", "", "Dr. Smith explained entropy"},
		{"question kept", "Why does entropy grow? Because.", "", "Why does entropy grow?"},
		{"first line of a list", "- heat is energy\n- work is energy", "", "heat is energy"},
		{"long first line cut on a word", long, "", strings.TrimSpace(strings.Repeat("word ", 24))},
		{"nothing usable", "", "", UntitledNote},
		{"only syntax", "---\n\n* * *\n\n#", "", UntitledNote},
		{"only punctuation", "... !!! ---", "", UntitledNote},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, Title(tc.markdown, tc.given))
		})
	}
}

func TestTitleLongWordsCutOnBoundary(t *testing.T) {
	t.Parallel()
	line := strings.Repeat("Thermodynamik-Grundlagen über Wärmeübertragung 🎓 ", 10)
	title := Title(line, "")
	require.LessOrEqual(t, utf8.RuneCountInString(title), 120)
	require.True(t, strings.HasPrefix(line, title), "title %q is not a prefix", title)
	require.Equal(t, " ", line[len(title):len(title)+1], "title %q does not end on a word boundary", title)
}

func TestExcerpt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, markdown, title string
		max                   int
		want                  string
	}{
		{"short text whole", "Energy is conserved.", "", 200, "Energy is conserved."},
		{"syntax stripped", "- **heat** is `Q`\n- see [docs](x)\n> quoted _text_", "", 200, "heat is Q see docs quoted text"},
		{"title heading skipped", "# Entropy\n\nEntropy grows.", "Entropy", 200, "Entropy grows."},
		{"title heading skipped ignoring case", "# ENTROPY\n\nEntropy grows.", "Entropy", 200, "Entropy grows."},
		{"other heading kept", "# Entropy\n\nEntropy grows.", "Lecture 3", 200, "Entropy Entropy grows."},
		{"heading kept without title", "# Entropy\n\nEntropy grows.", "", 200, "Entropy Entropy grows."},
		{"setext title heading skipped", "Entropy\n===\n\nEntropy grows.", "Entropy", 200, "Entropy grows."},
		{"cut on a word", "one two three four", "", 12, "one two…"},
		{"exact fit not cut", "one two three", "", 13, "one two three"},
		{"punctuation before the cut dropped", "one, two three", "", 8, "one…"},
		{"long word cut inside", "Donaudampfschifffahrt", "", 10, "Donaudamp…"},
		{"max one", "two words", "", 1, "…"},
		{"max zero", "text", "", 0, ""},
		{"empty", "", "", 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, Excerpt(tc.markdown, tc.title, tc.max))
		})
	}
}

func TestExcerptLongText(t *testing.T) {
	t.Parallel()
	for name, paragraph := range map[string]string{
		"ascii":      "The **first law** of thermodynamics says that `energy` is conserved in an isolated system.",
		"multi-byte": "Über die Wärme 🎓 und Entropie: Grüße aus Köln 😀, schöne Übungen für *alle* Studierenden.",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var md strings.Builder
			md.WriteString("# Lecture Title\n\n")
			for i := range 20 {
				md.WriteString("## Section\n\n" + paragraph + "\n\n- a list item\n- another `item`\n")
				if i%3 == 0 {
					md.WriteString("\n1. numbered item\n")
				}
				md.WriteString("\n")
			}
			ex := Excerpt(md.String(), "Lecture Title", 200)

			require.True(t, utf8.ValidString(ex))
			require.LessOrEqual(t, utf8.RuneCountInString(ex), 200)
			require.Greater(t, utf8.RuneCountInString(ex), 150, "excerpt %q is cut too short", ex)
			require.NotContains(t, ex, "Lecture Title")
			for _, syntax := range []string{"#", "*", "`", "-", "1.", "\n"} {
				require.NotContains(t, ex, syntax)
			}
			cut, ok := strings.CutSuffix(ex, "…")
			require.True(t, ok, "excerpt %q has no ellipsis", ex)
			full := collapseSpace(PlainText(strings.TrimPrefix(md.String(), "# Lecture Title")))
			require.True(t, strings.HasPrefix(full, cut), "excerpt %q is not a prefix of the text", ex)
			next, _ := utf8.DecodeRuneInString(full[len(cut):])
			require.False(t, isTestWordRune(next), "excerpt %q is cut inside a word", ex)
		})
	}
}

func FuzzExtract(f *testing.F) {
	for _, tc := range formatCases {
		f.Add(tc.in)
		f.Add(tc.want)
	}
	f.Add("[a [b](c)](d) ![x](y \"t\") <a href=x>y</a> `code` \\*x\\* &amp; ~~s~~")
	f.Fuzz(func(t *testing.T, markdown string) {
		plain := PlainText(markdown)
		require.True(t, utf8.ValidString(plain))

		title := Title(markdown, "")
		require.True(t, utf8.ValidString(title))
		require.NotEmpty(t, title)
		require.LessOrEqual(t, utf8.RuneCountInString(title), 120)
		require.NotContains(t, title, "\n")

		ex := Excerpt(markdown, title, 200)
		require.True(t, utf8.ValidString(ex))
		require.LessOrEqual(t, utf8.RuneCountInString(ex), 200)
		require.NotContains(t, ex, "\n")

		require.Contains(t, []string{"en", "de", "fr", "es", "it", "pt", "nl", Undetermined}, DetectLanguage(plain))
	})
}

// FuzzExcerptOfNote checks the excerpt of notes the built-in formatter makes from OCR text whose words hold no
// Markdown syntax characters, as TestExcerptLongText defines them: whatever the text and the limit, the excerpt
// is valid UTF-8 of at most the limit in runes, on one line, free of "#", "*", "`", "_", "[", "<", ">", "|" and
// "\", with no list marker, and (without its "…") a prefix of the note's plain text.
func FuzzExcerptOfNote(f *testing.F) {
	for _, tc := range formatCases {
		f.Add(tc.in, uint8(200))
	}
	f.Add(lecturePage, uint8(60))
	f.Add("o first item\no second item", uint8(5))
	f.Fuzz(func(t *testing.T, text string, limit uint8) {
		words := strings.Map(func(r rune) rune {
			if r == '\n' || r == ' ' || isTestWordRune(r) {
				return r
			}
			return ' '
		}, strings.ToValidUTF8(text, " "))
		out, err := Builtin{}.Format(context.Background(), Input{Text: words})
		require.NoError(t, err)
		md := out.Markdown
		title := Title(md, "")
		maxRunes := int(limit)

		ex := Excerpt(md, title, maxRunes)
		if maxRunes == 0 {
			require.Empty(t, ex)
			return
		}
		require.True(t, utf8.ValidString(ex), "invalid UTF-8 in %q", ex)
		require.LessOrEqual(t, utf8.RuneCountInString(ex), maxRunes)
		require.NotContains(t, ex, "\n")
		require.False(t, strings.ContainsAny(ex, "#*`_[<>|\\"), "syntax in excerpt %q of %q", ex, md)
		require.False(t, strings.HasPrefix(ex, "- "), "list marker in excerpt %q of %q", ex, md)
		full := collapseSpace(PlainText(dropTitleHeading(md, title)))
		cut := strings.TrimSuffix(ex, "…")
		require.True(t, strings.HasPrefix(full, cut), "excerpt %q is not a prefix of %q", ex, full)
	})
}
