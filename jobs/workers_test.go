package jobs_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/jobs"
)

// River must not take a slow job for a stuck one: its rescue waits out the
// longest job, whichever that is.
func TestLongestTimeout(t *testing.T) {
	t.Parallel()
	short := jobs.LongestTimeout(jobs.Config{Pipeline: &jobs.Pipeline{OCRTimeout: time.Second}})
	require.GreaterOrEqual(t, short, 50*time.Minute, "a backup may take 50 minutes")
	long := jobs.LongestTimeout(jobs.Config{Pipeline: &jobs.Pipeline{OCRTimeout: 10 * time.Hour}})
	require.Greater(t, long, 10*time.Hour, "an OCR job may take OCR_TIMEOUT and more")
}
