package limited_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/limited"
)

// The program runs under the limits it was given, in an environment of PATH and the locale.
func TestCommandLimits(t *testing.T) {
	t.Parallel()
	out, err := limited.Command(context.Background(), "prlimit", 256<<20, 1500*time.Millisecond,
		"sh", "-c", "ulimit -v; ulimit -t; echo $LC_ALL ${HOME-no home}").Output()
	require.NoError(t, err)
	// ulimit -v is in KiB; 1.5 s of processor time is rounded up to 2 s.
	require.Equal(t, "262144\n2\nC.UTF-8 no home\n", string(out))
}
