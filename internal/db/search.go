package db

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// How a search hit matched.
const (
	// MatchFullText is a note that matches the query as written, words
	// stemmed and accents folded.
	MatchFullText = "fulltext"
	// MatchFuzzy is a note found through a corrected word.
	MatchFuzzy = "fuzzy"
)

// Orders of search results.
const (
	// SortRelevance puts exact and stemmed matches first, then notes found
	// through a corrected word; within each, by ts_rank_cd (title above
	// headings above body, query words close together), newest first on ties.
	SortRelevance = "relevance"
	// SortDate puts the newest matching notes first.
	SortDate = "date"
)

// Markers that SearchDocuments puts around each matched word of a snippet.
// They are private-use code points, stripped from the note before
// highlighting, so they can only come from the highlighter: the caller
// escapes the snippet and then turns them into markup.
const (
	HighlightStart = "\uE000"
	HighlightStop  = "\uE001"
)

// SearchParams is one page of a search.
type SearchParams struct {
	Query    string    // websearch syntax: "quoted phrase", or, -exclusion
	CourseID uuid.UUID // uuid.Nil for every course
	From, To time.Time // created_at in [From, To); the zero time leaves a side open
	Sort     string    // SortRelevance or SortDate
	After    *SearchCursor
	Limit    int
}

// SearchCursor marks a position in search results: by (Rank, CreatedAt, ID)
// descending for SortRelevance, by (CreatedAt, ID) for SortDate.
type SearchCursor struct {
	Rank      float64
	CreatedAt time.Time
	ID        uuid.UUID
}

// SearchHit is one document found, with its course and a snippet.
type SearchHit struct {
	ID          uuid.UUID
	CourseID    uuid.UUID
	CourseName  string
	CourseColor string
	Title       string
	Excerpt     string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Exact is false for a note found only through a corrected word.
	Exact bool
	Rank  float64
	// Note is the note's Markdown, which the caller turns into the plain
	// text SearchSnippets cuts the snippet from.
	Note string
	// Snippet is an extract of the note's plain text with each matched word
	// between HighlightStart and HighlightStop, set by SearchSnippets. Not
	// escaped.
	Snippet string

	config, query string // the note's text search configuration and its query
}

// headlineOptions keep snippets short: a few fragments around the matches.
const headlineOptions = `StartSel=` + HighlightStart + `, StopSel=` + HighlightStop +
	`, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`

// rankWeights are ts_rank_cd's weights for the labels D, C, B, A of
// documents.search: body (C), headings (B), title (A).
const rankWeights = `'{0.1, 0.2, 0.5, 1.0}'`

// rankNormalization divides by 1 + log(length), so a long note does not win
// by repetition alone, and maps the rank into [0, 1) (32), so that a tier
// added to it is never overtaken.
const rankNormalization = `33`

// Limits on the words a search corrects.
const (
	maxFuzzyTerms   = 8  // words of one query looked up
	maxAlternatives = 3  // look-alikes kept per word
	maxCandidates   = 30 // most similar words compared by typo distance
	minFuzzyRunes   = 3
	maxFuzzyRunes   = 40
)

