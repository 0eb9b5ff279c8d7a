package notes

import (
	"regexp"
	"strings"
)

// Tidy cleans Markdown written by a model: Windows line endings, invalid
// UTF-8, a code fence around the whole note (models add one although asked
// not to), trailing spaces, and runs of blank lines become what Builtin
// writes. The result ends in a newline unless it is empty. Words are never
// changed.
func Tidy(markdown string) string {
	s := strings.ReplaceAll(strings.ToValidUTF8(markdown, "\uFFFD"), "\r\n", "\n")
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r", "\n"))
	if m := wholeFence.FindStringSubmatch(s); m != nil {
		s = strings.TrimSpace(m[1])
	}
	var b strings.Builder
	blank := false
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRight(line, " \t")
		if line == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteString("\n")
		}
		blank = false
		b.WriteString(line)
		b.WriteString("\n")
	}
	return b.String()
}

// wholeFence matches a note wrapped in one code fence, as in "```markdown\n…\n```".
var wholeFence = regexp.MustCompile("(?s)^```(?:markdown|md)?[ \t]*\n(.*)\n```$")
