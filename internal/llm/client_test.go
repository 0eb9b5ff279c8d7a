package llm

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		header map[string]string
		want   time.Duration
	}{
		{nil, 0},
		{map[string]string{"Retry-After": "12"}, 12 * time.Second},
		{map[string]string{"Retry-After": "0"}, 0},
		{map[string]string{"Retry-After": "-3"}, 0},
		{map[string]string{"Retry-After": "Fri, 27 Nov 2026 06:01:30 GMT"}, 90 * time.Second},
		{map[string]string{"Retry-After": "Fri, 27 Nov 2026 05:59:00 GMT"}, 0},
		{map[string]string{"Retry-After": "soon"}, 0},
		{map[string]string{"Retry-After": "99999999999999999"}, 24 * time.Hour},
		{map[string]string{"Retry-After": "999999999"}, 24 * time.Hour},
		{map[string]string{"Retry-After-Ms": "250", "Retry-After": "1"}, 250 * time.Millisecond},
	} {
		h := http.Header{}
		for k, v := range tt.header {
			h.Set(k, v)
		}
		require.Equal(t, tt.want, retryAfter(h, now), "%v", tt.header)
	}
}

func TestMessageJSON(t *testing.T) {
	t.Parallel()
	text, err := json.Marshal(Message{Role: "user", Content: "hi"})
	require.NoError(t, err)
	require.JSONEq(t, `{"role":"user","content":"hi"}`, string(text))

	withImage, err := json.Marshal(Message{Role: "user", Content: "read", Images: []string{"data:image/jpeg;base64,AAAA"}})
	require.NoError(t, err)
	require.JSONEq(t, `{"role":"user","content":[{"type":"text","text":"read"},
		{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,AAAA"}}]}`, string(withImage))
}
