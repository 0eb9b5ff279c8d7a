// Package limited starts the programs SnapNote hands uploaded files to (poppler's tools,
// libheif's heif-convert) under limits: an address space and a processor time, a process group
// of its own, killed whole when the context ends, death with the worker, and an environment of
// PATH and a UTF-8 locale alone.
package limited

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// OutputGrace is how long a program's output may stay open after it exited before Wait cuts
// it and returns exec.ErrWaitDelay (exec.Cmd.WaitDelay). The programs fork nothing and their
// process group dies with the context, so only a loaded machine makes the last of the output
// late: it has been seen to take over 2 s to reach the goroutine reading it. A cut output says
// nothing of the file, so callers fail it as something to retry.
const OutputGrace = 10 * time.Second

// Command returns the command that runs name with args through the prlimit program (util-linux)
// at path prlimit, limited to memory bytes of address space and to cpu of processor time
// (rounded up to the next second, a second stop should the context's kill be missed). prlimit
// sets the limits on itself and execs name, so the limits, the process group and the death
// signal all hold for the program's own process.
func Command(ctx context.Context, prlimit string, memory int64, cpu time.Duration, name string, args ...string) *exec.Cmd {
	secs := strconv.Itoa(int(cpu/time.Second) + 1)
	argv := append([]string{"--as=" + strconv.FormatInt(memory, 10), "--cpu=" + secs + ":" + secs, "--", name}, args...)
	cmd := exec.CommandContext(ctx, prlimit, argv...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = OutputGrace
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C.UTF-8"}
	return cmd
}
