package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/snapnote/snapnote/internal/db"
)

// deadAfter is the WORKER_DEAD_AFTER the rig's workers run with.
const deadAfter = 4 * time.Second

// jobWatch sees which worker process River handed jobs to, and which
// workers have beaten, on the database directly (not through the proxy the
// faults cut): River's job list, and the heartbeats as the workers read
// them.
type jobWatch struct {
	pool  *pgxpool.Pool
	river *river.Client[pgx.Tx]
	db    *db.Queries
}

func newJobWatch(ctx context.Context, dbURL string) (*jobWatch, error) {
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &jobWatch{pool: pool, river: client, db: db.New(pool)}, nil
}

func (w *jobWatch) close() { w.pool.Close() }

// claimsOf returns the running jobs whose attempt is by process pid, and
// the River client id they name it by.
func (w *jobWatch) claimsOf(ctx context.Context, pid int) ([]*rivertype.JobRow, string, error) {
	res, err := w.river.JobList(ctx, river.NewJobListParams().States(rivertype.JobStateRunning).First(1000))
	if err != nil {
		return nil, "", err
	}
	mark := "_" + strconv.Itoa(pid) + "_"
	var out []*rivertype.JobRow
	id := ""
	for _, j := range res.Jobs {
		if n := len(j.AttemptedBy); n > 0 && strings.Contains(j.AttemptedBy[n-1], mark) {
			out = append(out, j)
			id = j.AttemptedBy[n-1]
		}
	}
	return out, id, nil
}

// beaten reports whether worker id has a heartbeat.
func (w *jobWatch) beaten(ctx context.Context, id string) bool {
	beats, err := w.db.WorkerHeartbeats(ctx)
	return err == nil && slices.ContainsFunc(beats, func(h db.WorkerHeartbeat) bool { return h.ID == id })
}

// workerDeath is a worker killed at its first claim.
type workerDeath struct {
	name    string
	pid     int
	at      time.Time
	after   time.Duration // from the process's start to the kill
	claimed []string      // the jobs it held, by kind
	beaten  bool          // its heartbeat was written when it died
}

func (k workerDeath) String() string {
	if len(k.claimed) == 0 {
		return fmt.Sprintf("pid %d killed %s after start having claimed nothing", k.pid, k.after.Round(time.Millisecond))
	}
	beat := "no heartbeat"
	if k.beaten {
		beat = "heartbeat written"
	}
	return fmt.Sprintf("pid %d killed %s after start holding %d jobs (%s), %s", k.pid,
		k.after.Round(time.Millisecond), len(k.claimed), strings.Join(k.claimed, ","), beat)
}

// killAtClaim starts worker i and kills it with SIGKILL the moment River
// hands it a job, or after 30 s if none comes.
func (r *rig) killAtClaim(ctx context.Context, i int) workerDeath {
	name := fmt.Sprintf("worker%d", i+1)
	p, err := r.spawn(name, "worker")
	if err != nil {
		log.Printf("start %s: %v", name, err)
		return workerDeath{name: name, at: time.Now()}
	}
	r.workers[i] = p
	start := time.Now()
	k := workerDeath{name: name, pid: p.cmd.Process.Pid}
	for time.Since(start) < 30*time.Second && ctx.Err() == nil {
		jobs, id, err := r.watch.claimsOf(ctx, k.pid)
		if err == nil && len(jobs) > 0 {
			_ = p.cmd.Process.Signal(syscall.SIGKILL)
			k.at, k.after = time.Now(), time.Since(start)
			for _, j := range jobs {
				k.claimed = append(k.claimed, j.Kind)
			}
			k.beaten = r.watch.beaten(ctx, id)
			return k
		}
		time.Sleep(2 * time.Millisecond)
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	k.at, k.after = time.Now(), time.Since(start)
	return k
}

// runWorkerDeaths is a worker fault alone, on 12 uploads. Once: the API and
// worker1 run, and worker2 is started and killed at its first claim. A
// crash loop: no worker runs, worker2 is started and killed at its first
// claim kills times (a supervisor restarting it after a second, until a
// life finds nothing to claim), then started for good. It follows the
// uploads until all are done, and checks each is done with one note.
func runWorkerDeaths(ctx context.Context, users, kills int, settle time.Duration, keep bool) (bool, error) {
	r := &rig{}
	alongside := 1 // worker1
	if kills > 1 {
		alongside = 0
	}
	cleanup, err := r.start(ctx, keep, alongside)
	defer cleanup()
	if err != nil {
		return false, err
	}
	st := newStats()
	load := newLoad(r, st, users)
	if err := load.signIn(ctx); err != nil {
		return false, err
	}
	var wg sync.WaitGroup
	for n := range 12 {
		wg.Go(func() { load.upload(ctx, load.users[n%users], n) })
	}
	wg.Wait()
	log.Printf("%d uploads accepted; starting worker2 to kill it at its first claim, %d times", load.accepted(), kills)
	for n := range kills {
		if n > 0 {
			pause(ctx, time.Second)
		}
		k := r.killAtClaim(ctx, 1)
		log.Printf("worker2 %s", k)
		st.deaths = append(st.deaths, k)
		if len(k.claimed) == 0 {
			break
		}
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if alongside == 0 {
		if r.workers[1], err = r.spawn("worker2", "worker"); err != nil {
			return false, err
		}
	}
	last := st.lastDeath().at
	st.pending, st.allDone = load.follow(ctx, last, settle)
	ok := load.verify(ctx, time.Second)
	st.printDeaths(os.Stdout, load)
	return ok && !st.allDone.IsZero() && st.allDone.Sub(last) <= deadAfter+time.Minute, nil
}

// follow polls every accepted upload each second from since until all are
// done or settle has passed, and returns how many were not done at each
// poll, and when all were (zero if never).
func (l *load) follow(ctx context.Context, since time.Time, settle time.Duration) ([]pendingAt, time.Time) {
	l.mu.Lock()
	ids := slices.Clone(l.order)
	l.mu.Unlock()
	var timeline []pendingAt
	for ctx.Err() == nil && time.Since(since) < settle {
		pending, processing := 0, 0
		for _, id := range ids {
			res := l.do(ctx, l.users[l.uploads[id]], "follow GET /api/uploads/{id}", http.MethodGet, "/api/uploads/"+id, nil, "", nil)
			var up struct{ Status string }
			if res.status != http.StatusOK || json.Unmarshal(res.body, &up) != nil || up.Status != "done" {
				pending++
				if up.Status == "processing" {
					processing++
				}
			}
		}
		timeline = append(timeline, pendingAt{after: time.Since(since), pending: pending, processing: processing})
		if pending == 0 {
			return timeline, time.Now()
		}
		pause(ctx, time.Second)
	}
	return timeline, time.Time{}
}

// lastDeath is the last death of a worker that held jobs, or the last
// death when none did.
func (s *stats) lastDeath() workerDeath {
	for _, k := range slices.Backward(s.deaths) {
		if len(k.claimed) > 0 {
			return k
		}
	}
	return s.deaths[len(s.deaths)-1]
}

// pendingAt is how many uploads were not done some time after a death.
type pendingAt struct {
	after               time.Duration
	pending, processing int
}
