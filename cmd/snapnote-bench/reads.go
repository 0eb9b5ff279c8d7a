package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/migrations"
	"github.com/snapnote/snapnote/storage"
)

// users is how many users seed makes (-users).
var users = 100

const (
	coursesPerUser = 5
	notesPerUser   = 1000
	rounds         = 200 // requests per measured route
	deepPage       = 30  // of 20 notes: the 580th note on
	subjectPrefix  = "bench|user-"
)

// runReads seeds (seed) or measures (measure) the read paths on the
// database at DATABASE_URL; "all" does both.
func runReads(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reads", flag.ContinueOnError)
	fs.IntVar(&users, "users", users, fmt.Sprintf("users seeded, each with %d notes", notesPerUser))
	if err := fs.Parse(args); err != nil {
		return err
	}
	args = fs.Args()
	if len(args) != 1 || !slices.Contains([]string{"seed", "measure", "all"}, args[0]) {
		return errors.New("usage: [DATABASE_URL=…] snapnote-bench reads [-users N] seed|measure|all")
	}
	dbURL := os.Getenv("DATABASE_URL")
	if dbURL == "" {
		if args[0] != "all" {
			return errors.New("reads: set DATABASE_URL to a scratch database, or run `reads all` on a fresh one")
		}
		scratch, err := newScratchDB(ctx, 4)
		if err != nil {
			return err
		}
		defer scratch.drop()
		dbURL = scratch.URL
	}
	if args[0] != "measure" {
		if err := seed(ctx, dbURL); err != nil {
			return err
		}
	}
	if args[0] != "seed" {
		return measure(ctx, dbURL)
	}
	return nil
}

