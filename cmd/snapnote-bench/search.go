package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/snapnote/snapnote/internal/db"
)

// runSearch measures search quality on the generated set (searchset.go):
// mean reciprocal rank and recall@5 of the search beside the search before
// it (the baseline, whose SQL this file holds), and how many exclusions each
// honoured; then the latency of the set's queries with users × 1,000 other
// notes in the database, and the plan of one query of each kind. With
// DATABASE_URL set it adds the set to that database (one `reads seed`
// filled) instead of seeding a fresh one.
func runSearch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	seedFlag := fs.Uint64("seed", 22, "seed of the generated set")
	fs.IntVar(&users, "users", users, fmt.Sprintf("other users seeded, each with %d notes, for the latency (0: none)", notesPerUser))
	roundsFlag := fs.Int("rounds", 5, "times each query is timed")
	verbose := fs.Bool("v", false, "print each query the search misses")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return errors.New("usage: snapnote-bench search [-seed N] [-users N] [-rounds N] [-v]")
	}
	dbURL, drop, err := searchDatabase(ctx)
	if err != nil {
		return err
	}
	defer drop()
	set := generateSearchSet(*seedFlag)
	tracer := &sentQueries{}
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return err
	}
	cfg.ConnConfig.Tracer = tracer
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer pool.Close()
	userID, noteIDs, err := loadSearchSet(ctx, pool, set)
	if err != nil {
		return err
	}
	var others int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM documents WHERE user_id <> $1`, userID).Scan(&others); err != nil {
		return err
	}
	fmt.Printf("generated set (seed %d): %d notes in %d courses, %d queries; %d other notes in the database\n\n",
		*seedFlag, len(set.Notes), len(set.Courses), len(set.Queries), others)

	q := db.New(pool)
	search := func(query string) ([]uuid.UUID, error) {
		hits, err := searchPage(ctx, q, userID, db.SearchParams{Query: query, Sort: db.SortRelevance, Limit: 21}, 20)
		ids := make([]uuid.UUID, len(hits))
		for i, h := range hits {
			ids[i] = h.ID
		}
		return ids, err
	}
	baseline := func(query string) ([]uuid.UUID, error) { return baselineSearch(ctx, pool, userID, query) }
	kinds, err := searchQuality(set, noteIDs, search, baseline, *verbose)
	if err != nil {
		return err
	}

	if *roundsFlag > 0 {
		return searchLatency(ctx, pool, tracer, set, kinds, search, *roundsFlag)
	}
	return nil
}

// searchDatabase returns DATABASE_URL, or else a scratch database seeded
// with users' notes for the latency, and what drops it. A database `reads
// seed` filled serves both scenarios: seeding 100,000 notes is the slow part.
func searchDatabase(ctx context.Context) (string, func(), error) {
	if dbURL := os.Getenv("DATABASE_URL"); dbURL != "" {
		return dbURL, func() {}, nil
	}
	scratch, err := newScratchDB(ctx, 4)
	if err != nil {
		return "", nil, err
	}
	if users > 0 {
		if err := seed(ctx, scratch.URL); err != nil {
			scratch.drop()
			return "", nil, err
		}
	}
	return scratch.URL, scratch.drop, nil
}

// searchQuality scores search and baseline on the set and prints, per kind
// of query, mean reciprocal rank, recall@5 and exclusions honoured; it
// returns the kinds in the set's order.
func searchQuality(set searchSet, noteIDs []uuid.UUID, search, baseline func(string) ([]uuid.UUID, error), verbose bool) ([]string, error) {
	current, err := score(set, noteIDs, search, verbose)
	if err != nil {
		return nil, err
	}
	before, err := score(set, noteIDs, baseline, false)
	if err != nil {
		return nil, err
	}
	kinds := []string{}
	for _, query := range set.Queries {
		if !slices.Contains(kinds, query.Kind) {
			kinds = append(kinds, query.Kind)
		}
	}
	var rows [][]string
	for _, kind := range append(kinds, "all") {
		c, b := current[kind], before[kind]
		rows = append(rows, []string{kind, fmt.Sprint(c.n), fmt.Sprintf("%.3f", c.mrr()), fmt.Sprintf("%.3f", b.mrr()),
			fmt.Sprintf("%.3f", c.recall5()), fmt.Sprintf("%.3f", b.recall5()),
			fmt.Sprintf("%d/%d", c.honoured, c.exclusions), fmt.Sprintf("%d/%d", b.honoured, b.exclusions)})
	}
	table([]string{"kind", "queries", "MRR", "baseline", "recall@5", "baseline", "exclusions honoured", "baseline"}, rows...)
	return kinds, nil
}

