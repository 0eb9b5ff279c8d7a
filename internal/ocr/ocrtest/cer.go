package ocrtest

import (
	"math"
	"strings"
)

// CER returns the character error rate of got against the true text want: the Levenshtein
// distance between them in runes divided by the number of runes in want. Both are
// whitespace-normalised first (every run of spaces and newlines becomes one space, and the ends
// are trimmed), so line breaks and paragraph spacing do not count. The result is 0 for a
// perfect read and can exceed 1; when want is empty it is 0 if got is empty too and +Inf if not.
func CER(got, want string) float64 {
	g := []rune(strings.Join(strings.Fields(got), " "))
	w := []rune(strings.Join(strings.Fields(want), " "))
	if len(w) == 0 {
		if len(g) == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return float64(levenshtein(g, w)) / float64(len(w))
}

// WER returns the word error rate of got against the true text want: the Levenshtein distance
// between their sequences of words (split at whitespace) divided by the number of words in
// want. Like CER it is 0 for a perfect read, can exceed 1, and is +Inf when want has no words
// but got has.
func WER(got, want string) float64 {
	g, w := strings.Fields(got), strings.Fields(want)
	if len(w) == 0 {
		if len(g) == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return float64(levenshtein(g, w)) / float64(len(w))
}

// levenshtein returns the number of single-element insertions, deletions and substitutions
// that turn a into b.
func levenshtein[T comparable](a, b []T) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := range a {
		cur[0] = i + 1
		for j := range b {
			cost := 1
			if a[i] == b[j] {
				cost = 0
			}
			cur[j+1] = min(prev[j+1]+1, cur[j]+1, prev[j]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
