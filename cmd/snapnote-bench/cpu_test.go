package main

import (
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The processor time of a child counts while it runs, read from /proc, and once it has been
// waited for, from the kernel's account of waited-for children, without counting it twice.
func TestCPUUsedCountsChildrenRunningAndWaitedFor(t *testing.T) {
	before := cpuUsed()
	busy := exec.Command("sh", "-c", "while :; do :; done")
	require.NoError(t, busy.Start())
	defer func() { _ = busy.Process.Kill() }()
	require.Eventually(t, func() bool { return processCPU(busy.Process.Pid) >= 300*time.Millisecond },
		10*time.Second, 20*time.Millisecond, "the child's time in /proc")
	running := cpuUsed() - before
	require.GreaterOrEqual(t, running, 300*time.Millisecond, "the running child's time counts")

	require.NoError(t, busy.Process.Kill())
	_ = busy.Wait()
	child := busy.ProcessState.UserTime() + busy.ProcessState.SystemTime()
	waited := cpuUsed() - before
	require.GreaterOrEqual(t, waited, child, "the waited-for child's time counts")
	require.Less(t, waited, running+child, "and only once")
}
