package snapnote_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
)

// TestFailureAlertLeavesOutUserErrors: the failure-rate alert excludes
// exactly the codes that are the user's own mistakes.
func TestFailureAlertLeavesOutUserErrors(t *testing.T) {
	t.Parallel()
	rules, err := os.ReadFile("docs/monitoring/alerts.yaml")
	require.NoError(t, err)
	m := regexp.MustCompile(`snapnote_upload_failures_total\{code!~"([^"]*)"\}`).FindSubmatch(rules)
	require.NotNil(t, m, "the failure-rate alert filters codes")
	excluded := strings.Split(string(m[1]), "|")
	slices.Sort(excluded)
	want := slices.Sorted(slices.Values(snapnote.UserErrorCodes))
	require.Equal(t, want, excluded)
}
