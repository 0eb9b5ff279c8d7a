package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// userHZ is the unit of the times in /proc/PID/stat: a hundredth of a second on Linux.
const userHZ = 100

// cpuUsed returns the processor time this process and its children have used so far: its
// own, that of the children it has waited for (each tesseract command) and that of those
// still running (the warm engines). On a machine whose cores are all busy, pages per
// processor second is what decides throughput, and it is less at the mercy of other jobs on
// the machine than the wall clock.
func cpuUsed() time.Duration {
	var self, reaped syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &reaped)
	used := time.Duration(self.Utime.Nano() + self.Stime.Nano() + reaped.Utime.Nano() + reaped.Stime.Nano())
	for _, pid := range processTree(os.Getpid())[1:] {
		used += processCPU(pid)
	}
	return used
}

// processCPU returns the user and system time a running process has used, from
// /proc/PID/stat; 0 when it has exited.
func processCPU(pid int) time.Duration {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, in parentheses, start with the third, the state;
	// utime and stime are the 14th and 15th.
	_, rest, _ := strings.Cut(string(stat), ") ")
	fields := strings.Fields(rest)
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / userHZ
}