// SearchDocuments returns a page of the user's active documents in active
// courses that match p.Query, in web search syntax as Postgres'
// websearch_to_tsquery reads it: words must all match, "or" separates
// alternatives, "quoted phrases" match as phrases and -word excludes.
//
// Each document is indexed with its course's language (documents.
// search_config, accents folded), and the query is parsed once per language
// present, each document matched by the query in its own language.
//
// A bare word that matches no note of the user, even stemmed, is a typo: it
// is widened to the user's words most alike (search_words: those alike by
// trigrams, or within two edits and with the same first letter, which
// catches two swapped letters in a short word; the closest by edit distance
// with a swap of two letters as one edit, none more than one edit farther
// than the closest). Notes found that way rank below every exact match,
// those holding the closest look-alikes first; exclusions and phrases are
// never widened.
//
// The hits have no snippet yet: SearchSnippets cuts them for those shown.
// It returns an error only when the database fails or p.Sort is unknown.
func (q *Queries) SearchDocuments(ctx context.Context, userID uuid.UUID, p SearchParams) ([]SearchHit, error) {
	if p.Sort != SortRelevance && p.Sort != SortDate {
		return nil, fmt.Errorf("search: unknown sort %q", p.Sort)
	}
	groups := parseSearchQuery(p.Query)
	if len(groups) == 0 {
		return []SearchHit{}, nil
	}
	sql, args := searchSQL(userID, groups, p)
	return list(ctx, q.db, "search documents", func(row scanner) (SearchHit, error) {
		var h SearchHit
		err := row.Scan(&h.ID, &h.CourseID, &h.CourseName, &h.CourseColor, &h.Title, &h.Excerpt, &h.CreatedAt,
			&h.UpdatedAt, &h.Exact, &h.Rank, &h.Note, &h.config, &h.query)
		return h, err
	}, sql, args...)
}

// SearchSnippets sets the Snippet of each of hits, found by
// SearchDocuments, from plain[i], the plain text of hits[i].Note: Markdown
// syntax is no part of what a reader wrote, and turning it into text is
// package notes' job. Snippets are cut for a page's hits only, since
// ts_headline re-parses each note, the costly part of a search. The
// highlighter's markers are stripped from the text first, so only the
// highlighter can place them.
func (q *Queries) SearchSnippets(ctx context.Context, hits []SearchHit, plain []string) error {
	if len(hits) != len(plain) {
		return fmt.Errorf("search snippets: %d hits, %d texts", len(hits), len(plain))
	}
	if len(hits) == 0 {
		return nil
	}
	configs, texts, queries := make([]string, len(hits)), make([]string, len(hits)), make([]string, len(hits))
	for i, h := range hits {
		configs[i], queries[i] = h.config, h.query
		texts[i] = markerStripper.Replace(plain[i])
	}
	snippets, err := list(ctx, q.db, "search snippets", func(row scanner) (string, error) {
		var snippet string
		err := row.Scan(&snippet)
		return snippet, err
	}, `SELECT ts_headline(t.cfg::regconfig, t.body, t.query::tsquery, '`+headlineOptions+`')
		FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(cfg, body, query, n)
		ORDER BY t.n`, configs, texts, queries)
	if err != nil {
		return err
	}
	for i := range hits {
		hits[i].Snippet = strings.Join(strings.Fields(snippets[i]), " ")
	}
	return nil
}

var markerStripper = strings.NewReplacer(HighlightStart, "", HighlightStop, "")

// searchSQL builds the search for groups. Each term is a parameter, given
// to phraseto_tsquery in each language present: the SQL text holds only the
// query's shape. The exact query E holds the terms as written; the fuzzy
// query F widens each typo to its look-alikes (F matches all E matches);
// the close query C widens it to the nearest look-alikes only. Matching E
// ranks a note in tier 2, C in tier 1, F in tier 0; ts_rank_cd in [0, 1)
// orders a tier.
func searchSQL(userID uuid.UUID, groups [][]searchTerm, p SearchParams) (string, []any) {
	args := sqlArgs{userID}
	courseFilter := ""
	if p.CourseID != uuid.Nil {
		courseFilter = ` AND d.course_id = ` + args.add(p.CourseID)
	}
	q := buildQueries(groups, &args)
	var b strings.Builder
	b.WriteString(`WITH cfgs AS (
			SELECT DISTINCT d.search_config AS cfg FROM documents d WHERE d.user_id = $1` + courseFilter + `
		)`)
	if len(q.fuzzyWords) == 0 {
		q.fuzzy, q.closest = q.exact, q.exact
	} else {
		b.WriteString(typoAlternatives(args.add(q.fuzzyWords)))
	}
	// Materialized: each language's queries are built once, not per note.
	b.WriteString(`, q AS MATERIALIZED (
			SELECT c.cfg, ` + strings.Join(q.exact, ` || `) + ` AS exact, ` + strings.Join(q.fuzzy, ` || `) + ` AS fuzzy, ` +
		strings.Join(q.closest, ` || `) + ` AS close
			FROM cfgs c
		)
		SELECT d.id, d.course_id, c.name, coalesce(c.color, ''), d.title, coalesce(d.excerpt, ''),
			d.created_at, d.updated_at, m.exact, r.rank, d.formatted_note, d.search_config::text, q.fuzzy::text
		FROM q
		JOIN documents d ON d.user_id = $1 AND d.search_config = q.cfg AND d.search @@ q.fuzzy
		JOIN courses c ON c.id = d.course_id
		CROSS JOIN LATERAL (SELECT q.exact = q.fuzzy OR d.search @@ q.exact AS exact) m
		CROSS JOIN LATERAL (SELECT (CASE WHEN m.exact THEN 2 WHEN q.close = q.fuzzy OR d.search @@ q.close THEN 1 ELSE 0 END
			+ ts_rank_cd(` + rankWeights + `, d.search, CASE WHEN m.exact THEN q.exact ELSE q.fuzzy END, ` + rankNormalization + `)
			)::float8 AS rank) r
		WHERE d.status = 'active' AND c.status = 'active'` + courseFilter)
	b.WriteString(searchPage(p, &args))
	return b.String(), args
}

