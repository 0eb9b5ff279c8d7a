package api

import (
	"context"
	"encoding/base64"
	"html"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/notes"
)

// SearchHit is one note found by a search.
type SearchHit struct {
	ID        uuid.UUID    `json:"id" example:"0193a1c4-2b9d-7e61-8f0a-3c4d5e6f7a8b"`
	Title     string       `json:"title" example:"The First Law of Thermodynamics"`
	Excerpt   string       `json:"excerpt" example:"Energy is conserved: the change in internal energy equals heat added minus work done…"`
	Snippet   string       `json:"snippet" example:"… the <mark>entropy</mark> of an isolated system never decreases …" doc:"HTML: an extract of the note's plain text (no Markdown), escaped, each matched word in <mark>"`
	Match     string       `json:"match" enum:"fulltext,fuzzy" example:"fulltext" doc:"fulltext when the note matches the query as written (words stemmed, accents folded); fuzzy when it was found through a corrected word"`
	Rank      float64      `json:"rank" example:"2.42" doc:"higher is better; comparable only within one search"`
	Course    SearchCourse `json:"course"`
	CreatedAt time.Time    `json:"createdAt" example:"2026-10-02T16:05:12Z"`
	UpdatedAt time.Time    `json:"updatedAt" example:"2026-10-02T16:05:12Z"`
}

// SearchCourse is the course of a search hit.
type SearchCourse struct {
	ID    uuid.UUID `json:"id" example:"0193a1c2-7f1e-7c3a-9d2b-5e8f4a6b1c2d"`
	Name  string    `json:"name" example:"Thermodynamics"`
	Color string    `json:"color,omitempty" example:"#3B82F6"`
}

// SearchResults is a page of hits, best first.
type SearchResults struct {
	Items      []SearchHit `json:"items"`
	Match      string      `json:"match" enum:"fulltext,fuzzy" example:"fulltext" doc:"fuzzy when every hit of this page was found through a corrected word (nothing matched as written); fulltext otherwise"`
	NextCursor string      `json:"nextCursor,omitempty" doc:"pass as cursor for the next page; absent on the last"`
}

type searchInput struct {
	Q        string    `query:"q" required:"true" minLength:"1" maxLength:"200" example:"\"first law\" entropy -exam" doc:"words to find; \"quoted phrase\", or, -excluded word"`
	CourseID uuid.UUID `query:"courseId" format:"uuid" doc:"only this course's notes"`
	From     time.Time `query:"from" doc:"only notes created at or after this time (RFC 3339)"`
	To       time.Time `query:"to" doc:"only notes created before this time (RFC 3339)"`
	Sort     string    `query:"sort" enum:"relevance,date" default:"relevance" doc:"relevance: notes matching as written first, title above headings above body, query words close together, newest on ties; date: newest first"`
	Limit    int       `query:"limit" minimum:"1" maximum:"50" default:"20" doc:"hits per page"`
	Cursor   string    `query:"cursor" maxLength:"200" doc:"nextCursor of the previous page, with the same sort"`

	after *db.SearchCursor
}

// Resolve refuses a blank query, an empty date range and a cursor of
// another sort.
func (in *searchInput) Resolve(huma.Context) []error {
	in.Q = strings.TrimSpace(in.Q)
	var errs []error
	if in.Q == "" {
		errs = append(errs, &huma.ErrorDetail{Location: "query.q", Message: "must not be blank", Value: in.Q})
	}
	if !in.From.IsZero() && !in.To.IsZero() && !in.From.Before(in.To) {
		errs = append(errs, &huma.ErrorDetail{Location: "query.to", Message: "must be after from", Value: in.To})
	}
	if in.Cursor != "" {
		var ok bool
		if in.after, ok = parseSearchCursor(in.Sort, in.Cursor); !ok {
			errs = append(errs, &huma.ErrorDetail{Location: "query.cursor", Message: "not a cursor this API returned for this sort", Value: in.Cursor})
		}
	}
	return errs
}

