package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// stats records every answer, and which fault was on when it came.
type stats struct {
	start time.Time

	mu      sync.Mutex
	current string // the fault in progress, "" for none
	events  []string
	byRoute map[string]*routeStats
	causes  map[string]int // "route | status detail | during" → count

	loadFor              time.Duration
	deaths               []workerDeath // workers killed at their first claim
	pending              []pendingAt   // after the last of them
	allDone              time.Time
	accepted             int
	verdict              *verdict
	notesWithoutAccepted int
}

type routeStats struct {
	took                      []time.Duration
	ok, tooMany, client, five int
	transport                 int
}

func newStats() *stats {
	return &stats{start: time.Now(), byRoute: map[string]*routeStats{}, causes: map[string]int{}}
}

// fault marks the start of a fault, or its end when name is "".
func (s *stats) fault(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := time.Since(s.start).Round(100 * time.Millisecond)
	if name == "" {
		s.events = append(s.events, fmt.Sprintf("t+%-6s %s over", at, s.current))
	} else {
		s.events = append(s.events, fmt.Sprintf("t+%-6s %s", at, name))
	}
	s.current = name
}

func (s *stats) record(route string, status int, took time.Duration, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.byRoute[route]
	if r == nil {
		r = &routeStats{}
		s.byRoute[route] = r
	}
	r.took = append(r.took, took)
	switch {
	case status == 0:
		r.transport++
	case status < 400:
		r.ok++
	case status == 429:
		r.tooMany++
	case status < 500:
		r.client++
	default:
		r.five++
	}
	if status == 0 || status >= 500 {
		during := s.current
		if during == "" {
			during = "no fault"
		}
		s.causes[fmt.Sprintf("%s | %d %s | during %s", route, status, detail, during)]++
	}
}

func (s *stats) print(w io.Writer, l *load) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(w, "\n== snapnote-chaos: %d users, %s of load, %s in all ==\n\nFaults:\n", len(l.users), s.loadFor,
		time.Since(s.start).Round(time.Second))
	for _, e := range s.events {
		fmt.Fprintln(w, "  "+e)
	}

	fmt.Fprintln(w, "\nAnswers and latency per route (ms):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "route\trequests\t2xx/3xx\t429\tother 4xx\t5xx\tno answer\tp50\tp95\tp99\t")
	for _, route := range slices.Sorted(maps.Keys(s.byRoute)) {
		r := s.byRoute[route]
		slices.Sort(r.took)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t\n", route, len(r.took), r.ok, r.tooMany, r.client, r.five, r.transport,
			pct(r.took, 50), pct(r.took, 95), pct(r.took, 99))
	}
	_ = tw.Flush()

	fmt.Fprintln(w, "\n5xx (and no answer) by cause:")
	if len(s.causes) == 0 {
		fmt.Fprintln(w, "  none")
	}
	keys := slices.Collect(maps.Keys(s.causes))
	sort.Slice(keys, func(i, j int) bool {
		return s.causes[keys[i]] > s.causes[keys[j]] || (s.causes[keys[i]] == s.causes[keys[j]] && keys[i] < keys[j])
	})
	for _, k := range keys {
		fmt.Fprintf(w, "  %5d  %s\n", s.causes[k], k)
	}

	l.mu.Lock()
	fmt.Fprintln(w, "\nSlow upload bodies (a byte every 0.5 s), how they ended:")
	for _, k := range slices.Sorted(maps.Keys(l.slow)) {
		fmt.Fprintf(w, "  %5d  %s\n", l.slow[k], k)
	}
	l.mu.Unlock()

	s.printUploads(w)
}

// printDeaths is the report of a worker-death scenario: each death, the
// uploads not done after the last, and the verdict.
func (s *stats) printDeaths(w io.Writer, l *load) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(w, "\n== snapnote-chaos: %d uploads, a worker killed at its first claim %d times, %s in all ==\n\n",
		l.accepted(), len(s.deaths), time.Since(s.start).Round(time.Second))
	fmt.Fprintln(w, "Deaths:")
	for _, k := range s.deaths {
		fmt.Fprintf(w, "  t+%-6s %s %s\n", k.at.Sub(s.start).Round(100*time.Millisecond), k.name, k)
	}
	fmt.Fprintln(w, "\nUploads not done (of which processing) after the last death of a worker holding jobs:")
	for i, p := range s.pending {
		if i == 0 || i == len(s.pending)-1 || p.pending != s.pending[i-1].pending || i%10 == 0 {
			fmt.Fprintf(w, "  +%-5s %2d (%d)\n", p.after.Round(time.Second), p.pending, p.processing)
		}
	}
	target := deadAfter + time.Minute
	switch {
	case len(s.pending) == 0:
		fmt.Fprintln(w, "  not followed (the run was stopped)")
	case s.allDone.IsZero():
		fmt.Fprintf(w, "All done: NOT within %s of the last death (target %s)\n", s.pending[len(s.pending)-1].after.Round(time.Second), target)
	default:
		took := s.allDone.Sub(s.lastDeath().at)
		fmt.Fprintf(w, "All done %s after the last death (target: within WORKER_DEAD_AFTER + 1 min = %s): %s\n",
			took.Round(100*time.Millisecond), target, map[bool]string{true: "met", false: "MISSED"}[took <= target])
	}
	s.printUploads(w)
}

// printUploads is the verdict on the accepted uploads.
func (s *stats) printUploads(w io.Writer) {
	if len(s.deaths) > 0 && s.byRoute["follow GET /api/uploads/{id}"] == nil {
		fmt.Fprintln(w, "\nWorkers killed at their first claim:")
		for _, k := range s.deaths {
			fmt.Fprintf(w, "  t+%-6s %s %s\n", k.at.Sub(s.start).Round(100*time.Millisecond), k.name, k)
		}
	}
	fmt.Fprintf(w, "\nAccepted uploads (202): %d\n", s.accepted)
	if v := s.verdict; v != nil {
		fmt.Fprintf(w, "  done: %d, failed: %d, not settled: %d\n", v.done, v.failed, v.unsettled)
		fmt.Fprintf(w, "  done without a note: %d, with more than one note: %d, documentId not its note: %d\n",
			v.missingNote, v.duplicated, v.wrongNote)
		for k, n := range v.failures {
			fmt.Fprintf(w, "  failed %d× %s\n", n, strings.TrimSpace(k))
		}
	}
	fmt.Fprintf(w, "  notes of uploads never answered 202 (a retry the client gave up on): %d\n", s.notesWithoutAccepted)
	if v := s.verdict; v != nil && v.done == s.accepted && v.missingNote+v.duplicated+v.wrongNote == 0 {
		fmt.Fprintln(w, "RESULT: every accepted upload reached done exactly once")
	} else {
		fmt.Fprintln(w, "RESULT: FAILED: some accepted upload did not reach done exactly once")
	}
}

func pct(sorted []time.Duration, p int) string {
	if len(sorted) == 0 {
		return "-"
	}
	d := sorted[min(len(sorted)-1, len(sorted)*p/100)]
	return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000)
}
