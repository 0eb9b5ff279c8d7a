package warm

import (
	"fmt"
	"os"
	"syscall"
)

// childSysProcAttr makes the kernel kill a child when the thread that started it ends,
// which for a Go program means when the worker dies, however it dies: no child outlives its
// worker. (The Go runtime ends a thread only when a goroutine locked to it exits; the pool
// never starts children from such a goroutine.)
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// protocolOutput returns the child's stdout for the protocol and points file descriptor 1 at
// stderr, so that nothing Tesseract's C code prints can corrupt a response.
func protocolOutput() (*os.File, error) {
	fd, err := syscall.Dup(1)
	if err != nil {
		return nil, fmt.Errorf("keep stdout: %w", err)
	}
	syscall.CloseOnExec(fd)
	if err := syscall.Dup3(2, 1, 0); err != nil {
		return nil, fmt.Errorf("point stdout at stderr: %w", err)
	}
	return os.NewFile(uintptr(fd), "protocol"), nil
}
