package ocr

import (
	"fmt"
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

// parseTSV rebuilds the text from the word rows of Tesseract's TSV output: words on a line
// joined by a space, lines by "\n", and a blank line between paragraphs and between blocks.
// Words without a confidence (-1) count as words but not towards Confidence.
func parseTSV(tsv []byte) (Result, error) {
	var (
		text      strings.Builder
		res       Result
		confSum   float64
		confWords int
		prev      [4]string // page, block, paragraph, line of the previous word
	)
	for i, row := range strings.Split(string(tsv), "\n") {
		fields := strings.Split(strings.TrimSuffix(row, "\r"), "\t")
		if fields[colLevel] != levelWord {
			continue // the header, the page/block/paragraph/line rows, the final empty line
		}
		if len(fields) <= colText {
			return Result{}, fmt.Errorf("line %d: %d columns, want %d", i+1, len(fields), colText+1)
		}
		word := strings.TrimSpace(fields[colText])
		if word == "" {
			continue
		}
		conf, err := strconv.ParseFloat(fields[colConf], 64)
		if err != nil {
			return Result{}, fmt.Errorf("line %d: confidence: %w", i+1, err)
		}

		pos := [4]string{fields[colPage], fields[colBlock], fields[colPar], fields[colLine]}
		switch {
		case res.Words == 0:
		case pos[0] != prev[0] || pos[1] != prev[1] || pos[2] != prev[2]:
			text.WriteString("\n\n")
		case pos[3] != prev[3]:
			text.WriteByte('\n')
		default:
			text.WriteByte(' ')
		}
		text.WriteString(word)
		prev = pos
		res.Words++
		if conf >= 0 {
			confSum += conf / 100
			confWords++
		}
	}
	res.Text = text.String()
	if confWords > 0 {
		res.Confidence = confSum / float64(confWords)
	}
	return res, nil
}
