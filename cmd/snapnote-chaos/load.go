package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/snapnote/snapnote/internal/auth"
)

// load is the traffic: signed-in users, garbage and slow bodies.
type load struct {
	r      *rig
	st     *stats
	client *http.Client
	users  []*chaosUser

	mu      sync.Mutex
	uploads map[string]int // accepted upload id → user index
	order   []string
	slow    map[string]int // how each slow body ended
}

// chaosUser is one signed-in user, coming from an address of its own.
type chaosUser struct {
	idx    int
	token  string
	addr   string
	course string
}

func newLoad(r *rig, st *stats, users int) *load {
	l := &load{r: r, st: st, uploads: map[string]int{}, slow: map[string]int{},
		client: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	for i := range users {
		l.users = append(l.users, &chaosUser{idx: i, addr: fmt.Sprintf("198.51.100.%d", i+1)})
	}
	return l
}

func (l *load) accepted() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.order)
}

// signIn gives each user a token and a course.
func (l *load) signIn(ctx context.Context) error {
	for _, u := range l.users {
		tok, err := l.r.key.Token(auth.Claims{Subject: fmt.Sprintf("chaos-%d", u.idx), Name: fmt.Sprintf("Chaos %d", u.idx)}, 2*time.Hour)
		if err != nil {
			return err
		}
		u.token = tok
		res := l.do(ctx, u, "POST /api/courses", http.MethodPost, "/api/courses",
			[]byte(fmt.Sprintf(`{"name":"Thermodynamics %d"}`, u.idx)), "application/json", nil)
		if res.status != http.StatusCreated {
			return fmt.Errorf("create course: %d %s", res.status, res.body)
		}
		var c struct{ ID string }
		if err := json.Unmarshal(res.body, &c); err != nil {
			return err
		}
		u.course = c.ID
	}
	return nil
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request as u and records it under route.
func (l *load) do(ctx context.Context, u *chaosUser, route, method, path string, body []byte, contentType string, headers map[string]string) answer {
	req, err := http.NewRequestWithContext(ctx, method, l.r.apiURL+path, bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", "Bearer "+u.token)
	req.Header.Set("X-Forwarded-For", u.addr)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	start := time.Now()
	res, err := l.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			l.st.record(route, 0, time.Since(start), "transport: "+rootCause(err))
		}
		return answer{}
	}
	data, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	detail := ""
	if res.StatusCode >= 500 {
		detail = problemDetail(data)
	}
	l.st.record(route, res.StatusCode, time.Since(start), detail)
	return answer{status: res.StatusCode, header: res.Header, body: data}
}

// user uploads a page, looks at it, browses and searches, until ctx ends.
func (l *load) user(ctx context.Context, i int) {
	u := l.users[i]
	for n := 0; ctx.Err() == nil; n++ {
		id := l.upload(ctx, u, n)
		pause(ctx, 500*time.Millisecond)
		if id != "" {
			l.do(ctx, u, "GET /api/uploads/{id}", http.MethodGet, "/api/uploads/"+id, nil, "", nil)
		}
		l.do(ctx, u, "GET /api/documents", http.MethodGet, "/api/documents?limit=20", nil, "", nil)
		l.do(ctx, u, "GET /api/search", http.MethodGet, "/api/search?q=entropy", nil, "", nil)
		l.do(ctx, u, "GET /api/courses", http.MethodGet, "/api/courses", nil, "", nil)
		pause(ctx, 1500*time.Millisecond)
	}
}

// upload sends one page until it is accepted, retrying what the API says
// to retry with the same Idempotency-Key, and returns the upload's id.
func (l *load) upload(ctx context.Context, u *chaosUser, n int) string {
	body, ct := uploadBody(u.course, photo(u.idx, n))
	key := fmt.Sprintf("chaos-%d-%d", u.idx, n)
	for ctx.Err() == nil {
		res := l.do(ctx, u, "POST /api/uploads", http.MethodPost, "/api/uploads", body, ct, map[string]string{"Idempotency-Key": key})
		switch {
		case res.status == http.StatusAccepted:
			var up struct{ ID string }
			if err := json.Unmarshal(res.body, &up); err != nil || up.ID == "" {
				log.Printf("202 without an id: %s", res.body)
				return ""
			}
			l.mu.Lock()
			if _, seen := l.uploads[up.ID]; !seen {
				l.uploads[up.ID] = u.idx
				l.order = append(l.order, up.ID)
			}
			l.mu.Unlock()
			return up.ID
		case res.status == 0 || res.status == http.StatusTooManyRequests || res.status >= 500:
			wait := time.Second
			if res.header != nil {
				wait = retryAfter(res.header)
			}
			pause(ctx, wait)
		default:
			log.Printf("upload refused: %d %s", res.status, res.body)
			return ""
		}
	}
	return ""
}

// garbage sends bad tokens from four addresses, about 200 a second.
func (l *load) garbage(ctx context.Context) {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		u := &chaosUser{token: fmt.Sprintf("garbage.%d.x", n), addr: fmt.Sprintf("203.0.113.%d", n%4)}
		l.do(ctx, u, "garbage GET /api/courses", http.MethodGet, "/api/courses", nil, "", nil)
	}
}

