package notes

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PlainText strips Markdown syntax from markdown and keeps the words: heading
// and list markers, block quotes, emphasis, code backticks, link and image
// syntax (keeping the link text and image alt text), HTML tags, code fences,
// rules and link reference definitions go; backslash escapes and HTML entities
// become the characters they stand for, and invalid UTF-8 becomes U+FFFD.
// Lines stay lines and blank lines between paragraphs stay (one each), with
// spaces collapsed.
//
// A "*", "_", "`" or "~~" between two word characters becomes a space rather
// than nothing, so that "snake_case" stays two words and is not glued into one.
func PlainText(markdown string) string {
	markdown = strings.ReplaceAll(strings.ToValidUTF8(markdown, "\uFFFD"), "\r\n", "\n")
	var b strings.Builder
	pendingBreak := false
	for line := range strings.SplitSeq(markdown, "\n") {
		if strings.TrimSpace(line) == "" {
			pendingBreak = b.Len() > 0
			continue
		}
		t := plainLine(line)
		if t == "" {
			continue
		}
		if b.Len() > 0 {
			if pendingBreak {
				b.WriteString("\n\n")
			} else {
				b.WriteByte('\n')
			}
		}
		pendingBreak = false
		b.WriteString(t)
	}
	return b.String()
}

// WordCount counts the words in text: runs of letters and digits (with the
// combining marks that belong to them, so a decomposed "é" does not split a
// word). Punctuation, Markdown syntax and whitespace separate words.
func WordCount(text string) int {
	n := 0
	inWord := false
	for _, r := range text {
		w := isWordRune(r)
		if w && !inWord {
			n++
		}
		inWord = w
	}
	return n
}

// isWordRune reports whether r belongs to a word. Every word the formatter
// promises to keep is a run of these.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

func hasWord(s string) bool {
	return strings.IndexFunc(s, isWordRune) >= 0
}

// plainLine turns one line of Markdown into plain text; it returns "" for
// lines that hold only syntax.
func plainLine(line string) string {
	t := strings.TrimSpace(line)
	if isFenceOrRule(t) || isLinkRefDef(t) {
		return ""
	}
	t = stripBlockMarkers(t)
	if strings.HasPrefix(t, "|") {
		t = strings.ReplaceAll(t, "|", " ")
	}
	return collapseSpace(html.UnescapeString(stripInline(t)))
}

// isFenceOrRule reports whether t is a code fence, a thematic break, a setext
// underline or a table delimiter row.
func isFenceOrRule(t string) bool {
	if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
		return true
	}
	if t == "" {
		return false
	}
	if strings.Trim(t, "|:- \t") == "" && strings.Contains(t, "-") {
		return true
	}
	c := t[0]
	return strings.IndexByte("-*_=", c) >= 0 && strings.Trim(t, string(c)+" \t") == ""
}

// stripBlockMarkers removes the block quote, list, task and heading markers
// at the start of t.
func stripBlockMarkers(t string) string {
	for n := blockMarkerLen(t); n > 0; n = blockMarkerLen(t) {
		t = stripTaskBox(strings.TrimSpace(t[n:]))
	}
	_, rest, ok := atxHeading(t)
	if !ok {
		return t
	}
	rest = strings.TrimSpace(rest)
	// A closing "###" is syntax only after a space: "C#" keeps its "#".
	if trimmed := strings.TrimRight(rest, "#"); trimmed == "" || strings.HasSuffix(trimmed, " ") || strings.HasSuffix(trimmed, "\t") {
		rest = strings.TrimSpace(trimmed)
	}
	return rest
}

// blockMarkerLen returns the length of the block quote or list marker at the
// start of t, or 0.
func blockMarkerLen(t string) int {
	switch {
	case strings.HasPrefix(t, ">"):
		return 1
	case len(t) >= 2 && strings.IndexByte("-*+", t[0]) >= 0 && (t[1] == ' ' || t[1] == '\t'):
		return 2
	}
	return orderedMarkerLen(t)
}

// orderedMarkerLen returns the length of an ordered list marker ("12." or
// "3)") at the start of t and the space after it, or 0.
func orderedMarkerLen(t string) int {
	n := strings.IndexFunc(t, func(r rune) bool { return r < '0' || r > '9' })
	if n <= 0 || n > 9 || (t[n] != '.' && t[n] != ')') {
		return 0
	}
	if n+1 == len(t) {
		return n + 1
	}
	if t[n+1] == ' ' || t[n+1] == '\t' {
		return n + 2
	}
	return 0
}

func stripTaskBox(t string) string {
	for _, box := range []string{"[ ] ", "[x] ", "[X] "} {
		if strings.HasPrefix(t, box) {
			return strings.TrimSpace(t[len(box):])
		}
	}
	return t
}

// stripInline removes inline Markdown syntax from one line.
func stripInline(s string) string {
	var b strings.Builder
	// gap stands in for removed syntax: a space when it separated two words.
	gap := func(next string) {
		last, _ := utf8.DecodeLastRuneInString(b.String())
		first, _ := utf8.DecodeRuneInString(next)
		if isWordRune(last) && isWordRune(first) {
			b.WriteByte(' ')
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			b.WriteByte(s[i+1])
			i += 2
			continue
		case c == '[' || (c == '!' && strings.HasPrefix(s[i+1:], "[")):
			start := i
			if c == '!' {
				start++
			}
			if text, end, ok := parseLink(s, start); ok {
				gap(text)
				b.WriteString(stripInline(text))
				i = end
				gap(s[i:])
				continue
			}
		case c == '<':
			if end := strings.IndexByte(s[i:], '>'); end > 1 && isTagStart(s[i+1]) {
				inner := s[i+1 : i+end]
				if !strings.ContainsAny(inner, "< \t") && (strings.Contains(inner, ":") || strings.Contains(inner, "@")) {
					b.WriteString(inner) // an autolink: the address is the text
				}
				i += end + 1
				gap(s[i:])
				continue
			}
		case c == '*' || c == '_' || c == '`' || (c == '~' && strings.HasPrefix(s[i:], "~~")):
			for i < len(s) && s[i] == c {
				i++
			}
			gap(s[i:])
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}

// parseLink parses "[text](destination)" or "[text][label]" at s[i] and
// returns the text and the index after the link.
func parseLink(s string, i int) (text string, end int, ok bool) {
	closeText := matching(s, i, '[', ']')
	if closeText < 0 || closeText+1 >= len(s) {
		return "", 0, false
	}
	var closeDest int
	switch s[closeText+1] {
	case '(':
		closeDest = matching(s, closeText+1, '(', ')')
	case '[':
		closeDest = matching(s, closeText+1, '[', ']')
	default:
		return "", 0, false
	}
	if closeDest < 0 {
		return "", 0, false
	}
	return s[i+1 : closeText], closeDest + 1, true
}

// matching returns the index of the bracket that closes the one at s[i], or -1.
func matching(s string, i int, open, closing byte) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case open:
			depth++
		case closing:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

func isTagStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!' || c == '?'
}

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}
