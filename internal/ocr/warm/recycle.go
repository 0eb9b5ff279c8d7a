package warm

import (
	"bytes"
	"log/slog"
	"os"
	"strconv"
)

// Reasons a child is retired, as OnRecycle receives them.
const (
	// RecyclePages: the child read PoolConfig.RecyclePages pages.
	RecyclePages = "pages"
	// RecycleRSS: the child's resident memory passed PoolConfig.RecycleRSS.
	RecycleRSS = "rss"
)

// recycleReason counts a page read by proc when op read one, and says why proc is to be
// retired now, between pages: RecyclePages, RecycleRSS, or "" to keep it.
func (p *Pool) recycleReason(proc *child, op byte) string {
	if op == opRecognize {
		proc.pages++
	}
	if p.cfg.RecyclePages > 0 && proc.pages >= p.cfg.RecyclePages {
		return RecyclePages
	}
	if p.cfg.RecycleRSS > 0 {
		if rss, ok := residentBytes(proc.cmd.Process.Pid); ok && rss > p.cfg.RecycleRSS {
			return RecycleRSS
		}
	}
	return ""
}

// recycle retires the child of s, which is between pages, and starts a fresh one in the
// background: the old one is asked to stop and has exited before the new one loads its
// models, so the two never hold memory at once. s returns to the pool when the new child
// is ready (or its start failed: the next page tries again).
func (p *Pool) recycle(s *slot, reason string) {
	old := s.proc
	s.proc = nil
	rss, _ := residentBytes(old.cmd.Process.Pid)
	p.cfg.Logger.Info("ocr child process recycled", slog.Int("pid", old.cmd.Process.Pid),
		slog.String("reason", reason), slog.Int("pages", old.pages), slog.Int64("rss_bytes", rss))
	if p.cfg.OnRecycle != nil {
		p.cfg.OnRecycle(reason)
	}
	p.refill(s, old.lang, old.stop)
}

// residentBytes returns the resident memory of process pid from /proc/PID/status (VmRSS);
// ok is false where there is no such file (outside Linux) or it cannot be read.
func residentBytes(pid int) (rss int64, ok bool) {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, false
	}
	for line := range bytes.Lines(status) {
		value, found := bytes.CutPrefix(line, []byte("VmRSS:"))
		if !found {
			continue
		}
		kb, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(value), []byte(" kB"))), 10, 64)
		return kb << 10, err == nil
	}
	return 0, false
}
