package notes

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTidy(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                                  "",
		"# Title\r\n\r\n\r\n\r\nText  \r\n": "# Title\n\nText\n",
		"```markdown\n# Title\n\nText\n```": "# Title\n\nText\n",
		"```\n# Title\n```":                 "# Title\n",
		"Text\n\n```go\nx := 1\n```":        "Text\n\n```go\nx := 1\n```\n",
		"caf\xe9":                           "caf\uFFFD\n",
	} {
		require.Equal(t, want, Tidy(in), "%q", in)
	}
}