// slowBodies keeps one upload open that sends its body a byte every half
// second, from an address of its own, and records how each one ended.
func (l *load) slowBodies(ctx context.Context, i int) {
	for ctx.Err() == nil {
		outcome := l.slowBody(ctx, i)
		l.mu.Lock()
		l.slow[outcome]++
		l.mu.Unlock()
	}
}

func (l *load) slowBody(ctx context.Context, i int) string {
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", strings.TrimPrefix(l.r.apiURL, "http://"))
	if err != nil {
		return "dial failed"
	}
	defer func() { _ = c.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	start := time.Now()
	u := l.users[i%len(l.users)]
	head := fmt.Sprintf("POST /api/uploads HTTP/1.1\r\nHost: snapnote\r\nAuthorization: Bearer %s\r\n"+
		"X-Forwarded-For: 192.0.2.%d\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 100000\r\n\r\n--x\r\n",
		u.token, i+1)
	if _, err := io.WriteString(c, head); err != nil {
		return "closed while sending headers"
	}
	answered := make(chan string, 1)
	go func() {
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			answered <- "closed by the server"
			return
		}
		answered <- fmt.Sprintf("answered %d", res.StatusCode)
	}()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return "still open at the end of the run"
		case outcome := <-answered:
			return fmt.Sprintf("%s after %s", outcome, bucketDuration(time.Since(start)))
		case <-tick.C:
			if _, err := c.Write([]byte("a")); err != nil {
				select {
				case outcome := <-answered:
					return fmt.Sprintf("%s after %s", outcome, bucketDuration(time.Since(start)))
				case <-time.After(time.Second):
					return fmt.Sprintf("write failed after %s", bucketDuration(time.Since(start)))
				}
			}
		}
	}
}

// bucketDuration rounds to 5 s so outcomes group.
func bucketDuration(d time.Duration) string {
	return fmt.Sprintf("~%ds", int((d+2500*time.Millisecond)/(5*time.Second))*5)
}

func pause(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func rootCause(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

// verdict is what happened to the accepted uploads.
type verdict struct {
	done, failed, unsettled, missingNote, duplicated, wrongNote int
	failures                                                    map[string]int
}

// verify waits for every accepted upload to settle, then checks that each
// is done with exactly one note, and that no note belongs to an upload
// nobody was told about.
func (l *load) verify(ctx context.Context, settle time.Duration) bool {
	l.mu.Lock()
	ids := append([]string(nil), l.order...)
	l.mu.Unlock()
	v := verdict{failures: map[string]int{}}
	deadline := time.Now().Add(settle)
	docOf := map[string]string{}
	for _, id := range ids {
		u := l.users[l.uploads[id]]
		for {
			res := l.do(ctx, u, "verify GET /api/uploads/{id}", http.MethodGet, "/api/uploads/"+id, nil, "", nil)
			var up struct {
				Status, ErrorCode, Error string
				DocumentID               string `json:"documentId"`
			}
			if res.status == http.StatusOK && json.Unmarshal(res.body, &up) == nil {
				if up.Status == "done" {
					v.done++
					docOf[id] = up.DocumentID
					break
				}
				if up.Status == "failed" {
					v.failed++
					v.failures[up.ErrorCode+": "+up.Error]++
					break
				}
			} else if res.status == http.StatusTooManyRequests {
				pause(ctx, retryAfter(res.header))
				continue
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				v.unsettled++
				break
			}
			pause(ctx, 500*time.Millisecond)
		}
	}
	notes := map[string][]string{} // upload id → note ids
	for _, u := range l.users {
		for _, d := range l.documents(ctx, u) {
			notes[d.uploadID] = append(notes[d.uploadID], d.id)
		}
	}
	for id, doc := range docOf {
		switch n := len(notes[id]); {
		case n == 0:
			v.missingNote++
		case n > 1:
			v.duplicated++
		case notes[id][0] != doc:
			v.wrongNote++
		}
	}
	l.st.verdict = &v
	l.st.accepted = len(ids)
	extra := 0
	for up := range notes {
		if _, ok := l.uploads[up]; !ok {
			extra++
		}
	}
	l.st.notesWithoutAccepted = extra
	return v.done == len(ids) && v.missingNote == 0 && v.duplicated == 0 && v.wrongNote == 0
}

type note struct{ id, uploadID string }

// documents lists every note of u, page by page.
func (l *load) documents(ctx context.Context, u *chaosUser) []note {
	var out []note
	cursor := ""
	for ctx.Err() == nil {
		path := "/api/documents?limit=100"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		res := l.do(ctx, u, "verify GET /api/documents", http.MethodGet, path, nil, "", nil)
		if res.status == http.StatusTooManyRequests {
			pause(ctx, retryAfter(res.header))
			continue
		}
		var page struct {
			Items []struct {
				ID       string `json:"id"`
				UploadID string `json:"uploadId"`
			} `json:"items"`
			NextCursor string `json:"nextCursor"`
		}
		if res.status != http.StatusOK || json.Unmarshal(res.body, &page) != nil {
			log.Printf("list documents: %d %s", res.status, res.body)
			pause(ctx, time.Second)
			continue
		}
		for _, it := range page.Items {
			out = append(out, note{id: it.ID, uploadID: it.UploadID})
		}
		if page.NextCursor == "" {
			return out
		}
		cursor = page.NextCursor
	}
	return out
}
