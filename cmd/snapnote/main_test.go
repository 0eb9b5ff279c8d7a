package main

import (
	"os"
	"testing"

	"github.com/snapnote/snapnote/internal/ocr/warm"
)

// runAsMain makes the test binary the snapnote program: a test starts it
// as a child process with this variable set and the subcommand as its
// arguments, so real processes (killed, restarted) run the code under test.
const runAsMain = "SNAPNOTE_TEST_RUN_AS_MAIN"

// TestMain lets the worker these tests start run this test binary as its OCR
// engines, as main does for snapnote, and runs it as snapnote when a test
// starts it as a process of its own.
func TestMain(m *testing.M) {
	warm.ServeIfChild()
	if os.Getenv(runAsMain) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
