package db_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/internal/pgtest"
)

func TestSearchDocumentsHighlightsOnlyMatches(t *testing.T) {
	t.Parallel()
	b := setupSearch(t)
	physics := b.course(b.alice, "Physics", "eng")
	// A note that carries the highlighter's own markers cannot forge a highlight.
	b.note(physics, "Heat", "forged "+db.HighlightStart+"mark"+db.HighlightStop+" then entropy rises", time.Now())

	hits := b.search(b.alice, db.SearchParams{Query: "entropy"})
	require.Len(t, hits, 1)
	require.Equal(t, 1, strings.Count(hits[0].Snippet, db.HighlightStart), hits[0].Snippet)
	require.Contains(t, hits[0].Snippet, db.HighlightStart+"entropy"+db.HighlightStop)
	require.Equal(t, "Physics", hits[0].CourseName)

	_, err := b.q.SearchDocuments(context.Background(), b.alice, db.SearchParams{Query: "x", Sort: "random", Limit: 10})
	require.Error(t, err)
	require.Error(t, b.q.SearchSnippets(context.Background(), hits, nil), "a text for each hit")
}

// searchBundle is a database with two users, alice and bob, for search tests.
type searchBundle struct {
	t          *testing.T
	pool       *pgxpool.Pool
	q          *db.Queries
	alice, bob uuid.UUID
	courseUser map[uuid.UUID]uuid.UUID
}

func setupSearch(t *testing.T) *searchBundle {
	t.Helper()
	pool := pgtest.Migrated(t)
	b := &searchBundle{t: t, pool: pool, q: db.New(pool), courseUser: map[uuid.UUID]uuid.UUID{}}
	for _, u := range []*uuid.UUID{&b.alice, &b.bob} {
		user, err := b.q.UpsertUser(context.Background(), db.Identity{Subject: uuid.NewString()})
		require.NoError(t, err)
		*u = user.ID
	}
	return b
}

// course makes a course of user's in language (a Tesseract code or "auto").
func (b *searchBundle) course(user uuid.UUID, name, language string) uuid.UUID {
	b.t.Helper()
	c, err := b.q.CreateCourse(context.Background(), user, db.CourseInput{Name: name, Language: language})
	require.NoError(b.t, err)
	b.courseUser[c.ID] = user
	return c.ID
}

func (b *searchBundle) note(course uuid.UUID, title, body string, created time.Time) uuid.UUID {
	b.t.Helper()
	return b.noteWithMetadata(course, title, body, created, "{}")
}

func (b *searchBundle) noteWithMetadata(course uuid.UUID, title, body string, created time.Time, metadata string) uuid.UUID {
	b.t.Helper()
	var id uuid.UUID
	require.NoError(b.t, b.pool.QueryRow(context.Background(), `INSERT INTO documents
		(course_id, user_id, title, original_text, formatted_note, metadata, created_at, updated_at)
		VALUES ($1, $2, $3, '', $4, $5, $6, $6) RETURNING id`,
		course, b.courseUser[course], title, body, metadata, created).Scan(&id))
	return id
}

// search runs p for user, by relevance unless p says otherwise.
func (b *searchBundle) search(user uuid.UUID, p db.SearchParams) []db.SearchHit {
	b.t.Helper()
	if p.Sort == "" {
		p.Sort = db.SortRelevance
	}
	if p.Limit == 0 {
		p.Limit = 20
	}
	hits, err := b.q.SearchDocuments(context.Background(), user, p)
	require.NoError(b.t, err)
	plain := make([]string, len(hits))
	for i, h := range hits {
		plain[i] = notes.PlainText(h.Note)
	}
	require.NoError(b.t, b.q.SearchSnippets(context.Background(), hits, plain))
	return hits
}

func (b *searchBundle) ids(user uuid.UUID, query string) []uuid.UUID {
	b.t.Helper()
	return idsOf(b.search(user, db.SearchParams{Query: query}))
}

// exactIDs returns the notes that match query exactly or stemmed, leaving
// out those found through a corrected word.
func (b *searchBundle) exactIDs(user uuid.UUID, query string) []uuid.UUID {
	b.t.Helper()
	out := []uuid.UUID{}
	for _, h := range b.search(user, db.SearchParams{Query: query}) {
		if h.Exact {
			out = append(out, h.ID)
		}
	}
	return out
}