// searchLatency times every query of the set rounds times through
// internal/db, then explains one query of each kind.
func searchLatency(ctx context.Context, pool *pgxpool.Pool, tracer *sentQueries, set searchSet, kinds []string,
	search func(string) ([]uuid.UUID, error), rounds int) error {
	byKind := map[string][]time.Duration{}
	for range rounds {
		for _, query := range set.Queries {
			start := time.Now()
			if _, err := search(query.Query); err != nil {
				return err
			}
			took := time.Since(start)
			byKind[query.Kind] = append(byKind[query.Kind], took)
			byKind["all"] = append(byKind["all"], took)
		}
	}
	fmt.Printf("\nlatency: each query %d times, sequential, through internal/db (search and snippets)\n\n", rounds)
	var rows [][]string
	for _, kind := range append(kinds, "all") {
		ds := byKind[kind]
		rows = append(rows, []string{kind, round(percentile(ds, 50)).String(), round(percentile(ds, 99)).String(),
			round(slices.Max(ds)).String()})
	}
	table([]string{"kind", "p50", "p99", "max"}, rows...)
	for _, kind := range kinds {
		i := slices.IndexFunc(set.Queries, func(q setQuery) bool { return q.Kind == kind })
		tracer.reset()
		if _, err := search(set.Queries[i].Query); err != nil {
			return err
		}
		sent := tracer.get()
		if len(sent) == 0 {
			continue
		}
		rows, err := pool.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sent[0].sql, sent[0].args...)
		if err != nil {
			return fmt.Errorf("explain %s: %w", kind, err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("explain %s: %w", kind, err)
		}
		fmt.Printf("\n== EXPLAIN %s: %s\n%s\n", kind, set.Queries[i].Query, strings.Join(lines, "\n"))
	}
	return nil
}