// sqlArgs are a statement's arguments as it is built.
type sqlArgs []any

// add appends v and returns its placeholder.
func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// searchQueries are a query's tsqueries, one per OR group joined by ||, in
// three strengths: exact words only; each typo also matching every close
// word of the user's; and each typo matching only its closest words.
type searchQueries struct {
	exact, fuzzy, closest []string
	// fuzzyWords are the words that may be typos, numbered from 1 in
	// the alts CTE.
	fuzzyWords []string
}

func buildQueries(groups [][]searchTerm, args *sqlArgs) searchQueries {
	var q searchQueries
	for _, g := range groups {
		var e, f, c []string
		for _, t := range g {
			base := `phraseto_tsquery(c.cfg, ` + args.add(t.text) + `)`
			switch {
			case t.negated:
				base = `!!` + base
				e, f, c = append(e, base), append(f, base), append(c, base)
			case t.correctable() && len(q.fuzzyWords) < maxFuzzyTerms:
				q.fuzzyWords = append(q.fuzzyWords, t.text)
				n := strconv.Itoa(len(q.fuzzyWords))
				alike := func(column string) string {
					return `(` + base + ` || coalesce((SELECT to_tsquery(c.cfg, a.` + column +
						`) FROM alts a WHERE a.n = ` + n + `), ` + base + `))`
				}
				e, f, c = append(e, base), append(f, alike("all_words")), append(c, alike("best_words"))
			default:
				e, f, c = append(e, base), append(f, base), append(c, base)
			}
		}
		q.exact = append(q.exact, `(`+strings.Join(e, ` && `)+`)`)
		q.fuzzy = append(q.fuzzy, `(`+strings.Join(f, ` && `)+`)`)
		q.closest = append(q.closest, `(`+strings.Join(c, ` && `)+`)`)
	}
	return q
}

