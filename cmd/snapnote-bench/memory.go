package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/snapnote/snapnote/internal/corpus"
)

// runMemory runs a `snapnote worker` process and samples the resident memory
// of it and its OCR engines while it reads two 12-megapixel photos and a
// 24-megapixel page, uploaded at once through the API in this process, and
// a 16-bit 7071×7071 PNG that the API refuses.
func runMemory(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("memory", flag.ContinueOnError)
	binary := fs.String("snapnote", "bin/snapnote", "the snapnote binary to run as the worker (make build)")
	slots := fs.Int("slots", 2, "OCR_CONCURRENCY of the worker")
	budget := fs.Int64("ocr-memory", 160<<20, "OCR_MEMORY of the worker, and the API's limit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	bin, err := filepath.Abs(*binary)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%w (run make build, or pass -snapnote)", err)
	}
	scratch, err := newScratchDB(ctx, 10)
	if err != nil {
		return err
	}
	defer scratch.drop()
	dir, err := os.MkdirTemp("", "snapnote-bench-memory")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	blobDir := filepath.Join(dir, "blobs")
	srv, err := newAPIServer(scratch.Pool, blobDir, dir, *budget)
	if err != nil {
		return err
	}
	defer srv.Close()
	user, err := srv.newUser("bench|memory")
	if err != nil {
		return err
	}
	files := []memoryFile{
		{"photo-1.jpg", phonePhoto(corpus.NewPage(0).Image)},
		{"photo-2.jpg", phonePhoto(corpus.NewPage(1).Image)},
		{"page-24mp.jpg", pagePhoto(corpus.NewPage(2).Image, 4000, 6000)},
		{"bomb.png", bombPNG()},
	}
	worker, stop, err := startMemoryWorker(ctx, bin, scratch, dir, blobDir, *slots, *budget)
	if err != nil {
		return err
	}
	defer stop()
	time.Sleep(500 * time.Millisecond)
	idle := sampleTree(worker.Process.Pid)

	s := &rssSampler{root: worker.Process.Pid, stop: make(chan struct{})}
	s.wg.Go(s.run)
	start := time.Now()
	results, err := uploadAndWait(user, files)
	if err != nil {
		return err
	}
	took := time.Since(start)
	close(s.stop)
	s.wg.Wait()

	fmt.Printf("snapnote worker, OCR_CONCURRENCY=%d, OCR_MEMORY=%d MiB; RSS of it and its engines sampled every 50 ms for %s\n\n",
		*slots, *budget>>20, took.Round(100*time.Millisecond))
	for _, r := range results {
		fmt.Println(r)
	}
	fmt.Println()
	printMemory(s, idle)
	return nil
}

// memoryFile is a file the memory scenario uploads.
type memoryFile struct {
	name string
	data []byte
}

// startMemoryWorker starts bin as a worker on the scratch database and local blobs, and
// waits until it beats: its engines have started by then. stop ends it.
func startMemoryWorker(ctx context.Context, bin string, scratch *scratchDB, dir, blobDir string, slots int,
	budget int64) (_ *exec.Cmd, stop func(), err error) {
	cmd := exec.CommandContext(ctx, bin, "worker")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+scratch.URL, "DATA_DIR="+dir, "STORAGE_DIR="+blobDir,
		"OCR_CONCURRENCY="+strconv.Itoa(slots), "OCR_MEMORY="+strconv.FormatInt(budget, 10), "LOG_LEVEL=warn",
		"AUTH_MODE=dev") // the worker checks no tokens, but the settings must validate
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("start %s worker: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop = func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		<-exited
	}
	for start := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		var n int
		if err := scratch.Pool.QueryRow(ctx, `SELECT count(*) FROM worker_heartbeats`).Scan(&n); err == nil && n > 0 {
			return cmd, stop, nil
		}
		select {
		case err := <-exited:
			return nil, nil, fmt.Errorf("the worker exited: %v", err)
		default:
		}
		if time.Since(start) > time.Minute {
			stop()
			return nil, nil, fmt.Errorf("the worker did not start within a minute")
		}
	}
}

// uploadAndWait uploads every file at once, then waits for each upload the API accepted to
// settle, and returns a line for each: refused and why, or done or failed.
func uploadAndWait(user *apiUser, files []memoryFile) ([]string, error) {
	results := make([]string, len(files))
	ids := make([]uuid.UUID, len(files))
	for i, f := range files {
		status, body, err := user.upload(f.name, f.data)
		if err != nil {
			return nil, err
		}
		if status != http.StatusAccepted {
			results[i] = fmt.Sprintf("%-13s %5.1f MB  refused at upload: %d %s", f.name, mb(len(f.data)), status, problemWords(body))
			continue
		}
		var up struct{ ID uuid.UUID }
		if err := json.Unmarshal(body, &up); err != nil {
			return nil, err
		}
		ids[i] = up.ID
	}
	for i, id := range ids {
		if id == uuid.Nil {
			continue
		}
		line, err := settledLine(user, id, files[i])
		if err != nil {
			return nil, err
		}
		results[i] = line
	}
	return results, nil
}

// problemWords is a problem+json answer's detail and its errors' messages.
func problemWords(body []byte) string {
	var problem struct {
		Detail string
		Errors []struct{ Message string }
	}
	_ = json.Unmarshal(body, &problem)
	why := problem.Detail
	for _, e := range problem.Errors {
		why += ": " + e.Message
	}
	return why
}

