package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/pdf/pdftest"
)

// unfinishedAddr is the one client address the unfinished bodies come from.
const unfinishedAddr = "203.0.113.66"

// probes are the scenarios run once beside the load, and what they found.
type probes struct {
	mu sync.Mutex
	// unfinished: how each of 100 bodies that never finish ended, and the
	// longest any took to be closed by the server.
	unfinished  map[string]int
	longestOpen time.Duration
	// API connections held open (established, on the API's port) at the
	// peak of the unfinished bodies and once they were done.
	apiConnsPeak, apiConnsAfter int
	// bomb: how the PDF bomb page's upload ended, and the memory of the
	// workers and their engines before and at the peak while it was read.
	bomb                        string
	workersBefore, workersPeak  int64
	apiFDsStart, apiFDsEnd      int
	workersStart, workersEnd    int64
	apiConnsStart, apiConnsLast int
}

// unfinishedBodies opens 100 connections from one address, each sending
// headers and one byte of a 1,000-byte body, spread over three routes:
// courses with a token, courses with a garbage token, and adding pages to
// a note that does not exist. Each must be answered and closed by the
// server within its read timeout and 5 s; refusals at once.
func (l *load) unfinishedBodies(ctx context.Context, p *probes) {
	u := l.users[0]
	routes := []struct{ name, path, auth, contentType string }{
		{"courses, token", "/api/courses", "Bearer " + u.token, "application/json"},
		{"courses, garbage token", "/api/courses", "Bearer garbage", "application/json"},
		{"add pages to a missing note", "/api/documents/0193a1c2-7f1e-7c3a-9d2b-5e8f4a6b1c2d/pages", "Bearer " + u.token,
			"multipart/form-data; boundary=x"},
	}
	var wg sync.WaitGroup
	for i := range 100 {
		route := routes[i%len(routes)]
		wg.Go(func() {
			outcome, open := unfinishedBody(ctx, l.r.apiURL, route.path, route.auth, route.contentType)
			p.mu.Lock()
			defer p.mu.Unlock()
			p.unfinished[route.name+": "+outcome]++
			p.longestOpen = max(p.longestOpen, open)
		})
	}
	time.Sleep(2 * time.Second)
	peak := apiConnections(l.r.apiURL)
	wg.Wait()
	time.Sleep(time.Second)
	p.mu.Lock()
	p.apiConnsPeak, p.apiConnsAfter = peak, apiConnections(l.r.apiURL)
	p.mu.Unlock()
}

// unfinishedBody sends one request whose body never finishes and returns
// how it ended (its answer, bucketed by when) and when the server closed it.
func unfinishedBody(ctx context.Context, base, path, authorization, contentType string) (string, time.Duration) {
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		return "dial failed", 0
	}
	defer func() { _ = c.Close() }()
	start := time.Now()
	_ = c.SetReadDeadline(start.Add(60 * time.Second))
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: snapnote\r\nAuthorization: %s\r\nX-Forwarded-For: %s\r\n"+
		"Content-Type: %s\r\nContent-Length: 1000\r\n\r\n{", path, authorization, unfinishedAddr, contentType)
	if _, err := io.WriteString(c, head); err != nil {
		return "closed while sending headers", time.Since(start)
	}
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		return "no answer: " + rootCause(err), time.Since(start)
	}
	answered := time.Since(start)
	_, _ = io.Copy(io.Discard, res.Body)
	_, err = br.ReadByte() // the server closes the connection
	closed := time.Since(start)
	outcome := fmt.Sprintf("%d in %s", res.StatusCode, bucketDuration(answered))
	if err == nil {
		outcome += ", left open"
	}
	return outcome, closed
}

