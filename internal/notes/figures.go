package notes

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/snapnote/snapnote/internal/ocr/layout"
)

// A figure travels through the pipeline as a Markdown image whose link names it. The OCR
// stage finds it on a page as "![Figure k](figure:k)" (package ocr/layout), the k-th figure of
// the page; PageFigures makes that "figure:p.k", the k-th figure of the upload's page p, so
// that the pages' texts can be joined; the formatters keep the image as it is (Builtin on a
// line of its own; the LLM's note is rejected by the content guard when it drops one); and
// LinkFigures points it where the note's figures are served once the note exists.
var (
	pageFigure   = regexp.MustCompile(`!\[[^\]\n]*\]\(` + regexp.QuoteMeta(layout.FigureScheme) + `(\d+)\)`)
	uploadFigure = regexp.MustCompile(`!\[[^\]\n]*\]\(` + regexp.QuoteMeta(layout.FigureScheme) + `(\d+)\.(\d+)\)`)
	// image is a Markdown image with a plain link, what a figure is in a note.
	image     = regexp.MustCompile(`!\[[^\]\n]*\]\(([^()\s]+)\)`)
	imageLine = regexp.MustCompile(`^(?:!\[[^\]\n]*\]\([^()\s]+\)\s*)+$`)
)

// PageFigures names the figures of page p of an upload in markdown, the page's Markdown as the
// OCR stage read it: "figure:k" becomes "figure:p.k" for k from 1 to count, the figures the
// engine cut from the page. A link to a figure beyond count (an engine that found figures but
// kept none) is removed with the line it leaves empty.
func PageFigures(markdown string, p, count int) string {
	out := pageFigure.ReplaceAllStringFunc(markdown, func(m string) string {
		k, _ := strconv.Atoi(pageFigure.FindStringSubmatch(m)[1])
		if k < 1 || k > count {
			return ""
		}
		return strings.Replace(m, layout.FigureScheme+strconv.Itoa(k)+")", figureLink(p, k)+")", 1)
	})
	return dropEmptyLines(markdown, out)
}

func figureLink(p, k int) string {
	return layout.FigureScheme + strconv.Itoa(p) + "." + strconv.Itoa(k)
}

// FigureTarget says where figure k of page p of the upload is served, and its number n in the
// note, or ok false when the note has no such figure.
type FigureTarget func(p, k int) (n int, url string, ok bool)

// LinkFigures points the upload's figures in markdown (see PageFigures) where target says,
// each as "![Figure n](url)". A figure target does not know is removed with the line it leaves
// empty.
func LinkFigures(markdown string, target FigureTarget) string {
	out := uploadFigure.ReplaceAllStringFunc(markdown, func(m string) string {
		sub := uploadFigure.FindStringSubmatch(m)
		p, _ := strconv.Atoi(sub[1])
		k, _ := strconv.Atoi(sub[2])
		n, url, ok := target(p, k)
		if !ok {
			return ""
		}
		return "![Figure " + strconv.Itoa(n) + "](" + url + ")"
	})
	return dropEmptyLines(markdown, out)
}

// dropEmptyLines removes from after the lines that are blank there but were not in before, the
// lines a removed image took.
func dropEmptyLines(before, after string) string {
	if before == after {
		return after
	}
	was := strings.Split(before, "\n")
	now := strings.Split(after, "\n")
	if len(was) != len(now) {
		return after
	}
	kept := now[:0]
	for i, l := range now {
		if strings.TrimSpace(l) != "" || strings.TrimSpace(was[i]) == "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// ReplaceImages rewrites the images of markdown: each for which replace returns ok becomes the
// text it returns; the others stay as they are.
func ReplaceImages(markdown string, replace func(link string) (string, bool)) string {
	return image.ReplaceAllStringFunc(markdown, func(m string) string {
		if out, ok := replace(image.FindStringSubmatch(m)[1]); ok {
			return out
		}
		return m
	})
}

// imageLinks returns the links of the images in markdown, in order.
func imageLinks(markdown string) []string {
	var out []string
	for _, m := range image.FindAllStringSubmatch(markdown, -1) {
		out = append(out, m[1])
	}
	return out
}

// imageAlts replaces the images in markdown with their alt text, as PlainText does: a figure's
// link is not words of the note.
func imageAlts(markdown string) string {
	return image.ReplaceAllStringFunc(markdown, func(m string) string {
		return m[2:strings.Index(m, "](")]
	})
}

// isImageLine reports whether t, a trimmed line, holds images and nothing else.
func isImageLine(t string) bool { return imageLine.MatchString(t) }
