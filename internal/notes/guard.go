package notes

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the content guard. An LLM asked to format may fix OCR errors,
// join hyphenated words, drop stray letters and add a heading; that moves a
// few percent of the words. Losing more than 15% of them means sentences went
// missing; more than 25% new words means the model wrote text of its own.
const (
	minRecall   = 0.85
	maxNovelty  = 0.25
	minWordsOff = 3 // below this many words dropped or added, short notes always pass
)

// verdict is the content guard's finding on one formatted text.
type verdict struct {
	recall  float64 // share of the input's words found in the output
	novelty float64 // share of the output's words not in the input
	reason  string  // why the output is rejected; "" when it is accepted
}

// checkContent compares the words of OCR text with those of the Markdown a
// model made of it. Words are compared as lowercase multisets, without
// Markdown syntax, LaTeX commands and trivial words (one letter, articles and
// other small words), so that formatting alone changes nothing. A word the
// model corrected ("tne" → "the", "energv" → "energy") still counts as kept.
func checkContent(ocrText, markdown string) verdict {
	in := contentWords(imageAlts(ocrText))
	out := contentWords(PlainText(markdown))
	if len(in) == 0 {
		// Nothing to keep; a reply with words of its own invented them.
		v := verdict{recall: 1}
		if len(out) > 0 {
			v.novelty = 1
		}
		if len(out) >= minWordsOff {
			v.reason = "added words to an OCR text without any"
		}
		return v
	}
	if len(out) == 0 {
		return verdict{reason: "returned a note without the OCR text's words"}
	}
	matched := matchWords(in, out)
	v := verdict{
		recall:  float64(matched) / float64(len(in)),
		novelty: float64(len(out)-matched) / float64(len(out)),
	}
	switch {
	case v.recall < minRecall && len(in)-matched >= minWordsOff:
		v.reason = fmt.Sprintf("dropped %d%% of the OCR words", percent(1-v.recall))
	case v.novelty > maxNovelty && len(out)-matched >= minWordsOff:
		v.reason = fmt.Sprintf("added %d%% words not in the OCR text", percent(v.novelty))
	default:
		v.reason = checkStructure(ocrText, markdown)
	}
	return v
}

// checkStructure compares the list items, filled table cells and images of the OCR text,
// which the OCR stage writes as Markdown where it finds them, with those of the model's note:
// fewer items or cells means the model dropped or merged some; an image must stay with its
// link as it was, or the note loses a figure. It returns why the note is rejected, or "".
func checkStructure(ocrText, markdown string) string {
	inItems, inCells := countStructure(ocrText)
	outItems, outCells := countStructure(markdown)
	kept := imageLinks(markdown)
	for _, link := range imageLinks(ocrText) {
		if i := slices.Index(kept, link); i >= 0 {
			kept = slices.Delete(kept, i, i+1)
			continue
		}
		return fmt.Sprintf("dropped the figure %s", link)
	}
	switch {
	case outCells < inCells:
		return fmt.Sprintf("kept %d of the %d table cells", outCells, inCells)
	case outItems < inItems:
		return fmt.Sprintf("kept %d of the %d list items", outItems, inItems)
	}
	return ""
}

var (
	listItemLine = regexp.MustCompile(`^\s*(?:[-*+]|\d{1,3}[.)])\s+\S`)
	tableRuleRow = regexp.MustCompile(`^\|[\s:|-]+\|$`)
)

// countStructure counts the list items and the filled cells of pipe tables in markdown.
func countStructure(markdown string) (items, cells int) {
	for _, l := range strings.Split(markdown, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case isTableRow(t) && !tableRuleRow.MatchString(t):
			for _, c := range strings.Split(strings.Trim(t, "|"), "|") {
				if strings.TrimSpace(c) != "" {
					cells++
				}
			}
		case listItemLine.MatchString(l):
			items++
		}
	}
	return items, cells
}

func percent(f float64) int { return int(math.Round(f * 100)) }

// matchWords counts the words of in that out keeps: exactly, else as a close
// spelling (an OCR fix). Each word of out matches at most one of in.
func matchWords(in, out []string) int {
	left := map[string]int{}
	for _, w := range out {
		left[w]++
	}
	matched := 0
	var missing []string
	for _, w := range in {
		if left[w] > 0 {
			left[w]--
			matched++
		} else {
			missing = append(missing, w)
		}
	}
	// Unmatched output words, by length, for the fuzzy pass. Its cost is
	// bounded: a reply with thousands of strange words is rejected anyway.
	byLen := map[int][]string{}
	spare := 0
	for w, n := range left {
		for range n {
			byLen[utf8.RuneCountInString(w)] = append(byLen[utf8.RuneCountInString(w)], w)
			spare++
		}
	}
	if spare == 0 || len(missing)*spare > 200_000 {
		return matched
	}
	for _, w := range missing {
		n := utf8.RuneCountInString(w)
		if n < 3 {
			continue
		}
		if matchClose(byLen, w, n) {
			matched++
		}
	}
	return matched
}

// matchClose finds and removes a word of byLen within the edit distance OCR
// errors make in a word of n runes: 1 up to 5 runes, 2 beyond.
func matchClose(byLen map[int][]string, w string, n int) bool {
	limit := 1
	if n > 5 {
		limit = 2
	}
	for l := n - limit; l <= n+limit; l++ {
		for i, cand := range byLen[l] {
			if editDistance(w, cand, limit) <= limit {
				byLen[l] = append(byLen[l][:i], byLen[l][i+1:]...)
				return true
			}
		}
	}
	return false
}

// editDistance returns the Levenshtein distance between a and b in runes,
// or limit+1 as soon as it is known to exceed limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := range ra {
		cur[0] = i + 1
		best := cur[0]
		for j := range rb {
			cost := 1
			if ra[i] == rb[j] {
				cost = 0
			}
			cur[j+1] = min(prev[j+1]+1, cur[j]+1, prev[j]+cost)
			best = min(best, cur[j+1])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// contentWords returns the lowercase words of text that carry content: runs
// of letters and digits, without LaTeX commands ("\frac") and trivial words.
func contentWords(text string) []string {
	var words []string
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := strings.ToLower(text[start:end])
		command := start > 0 && text[start-1] == '\\'
		if !command && !trivialWord(w) {
			words = append(words, w)
		}
		start = -1
	}
	for i, r := range text {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(text))
	return words
}

// trivialWords are small words a model adds or drops when it repairs a
// sentence, without changing what the note says.
var trivialWords = map[string]bool{
	"is": true, "are": true, "was": true, "were": true, "be": true, "been": true,
	"it": true, "its": true, "this": true, "that": true, "these": true, "those": true,
	"which": true, "so": true,
	"ist": true, "sind": true, "est": true, "es": true, "que": true, "une": true, "un": true,
}

// trivialWord reports whether w (lower case) says nothing on its own: a
// single letter (OCR noise, or a variable a formula keeps anyway) or a small
// word such as an article or a preposition.
func trivialWord(w string) bool {
	if r, size := utf8.DecodeRuneInString(w); size == len(w) && unicode.IsLetter(r) {
		return true
	}
	return smallWords[w] || trivialWords[w]
}