// The case the search was rebuilt for: four notes, and what each query
// found before (in the comments).
func TestSearchFourNotes(t *testing.T) {
	t.Parallel()
	b := setupSearch(t)
	history, chemistry, cs := b.course(b.alice, "History", "eng"), b.course(b.alice, "Chemistry", "eng"), b.course(b.alice, "CS", "eng")
	now := time.Now()
	bastille := b.note(history, "The Storming of the Bastille", "# The Storming of the Bastille\n\n"+
		"## Paris, July 1789 - The crowd\n\nThe crowd took the **fortress** on 14 July, weeks after the deputies "+
		"swore the oath in a tennis court. The fall of the Bastille began the revolution.", now.Add(-3*time.Hour))
	oath := b.note(history, "Tennis Court Oath", "# Tennis Court Oath\n\nOn 20 June 1789 the deputies of the Third "+
		"Estate met in a tennis court at Versailles. Weeks later Paris stormed the Bastille.", now.Add(-2*time.Hour))
	acids := b.note(chemistry, "Acids and Bases", "# Acids and Bases\n\nAn acid gives a proton; a base takes one. "+
		"Strong bases dissolve fat.", now.Add(-time.Hour))
	graphs := b.note(cs, "Lecture 6: Graphs", "# Lecture 6: Graphs\n\n- recursion needs a base case\n"+
		"- use a queue for breadth first search", now)

	t.Run("a typo finds its word, not a neighbour", func(t *testing.T) {
		// Before: Acids and Bases, the Bastille, Lecture 6.
		hits := b.search(b.alice, db.SearchParams{Query: "bastile"})
		require.NotEmpty(t, hits)
		require.Equal(t, bastille, hits[0].ID)
		require.False(t, hits[0].Exact)
		require.Contains(t, hits[0].Snippet, db.HighlightStart+"Bastille"+db.HighlightStop)
		for _, h := range hits[1:] {
			require.Less(t, h.Rank, hits[0].Rank)
		}
		require.NotContains(t, idsOf(hits), acids, "a word three edits away is no correction when one edit away exists")
	})
	t.Run("a phrase with an exclusion is never widened", func(t *testing.T) {
		// Before: nothing matched exactly, so the typo fallback ran without
		// phrase or exclusion and returned the Bastille note.
		require.Empty(t, b.ids(b.alice, `"tennis court" -bastille`))
		require.Equal(t, []uuid.UUID{oath, bastille}, b.ids(b.alice, `"tennis court"`), "title above body")
		require.Equal(t, []uuid.UUID{oath}, b.ids(b.alice, `"tennis court" -revolution`))
		require.Empty(t, b.ids(b.alice, `"court tennis"`))
	})
	t.Run("snippets are the note's words, without Markdown", func(t *testing.T) {
		// Before: "## Paris, July 1789 - The crowd took the…"
		hits := b.search(b.alice, db.SearchParams{Query: "crowd fortress"})
		require.Len(t, hits, 1)
		s := hits[0].Snippet
		require.NotContains(t, s, "#")
		require.NotContains(t, s, "*")
		require.Contains(t, s, db.HighlightStart+"crowd"+db.HighlightStop)
		require.Contains(t, s, db.HighlightStart+"fortress"+db.HighlightStop)
		requireWholeWords(t, s, "The Storming of the Bastille Paris, July 1789 - The crowd The crowd took the fortress "+
			"on 14 July, weeks after the deputies swore the oath in a tennis court. The fall of the Bastille began the revolution.")
		hits = b.search(b.alice, db.SearchParams{Query: "recursion"})
		require.Equal(t, []uuid.UUID{graphs}, idsOf(hits))
		require.NotContains(t, hits[0].Snippet, "- ")
		requireWholeWords(t, hits[0].Snippet, "Lecture 6: Graphs recursion needs a base case use a queue for breadth first search")
	})
	t.Run("each note indexed in its course's language", func(t *testing.T) {
		// Before: every note with English rules. A French course stems
		// French and folds accents.
		french := b.course(b.alice, "Histoire", "fra")
		ecoles := b.note(french, "Les écoles de la République", "Les écoles publiques devinrent gratuites.", now)
		require.Equal(t, []uuid.UUID{ecoles}, b.ids(b.alice, "ecole"))
		require.Equal(t, []uuid.UUID{ecoles}, b.ids(b.alice, "gratuite"))
	})
}

// requireWholeWords fails unless every word of snippet, markers and
// fragment delimiters aside, is a word of plain.
func requireWholeWords(t *testing.T, snippet, plain string) {
	t.Helper()
	words := strings.Fields(plain)
	for _, w := range strings.Fields(strings.NewReplacer(db.HighlightStart, "", db.HighlightStop, "").Replace(snippet)) {
		if w != "…" {
			require.Contains(t, words, w, "a cut or foreign word in %q", snippet)
		}
	}
}

