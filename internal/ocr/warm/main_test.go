package warm

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// envTestParent makes the test binary, started by TestChildrenDieWithTheirWorker, stand for a
// worker: it starts a pool, prints its children's process ids and waits to be killed.
const envTestParent = "SNAPNOTE_OCR_TEST_PARENT"

func TestMain(m *testing.M) {
	// The pools these tests start run this binary as their child processes.
	ServeIfChild()
	if os.Getenv(envTestParent) != "" {
		os.Exit(runTestParent())
	}
	os.Exit(m.Run())
}

// runTestParent starts a pool of two children, prints "pids" and their process ids on stdout,
// and waits to be killed.
func runTestParent() int {
	pool, err := NewPool(context.Background(), &PoolConfig{Size: 2})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var pids []string
	for _, pid := range pool.pids() {
		pids = append(pids, fmt.Sprint(pid))
	}
	fmt.Println("pids", strings.Join(pids, " "))
	time.Sleep(time.Hour)
	return 0
}
