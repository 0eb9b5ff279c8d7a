package ocr

import (
	"fmt"
	"image"
	"strconv"
	"strings"
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

// ocrWord is one word Tesseract read, with where it stands in the page's layout.
type ocrWord struct {
	// page, block, par and line number the page, block, paragraph and line the word is in,
	// as Tesseract counts them from 1.
	page, block, par, line int
	// conf is Tesseract's confidence from 0 to 100, or -1 when it gave none.
	conf float64
	text string
	// box is where the word stands on the page read.
	box image.Rectangle
}

// parseTSV reads the word rows of Tesseract's TSV output and rebuilds the text from them (see
// wordsResult).
func parseTSV(tsv []byte) (Result, error) {
	words, err := parseTSVWords(tsv)
	if err != nil {
		return Result{}, err
	}
	return wordsResult(words), nil
}

// parseTSVWords returns the word rows of Tesseract's TSV output, in order.
func parseTSVWords(tsv []byte) ([]ocrWord, error) {
	var words []ocrWord
	for i, row := range strings.Split(string(tsv), "\n") {
		fields := strings.Split(strings.TrimSuffix(row, "\r"), "\t")
		if fields[colLevel] != levelWord {
			continue // the header, the page/block/paragraph/line rows, the final empty line
		}
		if len(fields) <= colText {
			return nil, fmt.Errorf("line %d: %d columns, want %d", i+1, len(fields), colText+1)
		}
		w := ocrWord{text: fields[colText]}
		var left, top, width, height int
		for col, n := range map[int]*int{colPage: &w.page, colBlock: &w.block, colPar: &w.par, colLine: &w.line,
			colLeft: &left, colTop: &top, colWidth: &width, colHeight: &height} {
			v, err := strconv.Atoi(fields[col])
			if err != nil {
				return nil, fmt.Errorf("line %d: column %d: %w", i+1, col+1, err)
			}
			*n = v
		}
		w.box = image.Rect(left, top, left+width, top+height)
		conf, err := strconv.ParseFloat(fields[colConf], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: confidence: %w", i+1, err)
		}
		w.conf = conf
		words = append(words, w)
	}
	return words, nil
}

// wordsResult rebuilds the text from the words Tesseract read, in reading order: words on a
// line joined by a space, lines by "\n", and a blank line between paragraphs and between
// blocks. Blank words are left out; words without a confidence (-1) count as words but not
// towards Confidence. Both engines, the command's TSV and the warm engines' words, end here,
// so they rebuild the same text from the same reading.
func wordsResult(words []ocrWord) Result {
	var (
		text      strings.Builder
		res       Result
		confSum   float64
		confWords int
		prev      ocrWord
	)
	for _, w := range words {
		word := strings.TrimSpace(w.text)
		if word == "" {
			continue
		}
		switch {
		case res.Words == 0:
		case w.page != prev.page || w.block != prev.block || w.par != prev.par:
			text.WriteString("\n\n")
		case w.line != prev.line:
			text.WriteByte('\n')
		default:
			text.WriteByte(' ')
		}
		text.WriteString(word)
		prev = w
		res.Words++
		if w.conf >= 0 {
			confSum += w.conf / 100
			confWords++
		}
	}
	res.Text = text.String()
	if confWords > 0 {
		res.Confidence = confSum / float64(confWords)
	}
	return res
}