func idsOf(hits []db.SearchHit) []uuid.UUID {
	out := []uuid.UUID{}
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

// Phrases, exclusions, or, accents and stems, in English, French and German.
func TestSearchSyntaxInThreeLanguages(t *testing.T) {
	t.Parallel()
	b := setupSearch(t)
	en, fr, de := b.course(b.alice, "Biology", "eng"), b.course(b.alice, "Physique", "fra"), b.course(b.alice, "Geschichte", "deu+eng")
	now := time.Now()
	cells := b.note(en, "Cells", "Dividing cells copy their chromosomes. Plants make sugar by photosynthesis.", now)
	genes := b.note(en, "Genes", "A gene is copied before the cell divides; mutations change genes.", now.Add(-time.Minute))
	energie := b.note(fr, "Énergie", "L'énergie cinétique des électrons dépend de leur vitesse, comme celle des chevaux.", now)
	chaleur := b.note(fr, "Chaleur", "La chaleur est une énergie transférée; les électrons conduisent la chaleur.", now.Add(-time.Minute))
	munich := b.note(de, "München im Mittelalter", "Die Stadt München wurde an der Isar gegründet. Die Brücke brachte Zölle.", now)
	handel := b.note(de, "Handel", "Die Händler zahlten Zölle an der Brücke über die Isar.", now.Add(-time.Minute))

	for _, c := range []struct {
		name, query string
		want        []uuid.UUID
	}{
		{"english stem", "dividing", []uuid.UUID{cells, genes}},
		{"english stem, plural to singular", "mutation", []uuid.UUID{genes}},
		{"english phrase", `"copy their chromosomes"`, []uuid.UUID{cells}},
		{"english exclusion", "divides -photosynthesis", []uuid.UUID{genes}},
		{"english or", "sugar or mutations", []uuid.UUID{cells, genes}},
		{"french accent folded", "energie", []uuid.UUID{energie, chaleur}},
		{"french stem and accent", "electron", []uuid.UUID{energie, chaleur}},
		{"french phrase", `"énergie cinétique"`, []uuid.UUID{energie}},
		{"french exclusion", "electrons -chaleur", []uuid.UUID{energie}},
		{"french or", "vitesse or conduisent", []uuid.UUID{energie, chaleur}},
		{"german accent folded", "Munchen", []uuid.UUID{munich}},
		{"german stem", "Brücken", []uuid.UUID{munich, handel}},
		{"german phrase", `"Stadt München"`, []uuid.UUID{munich}},
		{"german exclusion", "Zölle -Händler", []uuid.UUID{munich}},
		{"german or", "gegründet or Händler", []uuid.UUID{munich, handel}},
	} {
		t.Run(c.name, func(t *testing.T) {
			hits := b.search(b.alice, db.SearchParams{Query: c.query})
			require.ElementsMatch(t, c.want, idsOf(hits))
			for _, h := range hits {
				require.True(t, h.Exact, "%s: %s", c.query, h.Title)
			}
		})
	}
	t.Run("a typo in an accented word", func(t *testing.T) {
		hits := b.search(b.alice, db.SearchParams{Query: "cinetiqe"})
		require.Equal(t, []uuid.UUID{energie}, idsOf(hits))
		require.False(t, hits[0].Exact)
	})
	t.Run("a typo never overrides an exclusion", func(t *testing.T) {
		require.Equal(t, []uuid.UUID{genes}, b.ids(b.alice, "mutatoins -photosynthesis"))
		require.Empty(t, b.ids(b.alice, "chromosomse -photosynthesis"))
	})
	t.Run("only exclusions find nothing", func(t *testing.T) {
		require.Empty(t, b.ids(b.alice, "-photosynthesis"))
	})
	t.Run("the language follows the course's", func(t *testing.T) {
		_, err := b.pool.Exec(context.Background(), `UPDATE courses SET language = 'eng' WHERE id = $1`, fr)
		require.NoError(t, err)
		require.Empty(t, b.exactIDs(b.alice, "cheval"), "English rules do not stem French plurals")
		_, err = b.pool.Exec(context.Background(), `UPDATE courses SET language = 'fra' WHERE id = $1`, fr)
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{energie}, b.exactIDs(b.alice, "cheval"))
	})
	t.Run("auto uses the detected language", func(t *testing.T) {
		auto := b.course(b.alice, "Mixed", "auto")
		mouvement := b.noteWithMetadata(auto, "Mouvements", "Les mouvements des planètes.", now, `{"language":"fr"}`)
		unknown := b.noteWithMetadata(auto, "Bewegungen", "Die Bewegungen der Planeten.", now, `{"language":"und"}`)
		require.Equal(t, []uuid.UUID{mouvement}, b.ids(b.alice, "mouvement"))
		require.Equal(t, []uuid.UUID{unknown}, b.ids(b.alice, "Bewegungen"))
		require.Empty(t, b.exactIDs(b.alice, "Bewegung"), "no stemmer where the language is undetermined")
	})
}