// typoAlternatives are the CTEs that find, for each of the words at the
// placeholder words that may be typos, the user's words closest to it. A
// word is a typo when it is none of the user's words and its stem matches
// none of their notes in any language present.
func typoAlternatives(words string) string {
	return `, unknown AS (
			SELECT t.n, lower(unaccent(t.term)) AS key
			FROM unnest(` + words + `::text[]) WITH ORDINALITY AS t(term, n)
			WHERE NOT EXISTS (SELECT FROM search_words w WHERE w.user_id = $1 AND w.word = lower(unaccent(t.term)))
			  AND NOT EXISTS (SELECT FROM cfgs c JOIN documents d ON d.user_id = $1 AND d.search_config = c.cfg
			                  WHERE d.search @@ phraseto_tsquery(c.cfg, t.term))
		), alts AS (
			SELECT u.n, string_agg(a.word, ' | ') AS all_words,
				string_agg(a.word, ' | ') FILTER (WHERE a.dist = a.best) AS best_words
			FROM unknown u CROSS JOIN LATERAL (
				SELECT s.word, s.dist, min(s.dist) OVER () AS best
				FROM (
					SELECT w.word, typo_distance(u.key, w.word) AS dist, similarity(w.word, u.key) AS alike
					FROM search_words w
					WHERE w.user_id = $1 AND (w.word % u.key OR
						w.word LIKE left(u.key, 1) || '%' AND levenshtein_less_equal(w.word, u.key, 2) <= 2)
					ORDER BY levenshtein_less_equal(w.word, u.key, 3), alike DESC, w.word
					LIMIT ` + strconv.Itoa(maxCandidates) + `
				) s
				ORDER BY s.dist, s.alike DESC, s.word
				LIMIT ` + strconv.Itoa(maxAlternatives) + `
			) a
			WHERE a.dist <= a.best + 1
			GROUP BY u.n
		)`
}

// searchPage is the end of a search: the date range, the cursor, the order
// and the limit.
func searchPage(p SearchParams, args *sqlArgs) string {
	var b strings.Builder
	if !p.From.IsZero() {
		b.WriteString(` AND d.created_at >= ` + args.add(p.From))
	}
	if !p.To.IsZero() {
		b.WriteString(` AND d.created_at < ` + args.add(p.To))
	}
	order := `r.rank DESC, d.created_at DESC, d.id DESC`
	if p.Sort == SortDate {
		order = `d.created_at DESC, d.id DESC`
		if p.After != nil {
			b.WriteString(` AND (d.created_at, d.id) < (` + args.add(p.After.CreatedAt) + `::timestamptz, ` + args.add(p.After.ID) + `::uuid)`)
		}
	} else if p.After != nil {
		b.WriteString(` AND (r.rank, d.created_at, d.id) < (` + args.add(p.After.Rank) + `::float8, ` +
			args.add(p.After.CreatedAt) + `::timestamptz, ` + args.add(p.After.ID) + `::uuid)`)
	}
	b.WriteString(`
		ORDER BY ` + order + `
		LIMIT ` + args.add(p.Limit))
	return b.String()
}

// searchTerm is a word or a quoted phrase of a query.
type searchTerm struct {
	text    string
	phrase  bool
	negated bool
}

// correctable reports whether a typo in t may be corrected: a bare word of
// letters only, neither a phrase nor an exclusion.
func (t searchTerm) correctable() bool {
	n := utf8.RuneCountInString(t.text)
	return !t.phrase && !t.negated && n >= minFuzzyRunes && n <= maxFuzzyRunes &&
		strings.IndexFunc(t.text, func(r rune) bool { return !unicode.IsLetter(r) }) < 0
}

// parseSearchQuery reads a query as websearch_to_tsquery does: terms side by
// side must all match, "or" between two terms separates alternatives (so
// `a b or c` is (a and b) or c), a double-quoted run is a phrase and a "-"
// before a term excludes it. Groups with nothing but exclusions are
// dropped: they would match nearly every note.
func parseSearchQuery(query string) [][]searchTerm {
	var groups [][]searchTerm
	var group []searchTerm
	or := false
	flush := func() {
		if slices.ContainsFunc(group, func(t searchTerm) bool { return !t.negated }) {
			groups = append(groups, group)
		}
		group = nil
	}
	rs := []rune(query)
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		var t searchTerm
		if rs[i] == '-' && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]) {
			t.negated = true
			i++
		}
		if rs[i] == '"' {
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			t.text, t.phrase = string(rs[i+1:j]), true
			i = j + 1
		} else {
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '"' {
				j++
			}
			t.text = string(rs[i:j])
			i = j
			if !t.negated && strings.EqualFold(t.text, "or") {
				or = len(group) > 0
				continue
			}
		}
		if strings.IndexFunc(t.text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) < 0 {
			continue
		}
		if or {
			flush()
			or = false
		}
		group = append(group, t)
	}
	flush()
	return groups
}