func (s *Server) registerSearch(api huma.API) {
	huma.Register(api, secured(huma.Operation{
		OperationID: "search-documents",
		Method:      http.MethodGet,
		Path:        "/api/search",
		Summary:     "Search the caller's notes",
		Description: "Full-text search over titles and notes of active notes in active courses, in web search " +
			"syntax (`\"quoted phrase\"`, `or`, `-excluded`). Each note is read in its course's language (stems of " +
			"that language, accents folded: `ecole` finds `école`), and so is the query. A word that matches no note " +
			"is taken for a typo and widened to the caller's most alike words (`match: fuzzy`); phrases and " +
			"exclusions never are. By relevance, notes matching as written come first, then those found through a " +
			"corrected word; within each, title above headings above body and query words close together, newest " +
			"on ties. Each hit has a snippet of the note's plain text with the matched words marked. " +
			"Paginated by an opaque keyset cursor.",
		Tags:   []string{"search"},
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}), s.search)
}

func (s *Server) search(ctx context.Context, in *searchInput) (*output[SearchResults], error) {
	q := s.cfg.DB.Queries
	if err := s.checkCourseFilter(ctx, q, in.CourseID); err != nil {
		return nil, err
	}
	hits, err := q.SearchDocuments(ctx, userFrom(ctx).ID, db.SearchParams{Query: in.Q, CourseID: in.CourseID,
		From: in.From, To: in.To, Sort: in.Sort, After: in.after, Limit: in.Limit + 1})
	if err != nil {
		return nil, s.fail(ctx, "search", err)
	}
	out := &output[SearchResults]{Body: SearchResults{Match: db.MatchFullText, Items: make([]SearchHit, 0, min(len(hits), in.Limit))}}
	if len(hits) > in.Limit {
		hits = hits[:in.Limit]
		last := hits[len(hits)-1]
		out.Body.NextCursor = searchCursor(in.Sort, db.SearchCursor{Rank: last.Rank, CreatedAt: last.CreatedAt, ID: last.ID})
	}
	if err := q.SearchSnippets(ctx, hits, plainTexts(hits)); err != nil {
		return nil, s.fail(ctx, "search", err)
	}
	fuzzyOnly := len(hits) > 0
	for _, h := range hits {
		match := db.MatchFuzzy
		if h.Exact {
			match, fuzzyOnly = db.MatchFullText, false
		}
		out.Body.Items = append(out.Body.Items, SearchHit{ID: h.ID, Title: h.Title, Excerpt: h.Excerpt,
			Snippet: highlight(h.Snippet), Match: match, Rank: h.Rank,
			Course:    SearchCourse{ID: h.CourseID, Name: h.CourseName, Color: h.CourseColor},
			CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt})
	}
	if fuzzyOnly {
		out.Body.Match = db.MatchFuzzy
	}
	return out, nil
}

// plainTexts returns each hit's note as the plain text its snippet is cut
// from: a reader wrote words, not Markdown syntax.
func plainTexts(hits []db.SearchHit) []string {
	plain := make([]string, len(hits))
	for i, h := range hits {
		plain[i] = notes.PlainText(h.Note)
	}
	return plain
}

var highlighter = strings.NewReplacer(db.HighlightStart, "<mark>", db.HighlightStop, "</mark>")

// highlight escapes a snippet's text and only then turns the highlighter's
// markers into <mark>, so nothing in a note can become markup.
func highlight(snippet string) string {
	return highlighter.Replace(html.EscapeString(snippet))
}

// searchCursor encodes a position in one search's results, with the sort it
// belongs to. The rank goes as its exact bits: the next page compares it
// with the same float8.
func searchCursor(sort string, c db.SearchCursor) string {
	raw := sort + "|" + strconv.FormatUint(math.Float64bits(c.Rank), 16) + "|" +
		c.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + c.ID.String()
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func parseSearchCursor(sort, s string) (*db.SearchCursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 4 || parts[0] != sort {
		return nil, false
	}
	bits, err := strconv.ParseUint(parts[1], 16, 64)
	if err != nil {
		return nil, false
	}
	created, err := time.Parse(time.RFC3339Nano, parts[2])
	if err != nil {
		return nil, false
	}
	id, err := uuid.Parse(parts[3])
	if err != nil {
		return nil, false
	}
	return &db.SearchCursor{Rank: math.Float64frombits(bits), CreatedAt: created, ID: id}, true
}
