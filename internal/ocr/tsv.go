package ocr

import (
	"fmt"
	"image"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TSV columns of `tesseract … tsv`, one row per page, block, paragraph, line and word.
const (
	colLevel = iota
	colPage
	colBlock
	colPar
	colLine
	colWord
	colLeft
	colTop
	colWidth
	colHeight
	colConf
	colText
)

// levelWord is the level of the rows that hold words.
const levelWord = "5"

// Word is one word Tesseract read, with where it stands in the page's layout.
type Word struct {
	// Page, Block, Par and Line number the page, block, paragraph and line the word is in,
	// as Tesseract counts them from 1.
	Page, Block, Par, Line int
	// Conf is Tesseract's confidence from 0 to 100, or -1 when it gave none.
	Conf float64
	// Text is the word as read.
	Text string
	// Box is where the word stands on the page read.
	Box image.Rectangle
}

// ParseTSV reads the word rows of Tesseract's TSV output and rebuilds the text from them (see
// WordsResult).
func ParseTSV(tsv []byte) (Result, error) {
	words, err := ParseTSVWords(tsv)
	if err != nil {
		return Result{}, err
	}
	return WordsResult(words), nil
}

// ParseTSVWords returns the word rows of Tesseract's TSV output, in order.
func ParseTSVWords(tsv []byte) ([]Word, error) {
	var words []Word
	for i, row := range strings.Split(string(tsv), "\n") {
		fields := strings.Split(strings.TrimSuffix(row, "\r"), "\t")
		if fields[colLevel] != levelWord {
			continue // the header, the page/block/paragraph/line rows, the final empty line
		}
		if len(fields) <= colText {
			return nil, fmt.Errorf("line %d: %d columns, want %d", i+1, len(fields), colText+1)
		}
		w := Word{Text: fields[colText]}
		var left, top, width, height int
		for col, n := range map[int]*int{colPage: &w.Page, colBlock: &w.Block, colPar: &w.Par, colLine: &w.Line,
			colLeft: &left, colTop: &top, colWidth: &width, colHeight: &height} {
			v, err := strconv.Atoi(fields[col])
			if err != nil {
				return nil, fmt.Errorf("line %d: column %d: %w", i+1, col+1, err)
			}
			*n = v
		}
		w.Box = image.Rect(left, top, left+width, top+height)
		conf, err := strconv.ParseFloat(fields[colConf], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: confidence: %w", i+1, err)
		}
		w.Conf = conf
		words = append(words, w)
	}
	return words, nil
}

// WordsResult rebuilds the text from the words Tesseract read, in reading order: words on a
// line joined by a space, lines by "\n", and a blank line between paragraphs and between
// blocks. Blank words are left out; words without a confidence (-1) count as words but not
// towards Confidence. Both engines, the command's TSV and the warm engines' words, end here,
// so they rebuild the same text from the same reading.
func WordsResult(words []Word) Result {
	var (
		text      strings.Builder
		res       Result
		confSum   float64
		confWords int
		prev      Word
	)
	for _, w := range words {
		word := strings.TrimSpace(w.Text)
		if word == "" {
			continue
		}
		switch {
		case res.Words == 0:
		case w.Page != prev.Page || w.Block != prev.Block || w.Par != prev.Par:
			text.WriteString("\n\n")
		case w.Line != prev.Line:
			text.WriteByte('\n')
		default:
			text.WriteByte(' ')
		}
		text.WriteString(word)
		prev = w
		res.Words++
		if w.Conf >= 0 {
			confSum += w.Conf / 100
			confWords++
		}
	}
	res.Text = text.String()
	if confWords > 0 {
		res.Confidence = confSum / float64(confWords)
	}
	return res
}

// maxStderr bounds the part of Tesseract's stderr quoted in an error.
const maxStderr = 400

// SummarizeStderr joins the non-empty lines of Tesseract's stderr with "; " and keeps the end, where
// Tesseract says why it gave up.
func SummarizeStderr(stderr string) string {
	var lines []string
	for line := range strings.Lines(stderr) {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	msg := strings.Join(lines, "; ")
	if len(msg) <= maxStderr {
		return msg
	}
	cut := len(msg) - maxStderr
	for cut < len(msg) && !utf8.RuneStart(msg[cut]) {
		cut++
	}
	return "…" + msg[cut:]
}