// seed migrates the database and COPYs users, courses and notes into it.
func seed(ctx context.Context, dbURL string) error {
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer pool.Close()
	m, err := migrations.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	if _, err := m.Up(ctx); err != nil {
		return err
	}
	start := time.Now()
	rng := rand.New(rand.NewPCG(1, 2))
	var userRows, courseRows, noteRows [][]any
	now := time.Now()
	for u := range users {
		userID := uuid.New()
		userRows = append(userRows, []any{userID, fmt.Sprintf("%s%d", subjectPrefix, u), fmt.Sprintf("User %d", u)})
		var courseIDs []uuid.UUID
		for c := range coursesPerUser {
			id := uuid.New()
			courseIDs = append(courseIDs, id)
			status, deleted := snapnote.StatusActive, (*time.Time)(nil)
			if c == coursesPerUser-1 && u%4 == 0 { // some users keep a course in trash
				status, deleted = snapnote.StatusTrash, &now
			}
			courseRows = append(courseRows, []any{id, userID, topics[(u+c)%len(topics)], status, deleted})
		}
		for n := range notesPerUser {
			title, body := title(rng), body(rng)
			status, deleted := snapnote.StatusActive, (*time.Time)(nil)
			if n%20 == 0 {
				status, deleted = snapnote.StatusTrash, &now
			}
			created := now.Add(-time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
			noteRows = append(noteRows, []any{uuid.New(), courseIDs[rng.IntN(len(courseIDs))], userID, title, body, body,
				excerpt(body), status, deleted, created, created})
		}
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, t := range []struct {
			table   string
			columns []string
			rows    [][]any
		}{
			{"users", []string{"id", "auth0_user_id", "name"}, userRows},
			{"courses", []string{"id", "user_id", "name", "status", "deleted_at"}, courseRows},
			{"documents", []string{"id", "course_id", "user_id", "title", "original_text", "formatted_note", "excerpt",
				"status", "deleted_at", "created_at", "updated_at"}, noteRows},
		} {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
				return fmt.Errorf("copy %s: %w", t.table, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `ANALYZE users, courses, documents`); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	fmt.Printf("seeded %d users, %d courses, %d notes in %s\n", len(userRows), len(courseRows), len(noteRows),
		time.Since(start).Round(time.Millisecond))
	return nil
}

// measure serves the real API in-process and times its read routes for one
// user, then prints the plans of the queries behind them.
func measure(ctx context.Context, dbURL string) error {
	tracer := &sentQueries{}
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	cfg.ConnConfig.Tracer = tracer
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer pool.Close()

	c, stop, err := readsServer(pool)
	if err != nil {
		return err
	}
	defer stop()
	first, deep, err := firstAndDeepPage(c)
	if err != nil {
		return err
	}
	routes, err := readRoutes(ctx, pool, first, deep)
	if err != nil {
		return err
	}
	fmt.Printf("%d requests per route, one user (%d notes of %d), sequential, in-process HTTP;\n"+
		"baseline: the route's query called directly through internal/db, as many times\n\n",
		rounds, notesPerUser, users*notesPerUser)
	var rows [][]string
	for _, r := range routes {
		row, err := timeRoute(c, r)
		if err != nil {
			return err
		}
		rows = append(rows, row)
	}
	table([]string{"route", "direct p50", "API p50", "ratio", "API p99", "API max"}, rows...)
	return explainAll(ctx, pool, tracer, deep)
}

// readsServer starts the API in-process on pool, with dev auth on a
// temporary key and no blobs, and returns a client signed in as the first
// seeded user.
func readsServer(pool *pgxpool.Pool) (_ *client, stop func(), err error) {
	dir, err := os.MkdirTemp("", "snapnote-bench")
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(dir)
		}
	}()
	key, err := auth.LoadOrCreateDevKey(dir)
	if err != nil {
		return nil, nil, err
	}
	validator, err := auth.NewValidator(auth.Config{Issuer: auth.DevIssuer, Audience: auth.DevAudience, Keys: key.JWKS()})
	if err != nil {
		return nil, nil, err
	}
	blobs, err := storage.NewLocal(dir)
	if err != nil {
		return nil, nil, err
	}
	token, err := key.Token(auth.Claims{Subject: subjectPrefix + "0"}, time.Hour)
	if err != nil {
		return nil, nil, err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	handler, _ := api.New(api.Config{DB: db.Open(pool, logger), Blobs: blobs, Auth: validator, Logger: logger})
	srv := httptest.NewServer(handler)
	return &client{base: srv.URL, token: token}, func() { srv.Close(); _ = os.RemoveAll(dir) }, nil
}

// notesPage is one page of the notes list.
type notesPage struct {
	Items []struct {
		ID uuid.UUID `json:"id"`
	} `json:"items"`
	NextCursor string `json:"nextCursor"`
}

// firstAndDeepPage returns the first page of the user's notes and the
// cursor of page deepPage.
func firstAndDeepPage(c *client) (first notesPage, deep string, err error) {
	if err := c.get("/api/documents?limit=20", &first); err != nil {
		return first, "", err
	}
	deep = first.NextCursor
	for range deepPage - 2 {
		var p notesPage
		if err := c.get("/api/documents?limit=20&cursor="+deep, &p); err != nil {
			return first, "", err
		}
		if deep = p.NextCursor; deep == "" {
			return first, "", fmt.Errorf("the user has fewer than %d pages of notes: seed first", deepPage)
		}
	}
	return first, deep, nil
}

// readRoute is a route measured, and its query called directly, as the
// handler calls it: what HTTP, auth and JSON add.
type readRoute struct {
	name, path string
	direct     func() error
}

func readRoutes(ctx context.Context, pool *pgxpool.Pool, first notesPage, deep string) ([]readRoute, error) {
	q := db.New(pool)
	user, err := q.UpsertUser(ctx, db.Identity{Subject: subjectPrefix + "0"})
	if err != nil {
		return nil, err
	}
	after, err := db.ParseCursor(deep)
	if err != nil {
		return nil, err
	}
	list := func(f db.DocumentFilter) func() error {
		return func() error { _, err := q.ListDocuments(ctx, user.ID, f); return err }
	}
	routes := []readRoute{
		{"list courses", "/api/courses", func() error { _, err := q.ListCourses(ctx, user.ID, snapnote.StatusActive); return err }},
		{"list notes, first page", "/api/documents?limit=20", list(db.DocumentFilter{Status: snapnote.StatusActive, Limit: 21})},
		{"list notes, page 30", "/api/documents?limit=20&cursor=" + deep,
			list(db.DocumentFilter{Status: snapnote.StatusActive, After: after, Limit: 21})},
		{"get note", "/api/documents/" + first.Items[0].ID.String(),
			func() error { _, err := q.DocumentByID(ctx, user.ID, first.Items[0].ID); return err }},
	}
	for _, shape := range searchShapes {
		routes = append(routes, readRoute{shape.name, "/api/search?q=" + url.QueryEscape(shape.query) + "&sort=" + shape.sort,
			searchDirect(ctx, q, user.ID, shape.query, shape.sort)})
	}
	return routes, nil
}

// timeRoute calls r through the API and directly, rounds times each in
// turn, and returns its row of the table.
func timeRoute(c *client, r readRoute) ([]string, error) {
	var viaAPI, direct []time.Duration
	for range rounds {
		start := time.Now()
		if err := c.get(r.path, nil); err != nil {
			return nil, fmt.Errorf("%s: %w", r.name, err)
		}
		viaAPI = append(viaAPI, time.Since(start))
		start = time.Now()
		if err := r.direct(); err != nil {
			return nil, fmt.Errorf("%s, direct: %w", r.name, err)
		}
		direct = append(direct, time.Since(start))
	}
	d50, a50 := percentile(direct, 50), percentile(viaAPI, 50)
	return []string{r.name, round(d50).String(), round(a50).String(), ratio(d50, a50),
		round(percentile(viaAPI, 99)).String(), round(viaAPI[len(viaAPI)-1]).String()}, nil
}

// explainAll runs the queries behind the measured routes through db, as the
// API does, and prints EXPLAIN (ANALYZE, BUFFERS) of the SQL each sent.
func explainAll(ctx context.Context, pool *pgxpool.Pool, tracer *sentQueries, deep string) error {
	q := db.New(pool)
	user, err := q.UpsertUser(ctx, db.Identity{Subject: subjectPrefix + "0"})
	if err != nil {
		return err
	}
	after, err := db.ParseCursor(deep)
	if err != nil {
		return err
	}
	explained := []struct {
		name string
		run  func() error
	}{
		{"list courses", func() error { _, err := q.ListCourses(ctx, user.ID, snapnote.StatusActive); return err }},
		{"list notes, first page", func() error {
			_, err := q.ListDocuments(ctx, user.ID, db.DocumentFilter{Status: snapnote.StatusActive, Limit: 21})
			return err
		}},
		{"list notes, page 30", func() error {
			_, err := q.ListDocuments(ctx, user.ID, db.DocumentFilter{Status: snapnote.StatusActive, After: after, Limit: 21})
			return err
		}},
	}
	for _, shape := range searchShapes {
		explained = append(explained, struct {
			name string
			run  func() error
		}{shape.name, searchDirect(ctx, q, user.ID, shape.query, shape.sort)})
	}
	for _, e := range explained {
		tracer.reset()
		if err := e.run(); err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		sent := tracer.get()
		for i, query := range sent {
			rows, err := pool.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+query.sql, query.args...)
			if err != nil {
				return fmt.Errorf("explain %s: %w", e.name, err)
			}
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return fmt.Errorf("explain %s: %w", e.name, err)
			}
			name := e.name
			if len(sent) > 1 {
				name += fmt.Sprintf(" (query %d of %d)", i+1, len(sent))
			}
			fmt.Printf("\n== EXPLAIN %s\n%s\n", name, strings.Join(lines, "\n"))
		}
	}
	return nil
}