// pdfBomb uploads a PDF of one 3700×3700 pt page whose text layer is
// unusable (about 60 Mpx at 150 dpi) as a user of its own, and watches the
// workers' memory, engines included, until the upload settles. It must
// fail with pdf_page_too_large, within the memory the workers are given.
func (l *load) pdfBomb(ctx context.Context, p *probes) {
	tok, err := l.r.key.Token(auth.Claims{Subject: "chaos-bomb", Name: "Chaos bomb"}, 2*time.Hour)
	if err != nil {
		p.setBomb("sign in: " + err.Error())
		return
	}
	u := &chaosUser{idx: len(l.users), token: tok, addr: "198.51.100.250"}
	res := l.do(ctx, u, "POST /api/courses", http.MethodPost, "/api/courses", []byte(`{"name":"Bombs"}`), "application/json", nil)
	var course struct{ ID string }
	if res.status != http.StatusCreated || json.Unmarshal(res.body, &course) != nil {
		p.setBomb(fmt.Sprintf("create course: %d", res.status))
		return
	}
	doc := pdftest.Write([]pdftest.Page{{Lines: []string{"Page 1"}, MediaBox: [2]float64{3700, 3700}}}, pdftest.Options{})
	before := l.r.workersRSS()
	body, ct := uploadBody(course.ID, doc) // a PDF is known by its bytes, not its name
	res = l.do(ctx, u, "POST /api/uploads", http.MethodPost, "/api/uploads", body, ct, nil)
	var up struct{ ID string }
	if res.status != http.StatusAccepted || json.Unmarshal(res.body, &up) != nil {
		p.setBomb(fmt.Sprintf("upload: %d %s", res.status, res.body))
		return
	}
	peak := before
	outcome := "not settled in 3 min"
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline) && ctx.Err() == nil; {
		peak = max(peak, l.r.workersRSS())
		res := l.do(ctx, u, "GET /api/uploads/{id}", http.MethodGet, "/api/uploads/"+up.ID, nil, "", nil)
		var st struct {
			Status string
			Error  *struct{ Code, Message string }
		}
		if res.status == http.StatusOK && json.Unmarshal(res.body, &st) == nil && (st.Status == "done" || st.Status == "failed") {
			outcome = st.Status
			if st.Error != nil {
				outcome += " " + st.Error.Code + ": " + st.Error.Message
			}
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bomb, p.workersBefore, p.workersPeak = outcome, before, peak
}

func (p *probes) setBomb(outcome string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bomb = outcome
}

// footprint notes the API's descriptors and connections and the workers'
// memory; start says whether it is the first look or the last.
func (p *probes) footprint(r *rig, start bool) {
	fds, conns, rss := openFDs(r.api.cmd.Process.Pid), apiConnections(r.apiURL), r.workersRSS()
	p.mu.Lock()
	defer p.mu.Unlock()
	if start {
		p.apiFDsStart, p.apiConnsStart, p.workersStart = fds, conns, rss
		return
	}
	p.apiFDsEnd, p.apiConnsLast, p.workersEnd = fds, conns, rss
}

func (p *probes) print(w io.Writer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(w, "\n100 unfinished bodies from %s (1 of 1,000 bytes sent), how they ended:\n", unfinishedAddr)
	for _, k := range slices.Sorted(maps.Keys(p.unfinished)) {
		fmt.Fprintf(w, "  %5d  %s\n", p.unfinished[k], k)
	}
	fmt.Fprintf(w, "  longest before the server closed one: %.1f s\n", p.longestOpen.Seconds())
	fmt.Fprintf(w, "  connections open on the API: %d two seconds in, %d after\n", p.apiConnsPeak, p.apiConnsAfter)
	fmt.Fprintf(w, "\nPDF bomb page (3700×3700 pt, unusable text layer): %s\n", p.bomb)
	fmt.Fprintf(w, "  workers and engines RSS: %d MB before, %d MB at the peak while it was read\n",
		p.workersBefore>>20, p.workersPeak>>20)
	fmt.Fprintf(w, "\nFootprint, at the start of the load and after it settled:\n")
	fmt.Fprintf(w, "  API descriptors: %d → %d; API connections open: %d → %d\n", p.apiFDsStart, p.apiFDsEnd,
		p.apiConnsStart, p.apiConnsLast)
	fmt.Fprintf(w, "  workers and engines RSS: %d MB → %d MB\n", p.workersStart>>20, p.workersEnd>>20)
}

// workersRSS is the resident memory of both workers and all their children
// (OCR engines, poppler), in bytes.
func (r *rig) workersRSS() int64 {
	var roots []int
	for _, w := range r.workers {
		if w != nil && w.cmd.Process != nil {
			roots = append(roots, w.cmd.Process.Pid)
		}
	}
	var total int64
	for _, pid := range descendants(roots) {
		total += rss(pid)
	}
	return total
}

// descendants returns roots and every process below them.
func descendants(roots []int) []int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so read after ')'.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 {
			if ppid, err := strconv.Atoi(fields[1]); err == nil {
				children[ppid] = append(children[ppid], pid)
			}
		}
	}
	out := slices.Clone(roots)
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// rss is a process's resident memory in bytes (0 when it is gone).
func rss(pid int) int64 {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func openFDs(pid int) int {
	entries, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	return len(entries)
}

// apiConnections counts the established TCP connections whose local port is
// the API's: what clients hold open on it.
func apiConnections(base string) int {
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(base, "http://"))
	want, _ := strconv.Atoi(port)
	n := 0
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for line := range strings.Lines(string(data)) {
			fields := strings.Fields(line)
			if len(fields) < 4 || fields[3] != "01" { // 01: ESTABLISHED
				continue
			}
			_, hexPort, ok := strings.Cut(fields[1], ":")
			if p, err := strconv.ParseInt(hexPort, 16, 32); ok && err == nil && int(p) == want {
				n++
			}
		}
	}
	return n
}
