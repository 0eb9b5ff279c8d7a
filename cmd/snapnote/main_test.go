package main

import (
	"os"
	"testing"
)

// runAsMain makes the test binary the snapnote program: a test starts it
// as a child process with this variable set and the subcommand as its
// arguments, so real processes (killed, restarted) run the code under test.
const runAsMain = "SNAPNOTE_TEST_RUN_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runAsMain) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