// searchShapes are the kinds of search measured and explained: each uses
// the full-text index its own way.
var searchShapes = []struct{ name, query, sort string }{
	{"search common word", commonWord, db.SortRelevance},
	{"search common word, by date", commonWord, db.SortDate},
	{"search rare word", rareWord, db.SortRelevance},
	{"search typo", typo, db.SortRelevance},
	{"search phrase", `"` + phrase + `"`, db.SortRelevance},
	{"search exclusion", commonWord + " -" + excluded, db.SortRelevance},
	{"search or", rareWord + " or " + phrase, db.SortRelevance},
}

// searchDirect runs one search through internal/db, as the API does.
func searchDirect(ctx context.Context, q *db.Queries, userID uuid.UUID, query, sort string) func() error {
	return func() error {
		_, err := searchPage(ctx, q, userID, db.SearchParams{Query: query, Sort: sort, Limit: 21}, 20)
		return err
	}
}

// searchPage finds a page of hits and cuts their snippets, as the API
// does: snippets for the shown hits only.
func searchPage(ctx context.Context, q *db.Queries, userID uuid.UUID, p db.SearchParams, shown int) ([]db.SearchHit, error) {
	hits, err := q.SearchDocuments(ctx, userID, p)
	if err != nil {
		return nil, err
	}
	hits = hits[:min(len(hits), shown)]
	plain := make([]string, len(hits))
	for i, h := range hits {
		plain[i] = notes.PlainText(h.Note)
	}
	return hits, q.SearchSnippets(ctx, hits, plain)
}

// sentQueries remembers the queries a pool sent since the last reset, so
// their plans can be shown. It records nothing before the first reset.
type sentQueries struct {
	mu        sync.Mutex
	recording bool
	sent      []sentQuery
}

type sentQuery struct {
	sql  string
	args []any
}

func (l *sentQueries) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	if l.recording && !strings.HasPrefix(data.SQL, "EXPLAIN") {
		l.sent = append(l.sent, sentQuery{data.SQL, data.Args})
	}
	l.mu.Unlock()
	return ctx
}

func (l *sentQueries) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (l *sentQueries) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recording, l.sent = true, nil
}

func (l *sentQueries) get() []sentQuery {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.sent)
}

// client calls the API as one user.
type client struct {
	base, token string
}

func (c *client) get(path string, v any) error {
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, res.StatusCode, body)
	}
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errors.Join(fmt.Errorf("GET %s: decode", path), err)
	}
	return nil
}

func round(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }
