package notes

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPlainText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"headings", "# Title\n\n## Section ##\n\n### C#", "Title\n\nSection\n\nC#"},
		{"setext heading", "Title\n=====\n\nSub\n---\ntext", "Title\n\nSub\ntext"},
		{"lists", "- one\n* two\n+ three\n1. four\n12) five\n- [ ] todo\n- [x] done", "one\ntwo\nthree\nfour\nfive\ntodo\ndone"},
		{"nested list and quote", "> - quoted item\n>> deeper", "quoted item\ndeeper"},
		{"emphasis", "**bold** and *italic* and __strong__ and ~~gone~~", "bold and italic and strong and gone"},
		{"intraword delimiters keep words apart", "snake_case a*b*c", "snake case a b c"},
		{"code", "use `go test` here\n\n```go\nx := 1\n```", "use go test here\n\nx := 1"},
		{"links and images", "see [the docs](https://x.org/a_(b)) and ![a chart](c.png) or [ref][1]", "see the docs and a chart or ref"},
		{"nested link text", "[**bold** link](u)", "bold link"},
		{"brackets that are not links", "cited [1] and [2]", "cited [1] and [2]"},
		{"link reference definition", "[1]: https://example.org \"Example\"\ntext", "text"},
		{"citation is not a link reference definition", "[1]: Smith 2003, p. 4", "[1]: Smith 2003, p. 4"},
		{"autolink and html", "<https://x.org> and <b>bold</b><br/>and a < b > c", "https://x.org and bold and a < b > c"},
		{"escapes and entities", `1985\. was \*not\* a list &amp; fine`, "1985. was *not* a list & fine"},
		{"rules", "one\n\n---\n\n* * *\n\n___\n\ntwo", "one\n\ntwo"},
		{"table", "| a | b |\n|---|:-:|\n| 1 | 2 |", "a b\n1 2"},
		{"whitespace", "  lots   of\t space  \r\n\r\n\r\n\r\nnext", "lots of space\n\nnext"},
		{"tilde alone is text", "~5 minutes", "~5 minutes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, PlainText(tc.in))
		})
	}
}

func TestWordCount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{"  \n\t", 0},
		{"hello world", 2},
		{"thermo-dynamics isn't", 4},
		{"E = mc^2", 3},
		{"Grüße, 42 Äpfel!", 3},
		{"e\u0301te\u0301 decomposed", 2},
		{"## Heading\n- item *one*", 3},
		{"🎓 emoji 😀", 1},
		{"日本語", 1},
	} {
		require.Equal(t, tc.want, WordCount(tc.in), "WordCount(%q)", tc.in)
	}
}
