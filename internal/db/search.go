package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Search modes: how a query matched.
const (
	// MatchFullText is Postgres full-text search on documents.search.
	MatchFullText = "fulltext"
	// MatchFuzzy is the fallback that finds a misspelt word: each query
	// word is replaced by the user's words most alike by trigram similarity.
	MatchFuzzy = "fuzzy"
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
	Mode     string    // MatchFullText or MatchFuzzy
	CourseID uuid.UUID // uuid.Nil for every course
	After    *RankCursor
	Limit    int
}

// RankCursor marks a position in results ordered by (rank, id) descending.
type RankCursor struct {
	Rank float32
	ID   uuid.UUID
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
	Rank        float32
	// Snippet is an extract of the note with each matched word between
	// HighlightStart and HighlightStop. Not escaped.
	Snippet string
}

// headlineOptions keep snippets short: a few fragments around the matches.
const headlineOptions = `StartSel=` + HighlightStart + `, StopSel=` + HighlightStop +
	`, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`

// maxFuzzyTerms bounds the words a fuzzy search looks up.
const maxFuzzyTerms = 8

// SearchDocuments returns a page of the user's active documents in active
// courses that match p.Query, best first by ts_rank_cd, so that a match in
// the title (weight A) outranks one in the body (weight B).
//
// MatchFullText reads p.Query in web search syntax. MatchFuzzy takes its
// words (leaving out -excluded ones and "or"), finds for each the user's
// words most alike by trigram similarity (search_words), and searches for
// notes holding, for every query word, one of its look-alikes: the
// corrected words are what the snippet highlights.
func (q *Queries) SearchDocuments(ctx context.Context, userID uuid.UUID, p SearchParams) ([]SearchHit, error) {
	args := []any{userID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var query string
	switch p.Mode {
	case MatchFullText:
		query = `SELECT websearch_to_tsquery('english', ` + arg(p.Query) + `) AS query`
	case MatchFuzzy:
		// Look-alikes are words of letters only, so they are safe to_tsquery syntax.
		query = `
			SELECT to_tsquery('english', string_agg('(' || alternatives || ')', ' & ')) AS query
			FROM (
				SELECT t.n, string_agg(s.word, ' | ') AS alternatives
				FROM unnest(` + arg(fuzzyTerms(p.Query)) + `::text[]) WITH ORDINALITY AS t(term, n)
				CROSS JOIN LATERAL (
					SELECT w.word FROM search_words w
					WHERE w.user_id = $1 AND w.word % t.term
					ORDER BY similarity(w.word, t.term) DESC, w.word
					LIMIT 3
				) s
				GROUP BY t.n
			) alike`
	default:
		return nil, fmt.Errorf("search: unknown mode %q", p.Mode)
	}
	rank := `ts_rank_cd(d.search, q.query)`
	var where strings.Builder
	where.WriteString(`d.user_id = $1 AND d.status = 'active' AND c.status = 'active' AND d.search @@ q.query`)
	if p.CourseID != uuid.Nil {
		where.WriteString(` AND d.course_id = ` + arg(p.CourseID))
	}
	if p.After != nil {
		where.WriteString(` AND (` + rank + `, d.id) < (` + arg(p.After.Rank) + `::real, ` + arg(p.After.ID) + `)`)
	}
	// The snippet is made only for the page's rows: ts_headline re-parses
	// the whole note, which is the costly part of a search. The markers are
	// stripped from the note first, so only the highlighter can place them.
	sql := `
		WITH q AS (` + query + `)
		SELECT h.id, h.course_id, h.course_name, h.course_color, h.title, h.excerpt, h.created_at, h.updated_at,
			h.rank, ts_headline('english', replace(replace(h.formatted_note, '` + HighlightStart + `', ''), '` +
		HighlightStop + `', ''), h.query, '` + headlineOptions + `')
		FROM (
			SELECT d.id, d.course_id, c.name AS course_name, coalesce(c.color, '') AS course_color, d.title,
				coalesce(d.excerpt, '') AS excerpt, d.formatted_note, d.created_at, d.updated_at,
				` + rank + ` AS rank, q.query
			FROM q, documents d JOIN courses c ON c.id = d.course_id
			WHERE ` + where.String() + `
			ORDER BY rank DESC, d.id DESC
			LIMIT ` + arg(p.Limit) + `
		) h
		ORDER BY h.rank DESC, h.id DESC`
	return list(ctx, q.db, "search documents", func(row scanner) (SearchHit, error) {
		var h SearchHit
		err := row.Scan(&h.ID, &h.CourseID, &h.CourseName, &h.CourseColor, &h.Title, &h.Excerpt,
			&h.CreatedAt, &h.UpdatedAt, &h.Rank, &h.Snippet)
		return h, err
	}, sql, args...)
}

// fuzzyTerms returns the distinct words of a web search query worth looking
// up, lowercased: runs of at least three letters, leaving out -excluded
// words and the "or" operator, at most maxFuzzyTerms.
func fuzzyTerms(query string) []string {
	var terms []string
	seen := map[string]bool{}
	for _, field := range strings.Fields(strings.ToLower(query)) {
		if strings.HasPrefix(field, "-") || field == "or" {
			continue
		}
		for _, word := range strings.FieldsFunc(field, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if utf8.RuneCountInString(word) >= 3 && !seen[word] && len(terms) < maxFuzzyTerms {
				seen[word] = true
				terms = append(terms, word)
			}
		}
	}
	return terms
}
