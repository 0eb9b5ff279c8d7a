package e2e_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/internal/corpus"
)

// uploadLayoutPage uploads page index of a corpus layout class and returns the note made of it.
func uploadLayoutPage(t *testing.T, class string, index int) (corpus.Sample, api.Document) {
	t.Helper()
	s, err := corpus.LayoutSample(index, class)
	require.NoError(t, err)
	b := setup(t)
	alice := b.User("alice")
	course := alice.CreateCourse("Layout")
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String()}, Filename: "page.png", File: s.Encoded})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)
	done := alice.WaitSettled(up.ID)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	var doc api.Document
	b.Send(http.MethodGet, "/api/documents/"+done.DocumentID.String(), nil,
		map[string]string{"Authorization": "Bearer " + alice.Token}, 1<<20).JSON(t, &doc)
	return s, doc
}

// A page whose title stands over two columns becomes a note with the title as its heading,
// then the left column's paragraphs, then the right column's, none of their lines mixed.
func TestTwoColumnPageBecomesNoteInReadingOrder(t *testing.T) {
	t.Parallel()
	s, doc := uploadLayoutPage(t, corpus.ClassTwoColumns, 1)

	truth := strings.Split(s.Truth, "\n\n") // the title, then the columns' paragraphs in order
	blocks := strings.Split(strings.TrimSpace(doc.FormattedNote), "\n\n")
	require.Len(t, blocks, len(truth), "note:\n%s", doc.FormattedNote)
	require.Equal(t, "# "+truth[0], blocks[0])
	for i, para := range truth[1:] {
		require.Equal(t, para, blocks[i+1], "paragraph %d of the note:\n%s", i+1, doc.FormattedNote)
	}
	require.Equal(t, truth[0], doc.Title)
}

// A page with a ruled table becomes a note whose table has every cell in its row and column.
func TestRuledTablePageBecomesNoteWithItsTable(t *testing.T) {
	t.Parallel()
	s, doc := uploadLayoutPage(t, corpus.ClassRuledTable, 1)

	var rows [][]string
	for _, e := range s.Structure {
		if e.Kind != corpus.ElementCell {
			continue
		}
		if e.Row == len(rows) {
			rows = append(rows, nil)
		}
		rows[e.Row] = append(rows[e.Row], e.Text)
	}
	var table []string
	for i, r := range rows {
		table = append(table, "| "+strings.Join(r, " | ")+" |")
		if i == 0 {
			table = append(table, strings.Repeat("| --- ", len(r))+"|")
		}
	}
	truth := strings.Split(s.Truth, "\n\n") // the title, a paragraph, the table, a paragraph
	require.Len(t, truth, 4)
	want := []string{"# " + truth[0], truth[1], strings.Join(table, "\n"), truth[3]}
	blocks := strings.Split(strings.TrimSpace(doc.FormattedNote), "\n\n")
	require.Len(t, blocks, len(want), "note:\n%s", doc.FormattedNote)
	for i := range want {
		require.Equal(t, want[i], blocks[i], "block %d of the note:\n%s", i, doc.FormattedNote)
	}
	require.Contains(t, doc.OriginalText, strings.Join(table, "\n"), "the OCR stage hands the table over as Markdown")
}
