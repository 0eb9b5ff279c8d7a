package e2e_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

// BenchmarkNoteOfFourPages times a 4-page upload from its 202 to done,
// beside four single-page uploads of the same pages sent at once (an op is
// one note of four pages, or four notes): the pages of one upload are read
// in parallel, as single uploads are.
//
//	go test -run '^$' -bench NoteOfFourPages ./api
func BenchmarkNoteOfFourPages(b *testing.B) {
	bundle := setup(b)
	alice := bundle.User("alice")
	course := alice.CreateCourse("Physics")
	var pages [][]byte
	for i := range 4 {
		pages = append(pages, apitest.PageOf(b, fmt.Sprintf("Lecture page %d", i+1),
			"The first law states that energy is conserved.", "Entropy of an isolated system never decreases."))
	}
	settle := func(ids ...uuid.UUID) {
		for _, id := range ids {
			require.Equal(b, "done", alice.WaitSettled(id).Status)
		}
	}
	accepted := func(res apitest.Response) uuid.UUID {
		require.Equal(b, http.StatusAccepted, res.Status, "%s", res.Body)
		var up api.Upload
		res.JSON(b, &up)
		return up.ID
	}
	fields := map[string]string{"courseId": course.ID.String()}
	b.Run("one upload of 4 pages", func(b *testing.B) {
		for b.Loop() {
			settle(accepted(alice.Upload(apitest.Form{Fields: fields, Filename: "p.png", File: pages[0], More: pages[1:]})))
		}
	})
	b.Run("4 uploads of 1 page", func(b *testing.B) {
		for b.Loop() {
			var ids []uuid.UUID
			for _, p := range pages {
				ids = append(ids, accepted(alice.Upload(apitest.Form{Fields: fields, Filename: "p.png", File: p})))
			}
			settle(ids...)
		}
	})
}
