package notes

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// pageWithFigure is a page's Markdown as the OCR stage reads it: a figure between paragraphs.
const pageWithFigure = "# Supply and Demand\n\nThe market clears where supply equals demand.\n\n![Figure 1](figure:1)\n\nFigure 1: the two curves\n"

func TestFiguresTravelFromPageToNote(t *testing.T) {
	t.Parallel()
	page := PageFigures(pageWithFigure, 2, 1)
	require.Contains(t, page, "\n\n![Figure 1](figure:2.1)\n\n")

	note, err := Builtin{}.Format(context.Background(), Input{Text: page})
	require.NoError(t, err)
	require.Equal(t, "# Supply and Demand\n\nThe market clears where supply equals demand.\n\n"+
		"![Figure 1](figure:2.1)\n\nFigure 1: the two curves\n", note.Markdown, "the figure stays a paragraph of its own, not a heading")

	linked := LinkFigures(note.Markdown, func(p, k int) (int, string, bool) {
		return 3, "/api/documents/d/figures/" + strconv.Itoa(p*10+k), p == 2 && k == 1
	})
	require.Contains(t, linked, "\n\n![Figure 3](/api/documents/d/figures/21)\n\n")
	require.Empty(t, checkContent(page, note.Markdown).reason, "the built-in note passes the guard")
}

func TestFiguresNotKeptAreRemoved(t *testing.T) {
	t.Parallel()
	// An engine that cut no figure from the page (count 0) leaves no link to one.
	require.Equal(t, "# Supply and Demand\n\nThe market clears where supply equals demand.\n\n\nFigure 1: the two curves\n",
		PageFigures(pageWithFigure, 1, 0))
	// Nor does a figure the note has no record of.
	require.Equal(t, "Text\n\n\nMore", LinkFigures("Text\n\n![Figure 1](figure:1.1)\n\nMore",
		func(int, int) (int, string, bool) { return 0, "", false }))
	// Text that only mentions the scheme is left alone.
	require.Equal(t, "see figure:1 and [x](figure:1)", PageFigures("see figure:1 and [x](figure:1)", 1, 1))
}

func TestGuardRejectsANoteThatDropsAFigure(t *testing.T) {
	t.Parallel()
	ocr := PageFigures(pageWithFigure, 1, 1)
	withFigure := "# Supply and Demand\n\nThe market clears where supply equals demand.\n\n![Figure 1](figure:1.1)\n\nFigure 1: the two curves\n"
	require.Empty(t, checkContent(ocr, withFigure).reason)
	for name, md := range map[string]string{
		"dropped":  "# Supply and Demand\n\nThe market clears where supply equals demand.\n\nFigure 1: the two curves\n",
		"relinked": "# Supply and Demand\n\nThe market clears where supply equals demand.\n\n![Figure 1](https://example.com/x.png)\n\nFigure 1: the two curves\n",
	} {
		require.Contains(t, checkContent(ocr, md).reason, "dropped the figure figure:1.1", name)
	}
}
