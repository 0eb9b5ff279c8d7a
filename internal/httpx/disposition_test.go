package httpx

import (
	"mime"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAttachmentEncodesNonASCII(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"snapnote-Physics.zip":         `attachment; filename="snapnote-Physics.zip"`,
		`a "quoted" name.zip`:          `attachment; filename="a \"quoted\" name.zip"`,
		"snapnote-Übungen 📐.zip":       `attachment; filename="snapnote-_bungen _.zip"; filename*=UTF-8''snapnote-%C3%9Cbungen%20%F0%9F%93%90.zip`,
		"snapnote-a=b;c@d:e'f(g)%.zip": `attachment; filename="snapnote-a=b;c@d:e'f(g)%.zip"`,
		"日本語.zip":                      `attachment; filename="___.zip"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.zip`,
	} {
		got := Attachment(name)
		require.Equal(t, want, got, name)
		// What a client's parser reads back (Go's prefers filename*) is the name.
		_, params, err := mime.ParseMediaType(got)
		require.NoError(t, err, got)
		require.Equal(t, name, params["filename"], got)
	}
}
