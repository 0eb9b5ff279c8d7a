package notes

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// splitChunks cuts text into parts of at most maxRunes runes, on paragraph
// boundaries (blank lines) where it can: consecutive paragraphs are packed
// together while they fit. A paragraph longer than maxRunes is cut between
// lines, and a line longer than that between words; only a single word
// longer than maxRunes is cut inside. Joined with blank lines, the parts hold
// every word of text in order.
func splitChunks(text string, maxRunes int) []string {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	var pieces []string
	for _, para := range paragraphSep.Split(strings.TrimSpace(text), -1) {
		pieces = append(pieces, fit(strings.TrimSpace(para), maxRunes, "\n")...)
	}
	return pack(pieces, maxRunes, "\n\n")
}

var paragraphSep = regexp.MustCompile(`\n[ \t]*\n\s*`)

// fit cuts s into pieces of at most max runes: by sep ("\n" for lines, then
// " " for words), then by runes.
func fit(s string, max int, sep string) []string {
	if utf8.RuneCountInString(s) <= max {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	if sep == "" {
		var out []string
		r := []rune(s)
		for len(r) > max {
			out = append(out, string(r[:max]))
			r = r[max:]
		}
		return append(out, string(r))
	}
	next := map[string]string{"\n": " ", " ": ""}[sep]
	var pieces []string
	for part := range strings.SplitSeq(s, sep) {
		pieces = append(pieces, fit(strings.TrimSpace(part), max, next)...)
	}
	return pack(pieces, max, sep)
}

// pack joins consecutive pieces with sep while the result stays within max runes.
func pack(pieces []string, max int, sep string) []string {
	var out []string
	var cur strings.Builder
	n := 0
	for _, p := range pieces {
		pn := utf8.RuneCountInString(p)
		if n > 0 && n+len(sep)+pn > max {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteString(sep)
			n += len(sep)
		}
		cur.WriteString(p)
		n += pn
	}
	if n > 0 {
		out = append(out, cur.String())
	}
	return out
}
