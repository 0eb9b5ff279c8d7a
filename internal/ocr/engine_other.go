//go:build !linux

package ocr

import (
	"os"
	"syscall"
)

// engineSysProcAttr has nothing to add outside Linux: there an engine outlives a worker that
// dies without closing its pool until the engine's stdin closes, which the kernel does as the
// worker exits.
func engineSysProcAttr() *syscall.SysProcAttr { return nil }

// protocolOutput returns stdout as it is.
func protocolOutput() (*os.File, error) { return os.Stdout, nil }
