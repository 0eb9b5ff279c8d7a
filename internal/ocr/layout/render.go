package layout

import (
	"image"
	"regexp"
	"strconv"
	"strings"
)

// FigureScheme starts the link of a figure in a page's Markdown: "![Figure 2](figure:2)" shows
// the page's second figure in reading order, Page.Figures()[1]. Whoever stores the figures
// rewrites the link to where they are served.
const FigureScheme = "figure:"

// figureImage is how Markdown shows a page's figure: "![Figure 2](figure:2)".
var figureImage = regexp.MustCompile(`!\[Figure (\d+)\]\(` + regexp.QuoteMeta(FigureScheme) + `(\d+)\)`)

// ShiftFigures returns markdown, a page's Markdown, with its figures numbered after the before
// figures of the pages before it: with before 2, "![Figure 1](figure:1)" becomes
// "![Figure 3](figure:3)". A document whose pages are read as one text numbers them so, in
// the order of its pages.
func ShiftFigures(markdown string, before int) string {
	if before == 0 {
		return markdown
	}
	return figureImage.ReplaceAllStringFunc(markdown, func(m string) string {
		k, _ := strconv.Atoi(figureImage.FindStringSubmatch(m)[2])
		n := strconv.Itoa(k + before)
		return "![Figure " + n + "](" + FigureScheme + n + ")"
	})
}

// Figures returns the boxes of the page's figures in reading order, the order in which
// Markdown numbers them.
func (p Page) Figures() []image.Rectangle {
	var out []image.Rectangle
	for _, bl := range p.Blocks {
		if bl.Kind == Figure {
			out = append(out, bl.Box)
		}
	}
	return out
}

// Text returns the page as plain text in reading order: a block's lines as read, one per line,
// a list item's after its Markdown marker ("-" for any bullet glyph, "3." for a number), a
// table's rows one per line with the cells joined by a space, and a blank line between
// blocks. Figures have no text and are left out.
func (p Page) Text() string {
	var b strings.Builder
	for _, bl := range p.Blocks {
		if bl.Kind == Figure {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		switch bl.Kind {
		case Table:
			for r, row := range bl.Rows {
				if r > 0 {
					b.WriteByte('\n')
				}
				b.WriteString(strings.Join(strings.Fields(strings.Join(row, " ")), " "))
			}
		case ListItem:
			b.WriteString(bl.Marker + " " + strings.Join(bl.Lines, "\n"))
		default:
			b.WriteString(strings.Join(bl.Lines, "\n"))
		}
	}
	return b.String()
}

// Markdown returns the page as Markdown: headings as "#" lines by level, list items as "- " or
// "1. " lines indented two spaces per level of nesting (a list's items without blank lines
// between them; a blank line where bullets turn to numbers or back), tables as GitHub pipe tables whose first row is the header, figures
// as images linked to FigureScheme and their number, and paragraphs with their lines as read.
// Nothing is escaped but the pipes inside table cells.
func (p Page) Markdown() string {
	var b strings.Builder
	figures := 0
	for i, bl := range p.Blocks {
		if i > 0 {
			if prev := p.Blocks[i-1]; bl.Kind == ListItem && prev.Kind == ListItem &&
				(bl.Level > 0 || (bl.Marker == "-") == (prev.Marker == "-")) {
				b.WriteByte('\n')
			} else {
				b.WriteString("\n\n")
			}
		}
		switch bl.Kind {
		case Heading:
			b.WriteString(strings.Repeat("#", bl.Level) + " " + strings.Join(bl.Lines, " "))
		case ListItem:
			b.WriteString(strings.Repeat("  ", bl.Level) + bl.Marker + " " + strings.Join(bl.Lines, " "))
		case Table:
			writeTable(&b, bl.Rows)
		case Figure:
			figures++
			n := strconv.Itoa(figures)
			b.WriteString("![Figure " + n + "](" + FigureScheme + n + ")")
		default:
			b.WriteString(strings.Join(bl.Lines, "\n"))
		}
	}
	if b.Len() > 0 {
		b.WriteByte('\n')
	}
	return b.String()
}

func writeTable(b *strings.Builder, rows [][]string) {
	for r, row := range rows {
		if r > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("|")
		for _, c := range row {
			b.WriteString(" " + strings.ReplaceAll(c, "|", `\|`) + " |")
		}
		if r == 0 {
			b.WriteString("\n|")
			for range row {
				b.WriteString(" --- |")
			}
		}
	}
}
