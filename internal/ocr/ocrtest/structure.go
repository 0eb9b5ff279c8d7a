package ocrtest

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/snapnote/snapnote/internal/corpus"
)

// WordError returns the order-free word error of got against the true text want: the words
// (split at whitespace, lower-cased, punctuation trimmed) that are not matched one to one
// between the two, counted on the longer side, divided by the number of words in want. Unlike
// WER it does not count words read in another order; it is 0 for a perfect read and +Inf when
// want has no words but got has.
func WordError(got, want string) float64 {
	g, w := bagOfWords(got), bagOfWords(want)
	total := 0
	for _, n := range w {
		total += n
	}
	gotTotal := 0
	for _, n := range g {
		gotTotal += n
	}
	if total == 0 {
		if gotTotal == 0 {
			return 0
		}
		return math.Inf(1)
	}
	matched := 0
	for word, n := range w {
		matched += min(n, g[word])
	}
	return float64(max(total, gotTotal)-matched) / float64(total)
}

func bagOfWords(s string) map[string]int {
	bag := make(map[string]int)
	for _, w := range strings.Fields(s) {
		w = strings.ToLower(strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }))
		if w != "" {
			bag[w]++
		}
	}
	return bag
}

// bulletTokens are what a list's bullet reads as, by a person or an engine.
var bulletTokens = []string{"•", "·", "-", "–", "—", "*", "▪", "■", "●", "◦", "e", "o", "©", "«", "»", "°", "¢", "@", "+", "®"}

// StripBullets removes a bullet (or what an engine made of one) at the start of each line of
// text, so that readings are compared on their words whichever glyph they gave the bullets.
func StripBullets(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) > 1 && slices.Contains(bulletTokens, f[0]) {
			lines[i] = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), f[0]))
		}
	}
	return strings.Join(lines, "\n")
}

// Structure is how many of a layout page's elements of each kind a note shows, of how many.
type Structure struct {
	Found, Total map[string]int
}

// Recall is the share of all elements found, 1 when there are none.
func (s Structure) Recall() float64 {
	found, total := 0, 0
	for k, n := range s.Total {
		total += n
		found += s.Found[k]
	}
	if total == 0 {
		return 1
	}
	return float64(found) / float64(total)
}

var (
	tableRule   = regexp.MustCompile(`^\|[\s:|-]+\|$`)
	headingLine = regexp.MustCompile(`^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
	itemLine    = regexp.MustCompile(`^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$`)
	imageRef    = regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)`)
)

// FindStructure checks which of want's elements markdown shows: a heading as a Markdown
// heading line, a list item as a list line, a table cell in its row and column of a pipe
// table (row 0 the header), a figure as an image, the i-th figure by the i-th image. Texts
// match when their character error rate, lower-cased, is at most 0.2.
func FindStructure(markdown string, want []corpus.Element) Structure {
	var headings, items []string
	var tables [][][]string
	var table [][]string
	for _, l := range strings.Split(markdown, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "|") {
			if !tableRule.MatchString(t) {
				table = append(table, splitRow(t))
			}
			continue
		}
		if table != nil {
			tables, table = append(tables, table), nil
		}
		if m := headingLine.FindStringSubmatch(l); m != nil {
			headings = append(headings, m[1])
		} else if m := itemLine.FindStringSubmatch(l); m != nil {
			items = append(items, m[1])
		}
	}
	if table != nil {
		tables = append(tables, table)
	}
	figures := len(imageRef.FindAllString(markdown, -1))

	s := Structure{Found: map[string]int{}, Total: map[string]int{}}
	figure := 0
	for _, e := range want {
		s.Total[e.Kind]++
		found := false
		switch e.Kind {
		case corpus.ElementHeading:
			found = slices.ContainsFunc(headings, func(h string) bool { return same(h, e.Text) })
		case corpus.ElementItem:
			found = slices.ContainsFunc(items, func(it string) bool { return same(it, e.Text) })
		case corpus.ElementCell:
			found = slices.ContainsFunc(tables, func(t [][]string) bool {
				return e.Row < len(t) && e.Col < len(t[e.Row]) && same(t[e.Row][e.Col], e.Text)
			})
		case corpus.ElementFigure:
			figure++
			found = figure <= figures
		}
		if found {
			s.Found[e.Kind]++
		}
	}
	return s
}

// splitRow returns the cells of a pipe table row.
func splitRow(row string) []string {
	row = strings.TrimSuffix(strings.TrimPrefix(row, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row) && row[i+1] == '|':
			cur.WriteByte('|')
			i++
		case row[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(row[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

func same(got, want string) bool {
	return CER(strings.ToLower(got), strings.ToLower(want)) <= 0.2
}
