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
)

// SearchHit is one note found by a search.
type SearchHit struct {
	ID        uuid.UUID    `json:"id" example:"0193a1c4-2b9d-7e61-8f0a-3c4d5e6f7a8b"`
	Title     string       `json:"title" example:"The First Law of Thermodynamics"`
	Excerpt   string       `json:"excerpt" example:"Energy is conserved: the change in internal energy equals heat added minus work done…"`
	Snippet   string       `json:"snippet" example:"… the <mark>entropy</mark> of an isolated system never decreases …" doc:"HTML: an extract of the note, escaped, each matched word in <mark>"`
	Match     string       `json:"match" enum:"fulltext,fuzzy" example:"fulltext" doc:"fuzzy when no word matched exactly and trigram similarity found the note"`
	Rank      float32      `json:"rank" example:"0.42" doc:"higher is better; comparable only within one search"`
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
	Match      string      `json:"match" enum:"fulltext,fuzzy" example:"fulltext" doc:"how this search matched: full-text, or the typo-tolerant fallback when full-text found nothing"`
	NextCursor string      `json:"nextCursor,omitempty" doc:"pass as cursor for the next page; absent on the last"`
}

type searchInput struct {
	Q        string    `query:"q" required:"true" minLength:"1" maxLength:"200" example:"\"first law\" entropy -exam" doc:"words to find; \"quoted phrase\", or, -excluded word"`
	CourseID uuid.UUID `query:"courseId" format:"uuid" doc:"only this course's notes"`
	Limit    int       `query:"limit" minimum:"1" maximum:"50" default:"20" doc:"hits per page"`
	Cursor   string    `query:"cursor" maxLength:"200" doc:"nextCursor of the previous page"`

	after *db.RankCursor
	mode  string
}

// Resolve refuses a blank query and reads the cursor, which carries the
// match mode so that every page of a search matches the same way.
func (in *searchInput) Resolve(huma.Context) []error {
	in.Q = strings.TrimSpace(in.Q)
	var errs []error
	if in.Q == "" {
		errs = append(errs, &huma.ErrorDetail{Location: "query.q", Message: "must not be blank", Value: in.Q})
	}
	in.mode = db.MatchFullText
	if in.Cursor != "" {
		var ok bool
		if in.mode, in.after, ok = parseSearchCursor(in.Cursor); !ok {
			errs = append(errs, &huma.ErrorDetail{Location: "query.cursor", Message: "not a cursor this API returned", Value: in.Cursor})
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
			"syntax (`\"quoted phrase\"`, `or`, `-excluded`), ranked with title matches above body matches, each " +
			"hit with a highlighted snippet. When nothing matches, falls back to trigram similarity so that a " +
			"misspelt word still finds its note (`match: fuzzy`): each word of the query is replaced by the " +
			"caller's most similar words, and notes holding one of them for every query word are found. " +
			"Paginated by an opaque (rank, id) cursor; every page of a search matches the same way.",
		Tags:   []string{"search"},
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}), s.search)
}

func (s *Server) search(ctx context.Context, in *searchInput) (*output[SearchResults], error) {
	q := s.cfg.DB.Queries
	if err := s.checkCourseFilter(ctx, q, in.CourseID); err != nil {
		return nil, err
	}
	p := db.SearchParams{Query: in.Q, Mode: in.mode, CourseID: in.CourseID, After: in.after, Limit: in.Limit + 1}
	hits, err := q.SearchDocuments(ctx, userFrom(ctx).ID, p)
	if err == nil && len(hits) == 0 && in.after == nil && p.Mode == db.MatchFullText {
		p.Mode = db.MatchFuzzy
		hits, err = q.SearchDocuments(ctx, userFrom(ctx).ID, p)
	}
	if err != nil {
		return nil, s.fail(ctx, "search", err)
	}
	out := &output[SearchResults]{Body: SearchResults{Match: p.Mode, Items: make([]SearchHit, 0, min(len(hits), in.Limit))}}
	if len(hits) > in.Limit {
		hits = hits[:in.Limit]
		last := hits[len(hits)-1]
		out.Body.NextCursor = searchCursor(p.Mode, db.RankCursor{Rank: last.Rank, ID: last.ID})
	}
	for _, h := range hits {
		out.Body.Items = append(out.Body.Items, SearchHit{ID: h.ID, Title: h.Title, Excerpt: h.Excerpt,
			Snippet: highlight(h.Snippet), Match: p.Mode, Rank: h.Rank,
			Course:    SearchCourse{ID: h.CourseID, Name: h.CourseName, Color: h.CourseColor},
			CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt})
	}
	return out, nil
}

var highlighter = strings.NewReplacer(db.HighlightStart, "<mark>", db.HighlightStop, "</mark>")

// highlight escapes a snippet's text and only then turns the highlighter's
// markers into <mark>, so nothing in a note can become markup.
func highlight(snippet string) string {
	return highlighter.Replace(html.EscapeString(snippet))
}

// searchCursor encodes a position in one search's results. The rank goes
// as its exact bits: the next page compares it with the same float4.
func searchCursor(mode string, c db.RankCursor) string {
	raw := mode + "|" + strconv.FormatUint(uint64(math.Float32bits(c.Rank)), 16) + "|" + c.ID.String()
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func parseSearchCursor(s string) (string, *db.RankCursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", nil, false
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 || (parts[0] != db.MatchFullText && parts[0] != db.MatchFuzzy) {
		return "", nil, false
	}
	bits, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil {
		return "", nil, false
	}
	id, err := uuid.Parse(parts[2])
	if err != nil {
		return "", nil, false
	}
	return parts[0], &db.RankCursor{Rank: math.Float32frombits(uint32(bits)), ID: id}, true
}