// loadSearchSet copies the set into the database for a user of its own,
// and returns the user's id and the notes' ids, in the set's order.
func loadSearchSet(ctx context.Context, pool *pgxpool.Pool, set searchSet) (uuid.UUID, []uuid.UUID, error) {
	userID := uuid.New()
	courseIDs := make([]uuid.UUID, len(set.Courses))
	var courseRows, noteRows [][]any
	for i, c := range set.Courses {
		courseIDs[i] = uuid.New()
		courseRows = append(courseRows, []any{courseIDs[i], userID, c.Name, c.Language})
	}
	noteIDs := make([]uuid.UUID, len(set.Notes))
	for i, n := range set.Notes {
		noteIDs[i] = uuid.New()
		noteRows = append(noteRows, []any{noteIDs[i], courseIDs[n.Course], userID, n.Title, n.Body, n.Body,
			excerpt(n.Body), n.Created, n.Created})
	}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO users (id, auth0_user_id, name) VALUES ($1, $2, 'Search set')`,
			userID, "bench|search-set-"+userID.String()); err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		for _, t := range []struct {
			table   string
			columns []string
			rows    [][]any
		}{
			{"courses", []string{"id", "user_id", "name", "language"}, courseRows},
			{"documents", []string{"id", "course_id", "user_id", "title", "original_text", "formatted_note", "excerpt",
				"created_at", "updated_at"}, noteRows},
		} {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
				return fmt.Errorf("copy %s: %w", t.table, err)
			}
		}
		_, err := tx.Exec(ctx, `ANALYZE users, courses, documents, search_words`)
		return err
	})
	return userID, noteIDs, err
}

// setScore sums one kind of query's results.
type setScore struct {
	n, top5              int
	reciprocal           float64
	exclusions, honoured int
}

func (s setScore) mrr() float64     { return s.reciprocal / float64(max(s.n, 1)) }
func (s setScore) recall5() float64 { return float64(s.top5) / float64(max(s.n, 1)) }

// score runs every query of the set through search and sums the results by
// kind and in all.
func score(set searchSet, noteIDs []uuid.UUID, search func(string) ([]uuid.UUID, error), verbose bool) (map[string]*setScore, error) {
	scores := map[string]*setScore{"all": {}}
	titles := map[uuid.UUID]string{}
	for i, id := range noteIDs {
		titles[id] = set.Notes[i].Title
	}
	for _, query := range set.Queries {
		got, err := search(query.Query)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", query.Query, err)
		}
		if scores[query.Kind] == nil {
			scores[query.Kind] = &setScore{}
		}
		rank := slices.Index(got, noteIDs[query.Want]) + 1
		for _, s := range []*setScore{scores[query.Kind], scores["all"]} {
			s.n++
			if rank > 0 {
				s.reciprocal += 1 / float64(rank)
			}
			if rank > 0 && rank <= 5 {
				s.top5++
			}
			for _, e := range query.Excluded {
				s.exclusions++
				if !slices.Contains(got, noteIDs[e]) {
					s.honoured++
				}
			}
		}
		if verbose && rank != 1 {
			var top []string
			for _, id := range got[:min(3, len(got))] {
				top = append(top, titles[id])
			}
			fmt.Printf("%-11s %-30q rank %d of %d, want %q, top %q\n", query.Kind, query.Query, rank, len(got),
				set.Notes[query.Want].Title, top)
		}
	}
	return scores, nil
}

// The search before migration 008, as the baseline: every note indexed
// with English rules, title (A) above the Markdown as written (B), computed
// here per query since the index no longer holds it; full-text first, and
// only when that finds nothing, each word replaced by the user's three
// words most alike by trigram similarity.
const baselineVector = `(setweight(to_tsvector('english'::regconfig, coalesce(d.title, '')), 'A') ||
	setweight(to_tsvector('english'::regconfig, coalesce(d.formatted_note, '')), 'B'))`

const baselineFullText = `
	SELECT d.id FROM websearch_to_tsquery('english', $2) AS q, documents d JOIN courses c ON c.id = d.course_id
	WHERE d.user_id = $1 AND d.status = 'active' AND c.status = 'active' AND ` + baselineVector + ` @@ q
	ORDER BY ts_rank_cd(` + baselineVector + `, q) DESC, d.id DESC
	LIMIT 20`

const baselineFuzzy = `
	WITH words AS (
		SELECT DISTINCT w.word
		FROM documents d,
		     unnest(tsvector_to_array(to_tsvector('simple'::regconfig, d.title || ' ' || d.formatted_note))) AS w(word)
		WHERE d.user_id = $1 AND w.word ~ '^[[:alpha:]]{3,40}$'
	), q AS (
		SELECT to_tsquery('english', string_agg('(' || alternatives || ')', ' & ')) AS query
		FROM (
			SELECT t.n, string_agg(s.word, ' | ') AS alternatives
			FROM unnest($2::text[]) WITH ORDINALITY AS t(term, n)
			CROSS JOIN LATERAL (
				SELECT w.word FROM words w WHERE w.word % t.term
				ORDER BY similarity(w.word, t.term) DESC, w.word
				LIMIT 3
			) s
			GROUP BY t.n
		) alike
	)
	SELECT d.id FROM q, documents d JOIN courses c ON c.id = d.course_id
	WHERE d.user_id = $1 AND d.status = 'active' AND c.status = 'active' AND ` + baselineVector + ` @@ q.query
	ORDER BY ts_rank_cd(` + baselineVector + `, q.query) DESC, d.id DESC
	LIMIT 20`

func baselineSearch(ctx context.Context, pool *pgxpool.Pool, userID uuid.UUID, query string) ([]uuid.UUID, error) {
	rows, err := pool.Query(ctx, baselineFullText, userID, query)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil || len(ids) > 0 {
		return ids, err
	}
	rows, err = pool.Query(ctx, baselineFuzzy, userID, baselineFuzzyTerms(query))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}

// baselineFuzzyTerms is the baseline's choice of words to look up: runs
// of three letters or more, lowercased, leaving out -excluded words and
// "or", at most eight.
func baselineFuzzyTerms(query string) []string {
	var terms []string
	seen := map[string]bool{}
	for _, field := range strings.Fields(strings.ToLower(query)) {
		if strings.HasPrefix(field, "-") || field == "or" {
			continue
		}
		for _, word := range strings.FieldsFunc(field, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if utf8.RuneCountInString(word) >= 3 && !seen[word] && len(terms) < 8 {
				seen[word] = true
				terms = append(terms, word)
			}
		}
	}
	return terms
}
