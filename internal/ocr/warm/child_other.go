//go:build !linux

package warm

import (
	"os"
	"syscall"
)

// childSysProcAttr has nothing to add outside Linux: there a child outlives a worker that
// dies without closing its pool until the child's stdin closes, which the kernel does as the
// worker exits.
func childSysProcAttr() *syscall.SysProcAttr { return nil }

// protocolOutput returns stdout as it is.
func protocolOutput() (*os.File, error) { return os.Stdout, nil }
