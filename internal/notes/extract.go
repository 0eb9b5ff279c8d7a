package notes

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// UntitledNote is the title of a note that has no usable words.
const UntitledNote = "Untitled note"

// maxTitleRunes bounds an inferred title. A title given at upload is not cut:
// a user who typed it should be told it is too long, not find it shortened.
const maxTitleRunes = 120

// Title returns given, trimmed and with its whitespace collapsed (and invalid
// UTF-8 replaced, which Postgres would refuse), when it is not empty. Otherwise it infers a title from markdown: the text of the first
// heading that has a word in it, else the first sentence of the first line
// with a word in it. An inferred title has its Markdown syntax stripped, is
// cut on a word boundary to at most 120 runes, and loses trailing punctuation
// such as ":" or a final period. Title returns UntitledNote when there is
// nothing usable.
func Title(markdown, given string) string {
	if t := collapseSpace(strings.ToValidUTF8(given, "\uFFFD")); t != "" {
		return t
	}
	for _, h := range headings(markdown) {
		if t := titleFrom(PlainText(h)); t != "" {
			return t
		}
	}
	for line := range strings.SplitSeq(PlainText(markdown), "\n") {
		if t := titleFrom(firstSentence(line)); t != "" {
			return t
		}
	}
	return UntitledNote
}

// titleFrom makes a title of plain text, or returns "" if it has no word.
func titleFrom(text string) string {
	text = collapseSpace(text)
	if !hasWord(text) {
		return ""
	}
	return strings.TrimRightFunc(cutAtWord(text, maxTitleRunes), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(".,:;-–—", r)
	})
}

// firstSentence returns line up to the end of its first sentence. A sentence
// ends at ".", "!", "?" or "…" followed by a space and a capital letter or
// digit, after at least three words, so that "Dr. Smith" or "e.g. this" do not
// end one.
func firstSentence(line string) string {
	words := 0
	inWord := false
	for i, r := range line {
		if w := isWordRune(r); w != inWord {
			inWord = w
			if w {
				words++
			}
		}
		if words < 3 || !strings.ContainsRune(".!?…", r) {
			continue
		}
		rest := line[i+utf8.RuneLen(r):]
		next, size := utf8.DecodeRuneInString(rest)
		after, _ := utf8.DecodeRuneInString(rest[size:])
		if unicode.IsSpace(next) && (unicode.IsUpper(after) || unicode.IsDigit(after)) {
			return line[:i+utf8.RuneLen(r)]
		}
	}
	return line
}

// headings returns the lines of the ATX and setext headings of markdown, in
// order, skipping fenced code where "#" starts comments.
func headings(markdown string) []string {
	lines := markdownLines(markdown)
	var out []string
	inFence := false
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			inFence = !inFence
			continue
		}
		if !inFence && headingLines(lines, i) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// headingLines returns how many lines the heading at lines[i] takes: 1 for
// "# Heading", 2 for a line underlined with "===" or "---", 0 for no heading.
func headingLines(lines []string, i int) int {
	t := strings.TrimSpace(lines[i])
	if _, _, ok := atxHeading(t); ok {
		return 1
	}
	if t == "" || isFenceOrRule(t) || i+1 == len(lines) {
		return 0
	}
	u := strings.TrimSpace(lines[i+1])
	if u != "" && (strings.Trim(u, "=") == "" || strings.Trim(u, "-") == "") {
		return 2
	}
	return 0
}

func markdownLines(markdown string) []string {
	return strings.Split(strings.ReplaceAll(markdown, "\r\n", "\n"), "\n")
}

// Excerpt returns a plain-text preview of markdown of at most maxRunes runes:
// no Markdown syntax, whitespace collapsed to single spaces. When the text is
// longer it is cut on a word boundary and "…" appended, counted in maxRunes; a
// single word longer than that is cut inside the word. When title is not empty
// and the note starts with a heading whose text is the title, that heading is
// left out, since a preview shown under the title would repeat it.
// Excerpt returns "" when maxRunes < 1.
func Excerpt(markdown, title string, maxRunes int) string {
	if maxRunes < 1 {
		return ""
	}
	if title != "" {
		markdown = dropTitleHeading(markdown, title)
	}
	text := collapseSpace(PlainText(markdown))
	if utf8.RuneCountInString(text) <= maxRunes {
		return text
	}
	return cutAtWord(text, maxRunes-1) + "…"
}

// dropTitleHeading returns markdown without its first line when that line
// is a heading whose text is the title, either as written or as Title would
// infer it.
func dropTitleHeading(markdown, title string) string {
	lines := markdownLines(markdown)
	first := 0
	for first < len(lines) && strings.TrimSpace(lines[first]) == "" {
		first++
	}
	if first == len(lines) {
		return markdown
	}
	n := headingLines(lines, first)
	if n == 0 {
		return markdown
	}
	text := collapseSpace(PlainText(lines[first]))
	if !strings.EqualFold(text, collapseSpace(title)) && titleFrom(text) != title {
		return markdown
	}
	return strings.Join(lines[first+n:], "\n")
}

// cutAtWord cuts s to at most limit runes, at the last space that fits, and
// drops the punctuation the cut leaves dangling. A single word longer than
// limit is cut inside.
func cutAtWord(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	end := 0
	for range limit {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
	}
	hard := s[:end]
	cut := hard
	if next, _ := utf8.DecodeRuneInString(s[end:]); !unicode.IsSpace(next) {
		cut = cut[:max(strings.LastIndexFunc(cut, unicode.IsSpace), 0)]
	}
	cut = strings.TrimRightFunc(cut, isDangling)
	if cut == "" {
		return hard
	}
	return cut
}

// isDangling reports whether r, left at the end of a cut text, would read as
// the start of something that was cut off: spaces, punctuation such as "," or
// "-", and math symbols such as "=". Closing brackets and quotes stay.
func isDangling(r rune) bool {
	if unicode.In(r, unicode.Pe, unicode.Pf) || r == '"' || r == '\'' {
		return false
	}
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.Is(unicode.Sm, r)
}