// settledLine waits, three minutes at most, for upload id of f to be done or failed, and
// says which, with its OCR time or its error.
func settledLine(user *apiUser, id uuid.UUID, f memoryFile) (string, error) {
	var up struct {
		Status    string
		Error     *struct{ Code, Message string }
		TimingsMS map[string]int64
	}
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		status, body, err := user.do(http.MethodGet, "/api/uploads/"+id.String(), "", nil)
		if err != nil || status != http.StatusOK {
			return "", fmt.Errorf("get upload: %d %s %v", status, body, err)
		}
		if err := json.Unmarshal(body, &up); err != nil {
			return "", err
		}
		if up.Status == "done" || up.Status == "failed" || time.Now().After(deadline) {
			break
		}
	}
	line := fmt.Sprintf("%-13s %5.1f MB  %s", f.name, mb(len(f.data)), up.Status)
	if up.Error != nil {
		return line + fmt.Sprintf(" (%s: %s)", up.Error.Code, up.Error.Message), nil
	}
	return line + fmt.Sprintf(", OCR %d ms", up.TimingsMS["ocr"]), nil
}

// printMemory prints each process's idle and peak resident memory, and the sums.
func printMemory(s *rssSampler, idle treeMemory) {
	pids := make([]int, 0, len(s.hwm))
	for pid := range s.hwm {
		pids = append(pids, pid)
	}
	slices.SortFunc(pids, func(a, b int) int { return cmp.Compare(s.hwm[b], s.hwm[a]) })
	var rows [][]string
	var hwmSum int
	for _, pid := range pids {
		hwmSum += s.hwm[pid]
		rows = append(rows, []string{fmt.Sprintf("%s (pid %d)", s.names[pid], pid),
			fmt.Sprintf("%.0f", mb(idle.procs[pid].rss)), fmt.Sprintf("%.0f", mb(s.hwm[pid]))})
	}
	rows = append(rows,
		[]string{"sum of VmRSS (idle: baseline; then its peak)", fmt.Sprintf("%.0f", mb(idle.total)), fmt.Sprintf("%.0f", mb(s.peak))},
		[]string{"  of the worker and its engines alone", "", fmt.Sprintf("%.0f", mb(s.ownPeak))},
		[]string{"sum of every process's own peak (VmHWM)", "", fmt.Sprintf("%.0f", mb(hwmSum))},
		[]string{"peak ÷ idle", "", fmt.Sprintf("%.2f", float64(s.peak)/float64(max(idle.total, 1)))})
	table([]string{"process", "idle RSS MB", "peak MB (VmHWM)"}, rows...)
	fmt.Println("\ntarget: worker plus engines < 300 MB with two slots (the sum of VmRSS of them alone)")
}

// rssSampler samples the resident memory of a process and its descendants.
type rssSampler struct {
	root    int
	stop    chan struct{}
	wg      sync.WaitGroup
	peak    int            // bytes: the largest sum of VmRSS seen
	ownPeak int            // bytes: the same of the worker and its engines alone (no backup's pg_dump)
	hwm     map[int]int    // bytes: each process's VmHWM, last seen
	names   map[int]string // what each process is
}

func (s *rssSampler) run() {
	s.hwm, s.names = map[int]int{}, map[int]string{}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		t := sampleTree(s.root)
		s.peak = max(s.peak, t.total)
		own := 0
		for pid, p := range t.procs {
			if pid == s.root || strings.HasSuffix(p.name, " ocr-engine") {
				own += p.rss
			}
		}
		s.ownPeak = max(s.ownPeak, own)
		for pid, p := range t.procs {
			s.hwm[pid] = max(s.hwm[pid], p.hwm)
			s.names[pid] = p.name
		}
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
	}
}

// procMemory is one process's memory, from /proc/PID/status.
type procMemory struct {
	name     string
	rss, hwm int // bytes
}

// treeMemory is the memory of a process and its descendants.
type treeMemory struct {
	total int // bytes: sum of VmRSS
	procs map[int]procMemory
}

// sampleTree reads /proc for pid and every descendant.
func sampleTree(pid int) treeMemory {
	t := treeMemory{procs: map[int]procMemory{}}
	for _, p := range processTree(pid) {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p))
		if err != nil {
			continue // exited meanwhile
		}
		var m procMemory
		for line := range strings.SplitSeq(string(status), "\n") {
			k, v, _ := strings.Cut(line, ":")
			switch k {
			case "VmRSS", "VmHWM":
				kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
				if k == "VmRSS" {
					m.rss = kb << 10
				} else {
					m.hwm = kb << 10
				}
			}
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p))
		args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
		m.name = filepath.Base(args[0])
		if len(args) > 1 && !strings.HasPrefix(args[1], "-") {
			m.name += " " + args[1]
		}
		t.procs[p], t.total = m, t.total+m.rss
	}
	return t
}

// processTree returns pid and every descendant running now, parents first, found through
// each thread's children file in /proc.
func processTree(pid int) []int {
	tree := []int{pid}
	for i := 0; i < len(tree); i++ {
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", tree[i]))
		for _, f := range tasks {
			children, _ := os.ReadFile(f)
			for c := range strings.FieldsSeq(string(children)) {
				if n, err := strconv.Atoi(c); err == nil {
					tree = append(tree, n)
				}
			}
		}
	}
	return tree
}

// bombPNG is a 16-bit gray PNG of 7071×7071 pixels (just under 50
// megapixels): small as a file, 100 MB as pixels.
func bombPNG() []byte {
	const side = 7071
	img := image.NewGray16(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 0xf0
	}
	for y := 1000; y < side-1000; y += 120 {
		for x := 800; x < side-800; x++ {
			img.SetGray16(x, y, color.Gray16{Y: 0x1000})
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		panic(err) // encoding to memory cannot fail
	}
	return buf.Bytes()
}

func mb(bytes int) float64 { return float64(bytes) / (1 << 20) }
