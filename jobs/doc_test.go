package jobs_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/queue"
)

// TestDocDiagramIsTheStageTable: the pipeline drawn in the package doc is
// queue.Stages, in order, each on its queue.
func TestDocDiagramIsTheStageTable(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	diagram := regexp.MustCompile(`(?m)^//\t(.+→.+)$`).FindSubmatch(src)
	require.NotNil(t, diagram, "doc.go draws the pipeline on one indented line")
	var want []string
	for _, s := range queue.Stages {
		job, ok := s.Job(queue.StageArgs{}).(river.JobArgsWithInsertOpts)
		require.True(t, ok, "stage %s names its queue", s.Name)
		want = append(want, s.Name+` (queue "`+job.InsertOpts().Queue+`")`)
	}
	require.Equal(t, strings.Join(want, " → "), string(diagram[1]))
}
