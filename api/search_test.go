package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

func TestSearch(t *testing.T) {
	t.Parallel()
	b := apitest.Setup(t)
	alice, bob := b.User("alice"), b.User("bob")
	physics, engineering := alice.CreateCourse("Physics"), alice.CreateCourse("Engineering")
	dropped := alice.CreateCourse("Dropped")
	day := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	created := []time.Time{day, day.AddDate(0, 0, 1), day.AddDate(0, 0, 2), day.AddDate(0, 0, 3), day.AddDate(0, 0, 4)}
	ids := alice.SeedNotes(
		apitest.Note{Course: physics.ID, Title: "Thermodynamics", Body: "Heat engines and the second law.", CreatedAt: created[0]},
		apitest.Note{Course: engineering.ID, Title: "Engines", Body: "Thermodynamics is the study of heat and work.", CreatedAt: created[1]},
		apitest.Note{Course: physics.ID, Title: "Optics", Body: "Lenses <script>alert('x')</script> & mirrors: when f < d the image is real.",
			CreatedAt: created[2]},
		apitest.Note{Course: engineering.ID, Title: "Contracts", Body: "The law requires a second signature.", CreatedAt: created[3]},
		apitest.Note{Course: physics.ID, Title: "Cooking", Body: "Apply gentle heat to the pan.", CreatedAt: created[4]},
		apitest.Note{Course: physics.ID, Title: "Thermodynamics, trashed", Body: "thermodynamics in trash"},
		apitest.Note{Course: dropped.ID, Title: "Thermodynamics of a dropped course", Body: "thermodynamics"},
	)
	thermo, engines, optics, contracts, cooking := ids[0], ids[1], ids[2], ids[3], ids[4]
	require.Equal(t, http.StatusOK, alice.Call(http.MethodDelete, "/api/documents/"+ids[5].String(), nil, nil).Status)
	require.Equal(t, http.StatusOK, alice.Call(http.MethodDelete, "/api/courses/"+dropped.ID.String(), nil, nil).Status)
	bobs := bob.CreateCourse("Bob's")
	bob.SeedNotes(apitest.Note{Course: bobs.ID, Title: "Thermodynamics", Body: "bob's thermodynamics"})

	search := func(query string) api.SearchResults {
		t.Helper()
		var r api.SearchResults
		alice.GetJSON("/api/search?"+query, &r)
		return r
	}
	hitIDs := func(r api.SearchResults) []uuid.UUID {
		out := []uuid.UUID{}
		for _, h := range r.Items {
			out = append(out, h.ID)
		}
		return out
	}
	q := func(s string) string { return "q=" + url.QueryEscape(s) }

	t.Run("title ranks above body, with course and snippet", func(t *testing.T) {
		r := search(q("thermodynamics"))
		require.Equal(t, "fulltext", r.Match)
		require.Equal(t, []uuid.UUID{thermo, engines}, hitIDs(r), "trashed notes, notes of trashed courses and bob's never appear")
		require.Greater(t, r.Items[0].Rank, r.Items[1].Rank)
		require.Equal(t, api.SearchCourse{ID: engineering.ID, Name: "Engineering"}, r.Items[1].Course)
		require.Contains(t, r.Items[1].Snippet, "<mark>Thermodynamics</mark> is the study")
		require.Equal(t, "fulltext", r.Items[0].Match)
	})
	t.Run("quoted phrase", func(t *testing.T) {
		require.ElementsMatch(t, []uuid.UUID{thermo, contracts}, hitIDs(search(q("second law"))))
		require.Equal(t, []uuid.UUID{thermo}, hitIDs(search(q(`"second law"`))))
	})
	t.Run("or", func(t *testing.T) {
		require.ElementsMatch(t, []uuid.UUID{optics, contracts}, hitIDs(search(q("lenses or signature"))))
	})
	t.Run("exclusion", func(t *testing.T) {
		require.Equal(t, []uuid.UUID{cooking}, hitIDs(search(q("heat -engines"))))
	})
	t.Run("course filter", func(t *testing.T) {
		require.Equal(t, []uuid.UUID{engines}, hitIDs(search(q("thermodynamics")+"&courseId="+engineering.ID.String())))
		apitest.RequireProblem(t, alice.Call(http.MethodGet, "/api/search?"+q("thermodynamics")+"&courseId="+bobs.ID.String(), nil, nil),
			http.StatusNotFound)
	})
	t.Run("date order and range", func(t *testing.T) {
		r := search(q("heat or thermodynamics") + "&sort=date")
		require.Equal(t, []uuid.UUID{cooking, engines, thermo}, hitIDs(r), "newest first")
		r = search(q("heat or thermodynamics") + "&sort=date&from=" + url.QueryEscape(created[1].Format(time.RFC3339)) +
			"&to=" + url.QueryEscape(created[4].Format(time.RFC3339)))
		require.Equal(t, []uuid.UUID{engines}, hitIDs(r), "from is inclusive, to exclusive")
	})
	t.Run("typo falls back to trigrams", func(t *testing.T) {
		r := search(q("thermodynamcs"))
		require.Equal(t, "fuzzy", r.Match)
		require.ElementsMatch(t, []uuid.UUID{thermo, engines}, hitIDs(r))
		require.Equal(t, "fuzzy", r.Items[0].Match)
		require.Contains(t, r.Items[1].Snippet+r.Items[0].Snippet, "<mark>Thermodynamics</mark>", "the corrected word is highlighted")
		require.Empty(t, search(q("xylophone")).Items)
		require.Equal(t, []uuid.UUID{cooking}, hitIDs(search(q("gentel pann"))), "every word, each corrected")
		require.Equal(t, []uuid.UUID{engines}, hitIDs(search(q("thermodynamcs")+"&courseId="+engineering.ID.String())))
	})
	t.Run("html in notes is escaped", func(t *testing.T) {
		r := search(q("lenses"))
		require.Len(t, r.Items, 1)
		snippet := r.Items[0].Snippet
		require.NotContains(t, snippet, "<script>")
		require.Contains(t, snippet, "f &lt; d")
		require.Contains(t, snippet, "&amp;")
		require.Contains(t, snippet, "<mark>Lenses</mark>")
		require.Equal(t, 2, strings.Count(snippet, "<"), "only the <mark> pair is markup: %s", snippet)
	})
	t.Run("a word edited into a note is found by its typo", func(t *testing.T) {
		res := alice.SendJSON(http.MethodPatch, "/api/documents/"+optics.String(), map[string]any{"formattedNote": "Refraction through a prism."})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, []uuid.UUID{optics}, hitIDs(search(q("refracton"))))
	})
	t.Run("pages", func(t *testing.T) {
		for _, query := range []string{q("thermodynamics"), q("thermodynamcs"), q("thermodynamics") + "&sort=date"} {
			first := search(query + "&limit=1")
			require.Len(t, first.Items, 1)
			require.NotEmpty(t, first.NextCursor)
			second := search(query + "&limit=1&cursor=" + first.NextCursor)
			require.Len(t, second.Items, 1)
			require.Equal(t, first.Match, second.Match)
			require.NotEqual(t, first.Items[0].ID, second.Items[0].ID)
			require.Empty(t, second.NextCursor)
		}
	})
	t.Run("validation", func(t *testing.T) {
		byRank := search(q("thermodynamics") + "&limit=1").NextCursor
		require.NotEmpty(t, byRank)
		for _, query := range []string{"", "q=", q("   "), q(strings.Repeat("a", 201)), q("x") + "&limit=51",
			q("x") + "&cursor=bogus", q("x") + "&courseId=nope", q("x") + "&sort=random", q("x") + "&from=yesterday",
			q("x") + "&from=2026-10-02T00:00:00Z&to=2026-10-02T00:00:00Z", q("thermodynamics") + "&sort=date&cursor=" + byRank} {
			apitest.RequireProblem(t, alice.Call(http.MethodGet, "/api/search?"+query, nil, nil), http.StatusUnprocessableEntity)
		}
		requireFieldProblem(t, alice.Call(http.MethodGet, "/api/search?"+q(" "), nil, nil), "query.q")
		requireFieldProblem(t, alice.Call(http.MethodGet, "/api/search?"+q("x")+"&from=2026-10-03T00:00:00Z&to=2026-10-02T00:00:00Z",
			nil, nil), "query.to")
	})
}
