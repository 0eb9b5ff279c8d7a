package notes_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/notes"
)

var wordRE = regexp.MustCompile(`[\p{L}\p{N}]+`)

// The built-in formatter against the corpus's pages of lecture notes, read
// perfectly: every page's structure comes out as Markdown, and no word is lost.
func TestBuiltinFormatsCorpusPages(t *testing.T) {
	t.Parallel()
	for _, page := range corpus.Pages(12) {
		out, err := notes.Builtin{}.Format(context.Background(), notes.Input{Text: page.Truth})
		require.NoError(t, err)
		md := out.Markdown
		truthLines := strings.Split(page.Truth, "\n")
		mdLines := strings.Split(md, "\n")
		count := func(lines []string, re string) int {
			n := 0
			for _, l := range lines {
				if regexp.MustCompile(re).MatchString(l) {
					n++
				}
			}
			return n
		}

		require.Equal(t, "# "+truthLines[0], mdLines[0], "page %d: the title", page.Index)
		require.Regexp(t, `(?m)^## (Key points|Remember|Summary)$`, md, "page %d: the label over the bullets", page.Index)
		require.Regexp(t, `(?m)^## (Method|How to solve it|Steps)$`, md, "page %d: the label over the steps", page.Index)
		require.Equal(t, count(truthLines, `^- `), count(mdLines, `^- `), "page %d: bullets\n%s", page.Index, md)
		require.Equal(t, count(truthLines, `^\d+\. `), count(mdLines, `^\d+\. `), "page %d: numbered steps\n%s", page.Index, md)
		for i, l := range truthLines {
			alone := (i == 0 || truthLines[i-1] == "") && (i+1 == len(truthLines) || truthLines[i+1] == "")
			if alone && strings.Contains(l, "=") {
				require.Contains(t, mdLines, l, "page %d: the formula keeps its own line", page.Index)
			}
		}
		require.Equal(t, wordRE.FindAllString(page.Truth, -1), wordRE.FindAllString(md, -1), "page %d: every word, in order", page.Index)
	}
}