// A course filter never reaches another user's notes, and one user's words
// never correct another's typos.
func TestSearchIsPerUser(t *testing.T) {
	t.Parallel()
	b := setupSearch(t)
	mine, theirs := b.course(b.alice, "Physics", "eng"), b.course(b.bob, "Physics", "eng")
	own := b.note(mine, "Entropy", "Entropy of an isolated system never decreases.", time.Now())
	b.note(theirs, "Entropy", "Bob's entropy and his thermodynamics.", time.Now())

	require.Equal(t, []uuid.UUID{own}, b.ids(b.alice, "entropy"))
	require.Empty(t, b.search(b.alice, db.SearchParams{Query: "entropy", CourseID: theirs}))
	require.Empty(t, b.ids(b.alice, "thermodynamcs"), "bob's words correct no typo of alice's")
	require.Empty(t, b.search(b.bob, db.SearchParams{Query: "isolated", CourseID: mine}))
}

func TestSearchFiltersAndPages(t *testing.T) {
	t.Parallel()
	b := setupSearch(t)
	physics, maths := b.course(b.alice, "Physics", "eng"), b.course(b.alice, "Maths", "eng")
	day := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	var all []uuid.UUID
	for i := range 7 {
		course := physics
		if i%2 == 1 {
			course = maths
		}
		// Same text, so the ranks tie and recency orders them.
		all = append(all, b.note(course, "Vectors", "vectors and their norms", day.AddDate(0, 0, i)))
	}
	slices.Reverse(all) // newest first
	rich := b.note(maths, "Vectors, vectors", "vectors vectors vectors", day.AddDate(0, 0, -10))

	t.Run("recency breaks ties only", func(t *testing.T) {
		require.Equal(t, append([]uuid.UUID{rich}, all...), b.ids(b.alice, "vector"))
	})
	t.Run("date order and range", func(t *testing.T) {
		hits := b.search(b.alice, db.SearchParams{Query: "vector", Sort: db.SortDate, From: day.AddDate(0, 0, 2), To: day.AddDate(0, 0, 5)})
		require.Equal(t, all[2:5], idsOf(hits))
	})
	t.Run("course", func(t *testing.T) {
		hits := b.search(b.alice, db.SearchParams{Query: "vector", CourseID: physics})
		require.Equal(t, []uuid.UUID{all[0], all[2], all[4], all[6]}, idsOf(hits))
	})
	for _, sort := range []string{db.SortRelevance, db.SortDate} {
		t.Run("pages by "+sort, func(t *testing.T) {
			want := idsOf(b.search(b.alice, db.SearchParams{Query: "vector", Sort: sort}))
			require.GreaterOrEqual(t, len(want), 8)
			var got []uuid.UUID
			var after *db.SearchCursor
			for {
				page := b.search(b.alice, db.SearchParams{Query: "vector", Sort: sort, After: after, Limit: 3})
				got = append(got, idsOf(page)...)
				if len(page) < 3 {
					break
				}
				last := page[len(page)-1]
				after = &db.SearchCursor{Rank: last.Rank, CreatedAt: last.CreatedAt, ID: last.ID}
				// A note added meanwhile, before the cursor in either order,
				// moves no page boundary.
				b.note(maths, "Vectors, vectors", "vectors vectors vectors", day.AddDate(0, 0, 30+len(got)))
			}
			require.Equal(t, want, got)
		})
	}
}

func TestListDocumentsBreaksTiesByID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Migrated(t)
	q := db.New(pool)
	user, err := q.UpsertUser(ctx, db.Identity{Subject: "alice"})
	require.NoError(t, err)
	course, err := q.CreateCourse(ctx, user.ID, db.CourseInput{Name: "Physics"})
	require.NoError(t, err)
	same := time.Now().Truncate(time.Microsecond)
	for range 7 {
		_, err = pool.Exec(ctx, `INSERT INTO documents (course_id, user_id, title, original_text, formatted_note, created_at)
			VALUES ($1, $2, 't', '', '', $3)`, course.ID, user.ID, same)
		require.NoError(t, err)
	}
	seen := map[uuid.UUID]bool{}
	var after *db.Cursor
	for {
		page, err := q.ListDocuments(ctx, user.ID, db.DocumentFilter{Status: snapnote.StatusActive, After: after, Limit: 3})
		require.NoError(t, err)
		for _, d := range page {
			require.False(t, seen[d.ID])
			seen[d.ID] = true
		}
		if len(page) < 3 {
			break
		}
		after = &db.Cursor{CreatedAt: page[2].CreatedAt, ID: page[2].ID}
	}
	require.Len(t, seen, 7)
}
