package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/snapnote/snapnote/internal/corpus"
	"github.com/snapnote/snapnote/internal/notes"
)

// realClass is the class of the real pages read with --real.
const realClass = "real"

// realSamples loads the real pages of dir: every .png, .jpg or .jpeg file whose truth, as
// Markdown written by people, is beside it in NAME.gt.md. Files without truth are skipped;
// a directory without any page is an error.
func realSamples(dir string) ([]corpus.Sample, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("real pages: %w", err)
	}
	var out []corpus.Sample
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		typ := map[string]string{".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}[ext]
		if typ == "" || e.IsDir() {
			continue
		}
		name := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
		md, err := os.ReadFile(filepath.Join(dir, name+".gt.md"))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("real pages: %w", err)
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("real pages: %w", err)
		}
		truth, structure := markdownTruth(string(md))
		out = append(out, corpus.Sample{Name: "real-" + name, Class: realClass, Encoded: data, ContentType: typ,
			Truth: truth, Structure: structure})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("real pages: no image with a NAME.gt.md beside it in %s", dir)
	}
	return out, nil
}

var (
	mdTableRule = regexp.MustCompile(`^\|[\s:|-]+\|$`)
	mdHeading   = regexp.MustCompile(`^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
	mdItem      = regexp.MustCompile(`^\s*(?:[-*+•]|\d{1,3}[.)])\s+(.*)$`)
	mdNumber    = regexp.MustCompile(`^(\d{1,3})([.)])\s`)
	mdImage     = regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)`)
)

// markdownTruth turns a page's truth written as Markdown into the text a perfect reader
// outputs (Markdown syntax gone but the numbers of numbered items, a table row by row with its
// cells joined by spaces, images left out) and the structure its note must show: headings,
// list items, table cells with empty ones left out, and figures.
func markdownTruth(md string) (string, []corpus.Element) {
	var (
		lines     []string
		structure []corpus.Element
		row       = -1
	)
	for _, l := range strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(l)
		for range mdImage.FindAllString(t, -1) {
			structure = append(structure, corpus.Element{Kind: corpus.ElementFigure})
		}
		t = strings.TrimSpace(mdImage.ReplaceAllString(t, ""))
		if strings.HasPrefix(t, "|") {
			if mdTableRule.MatchString(t) {
				continue
			}
			row++
			cells := strings.Split(strings.Trim(t, "|"), "|")
			var texts []string
			for c, cell := range cells {
				cell = strings.TrimSpace(cell)
				if cell == "" {
					continue
				}
				texts = append(texts, cell)
				structure = append(structure, corpus.Element{Kind: corpus.ElementCell, Text: cell, Row: row, Col: c})
			}
			lines = append(lines, strings.Join(texts, " "))
			continue
		}
		row = -1
		if m := mdHeading.FindStringSubmatch(t); m != nil {
			structure = append(structure, corpus.Element{Kind: corpus.ElementHeading, Text: notes.PlainText(m[1])})
		} else if m := mdItem.FindStringSubmatch(t); m != nil {
			structure = append(structure, corpus.Element{Kind: corpus.ElementItem, Text: notes.PlainText(m[1])})
			// A numbered item's number is printed on the page, as a bullet is not: it stays in
			// the text, escaped so that it is not taken for list syntax.
			t = mdNumber.ReplaceAllString(t, `$1\$2 `)
		}
		lines = append(lines, t)
	}
	return notes.PlainText(strings.Join(slices.Clip(lines), "\n")), structure
}
