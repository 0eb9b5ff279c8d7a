package api_test

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

// These benchmarks measure the API under hostile load on loopback. Each
// runs a fixed amount of work once, whatever b.N is, and reports figures
// that compare within one run: run them with -benchtime=1x.

// hammer sends n requests from workers goroutines and returns the answers
// by status and the requests per second.
func hammer(b *testing.B, client *http.Client, n, workers int, newReq func() *http.Request) (map[int]int, float64) {
	b.Helper()
	var next atomic.Int64
	var mu sync.Mutex
	statuses := map[int]int{}
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			local := map[int]int{}
			for next.Add(1) <= int64(n) {
				res, err := client.Do(newReq())
				if err != nil {
					local[0]++
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				local[res.StatusCode]++
			}
			mu.Lock()
			for k, v := range local {
				statuses[k] += v
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return statuses, float64(n) / time.Since(start).Seconds()
}

func loopbackClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
}

// BenchmarkGarbageTokens floods the API with bad tokens from one client
// address, paced at 10,000 requests a second, while a signed-in user from
// another address reads their profile, and reports the flood's rate, how it
// was answered, and the user's latency without and with the flood. The API
// sits behind a proxy on loopback that names the client in X-Forwarded-For,
// so both callers can come from different addresses. The flood is written
// as raw HTTP/1.1 on kept-alive connections: net/http's client would spend
// more of the two cores than the server does.
//
// Sub-benchmark limit=off is the API without the per-address limit, as it
// was; limit=on has it.
func BenchmarkGarbageTokens(b *testing.B) {
	for _, limit := range []float64{0, 50} {
		name := "limit=off"
		if limit > 0 {
			name = "limit=on"
		}
		b.Run(name, func(b *testing.B) { benchmarkGarbageTokens(b, limit) })
	}
}

func benchmarkGarbageTokens(b *testing.B, limit float64) {
	bd := setupBench(b, func(c *api.Config) {
		c.RateLimitIP, c.RateBurstIP = limit, 100
		c.TrustedProxies = mustPrefixes("127.0.0.1/32")
		// Production logs every request it serves at info.
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	})
	client := loopbackClient()
	token := bd.Issuer.Token(bd.T, apitest.Claims{Sub: "alice"})
	userLatency := func(stop <-chan struct{}, n int) []time.Duration {
		var lat []time.Duration
		for len(lat) < n {
			select {
			case <-stop:
				return lat
			default:
			}
			req, _ := http.NewRequest(http.MethodGet, bd.Server.URL+"/api/user", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("X-Forwarded-For", "198.51.100.1")
			start := time.Now()
			res, err := client.Do(req)
			if err == nil {
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				if res.StatusCode == http.StatusOK {
					lat = append(lat, time.Since(start))
				}
			}
			time.Sleep(25 * time.Millisecond)
		}
		return lat
	}
	quiet := userLatency(nil, 100)

	stop := make(chan struct{})
	latCh := make(chan []time.Duration)
	go func() { latCh <- userLatency(stop, 1<<30) }()
	// The garbage is the costliest kind: a well-formed token with the
	// issuer's key id, signed by another key, so each one is refused only
	// after an RSA signature check.
	forger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: forger},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", bd.Issuer.KID))
	if err != nil {
		b.Fatal(err)
	}
	forged := bd.Issuer.Sign(b, signer, apitest.Claims{Sub: "mallory"})
	cpuBefore := cpuTime()
	b.ResetTimer()
	statuses, rps := flood(b, strings.TrimPrefix(bd.Server.URL, "http://"), 50000, 10000, 8,
		"GET /api/courses HTTP/1.1\r\nHost: snapnote\r\nAuthorization: Bearer "+forged+"\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n")
	b.StopTimer()
	cpu := cpuTime() - cpuBefore
	close(stop)
	loud := <-latCh
	b.ReportMetric(float64(cpu.Microseconds())/50000, "cpu-µs/garbage-req")
	b.ReportMetric(rps, "garbage-req/s")
	b.ReportMetric(float64(statuses[http.StatusUnauthorized]), "garbage-401s")
	b.ReportMetric(float64(statuses[http.StatusTooManyRequests]), "garbage-429s")
	reportPercentiles(b, "user-quiet", quiet)
	reportPercentiles(b, "user-flood", loud)
}

func reportPercentiles(b *testing.B, name string, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, name+"-p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, name+"-p99-ms")
	b.ReportMetric(float64(len(lat)), name+"-oks")
}

// flood sends request, a raw HTTP/1.1 request, n times over conns kept-alive
// connections at most perSecond a second, and returns the answers by status
// and the rate reached.
func flood(b *testing.B, addr string, n, perSecond, conns int, request string) (map[int]int, float64) {
	b.Helper()
	var mu sync.Mutex
	statuses := map[int]int{}
	interval := time.Duration(float64(time.Second) * float64(conns) / float64(perSecond))
	start := time.Now()
	var wg sync.WaitGroup
	for w := range conns {
		wg.Go(func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Error(err)
				return
			}
			defer c.Close()
			br := bufio.NewReader(c)
			local := map[int]int{}
			next := time.Now()
			for i := w; i < n; i += conns {
				if d := time.Until(next); d > 0 {
					time.Sleep(d)
				}
				next = next.Add(interval)
				if _, err := io.WriteString(c, request); err != nil {
					b.Error(err)
					return
				}
				res, err := http.ReadResponse(br, nil)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				local[res.StatusCode]++
			}
			mu.Lock()
			for k, v := range local {
				statuses[k] += v
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return statuses, float64(n) / time.Since(start).Seconds()
}

// BenchmarkHealthDB asks for readiness 8,000 times from 32 callers and
// reports how many database round trips that cost.
func BenchmarkHealthDB(b *testing.B) {
	bd := setupBench(b, nil)
	client := loopbackClient()
	before := bd.Pool.Stat().AcquireCount()
	b.ResetTimer()
	statuses, rps := hammer(b, client, 8000, 32, func() *http.Request {
		req, _ := http.NewRequest(http.MethodGet, bd.Server.URL+"/api/health/db", nil)
		return req
	})
	b.StopTimer()
	b.ReportMetric(rps, "req/s")
	b.ReportMetric(float64(statuses[http.StatusOK]), "oks")
	b.ReportMetric(float64(bd.Pool.Stat().AcquireCount()-before), "db-round-trips")
}

// setupBench is apitest.SetupWith for a benchmark.
func setupBench(b *testing.B, configure func(*api.Config)) *apitest.Bundle {
	b.Helper()
	return apitest.SetupWith(b, configure)
}

func mustPrefixes(cidrs ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, c := range cidrs {
		out = append(out, netip.MustParsePrefix(c))
	}
	return out
}

// cpuTime is the CPU this process (client and server both) has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
