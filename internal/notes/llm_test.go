package notes_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/llm"
	"github.com/snapnote/snapnote/internal/notes"
)

const (
	testKey   = "sk-test-9f8e7d6c5b4a"
	testModel = "test-model"
)

// chatRequest is what the fake service received.
type chatRequest struct {
	Path          string
	Authorization string
	Body          map[string]any
	Messages      []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
}

// ocrText returns the OCR text of the request's user message.
func (r chatRequest) ocrText() string {
	user := r.Messages[len(r.Messages)-1].Content
	_, text, _ := strings.Cut(user, "<ocr>\n")
	text, _, _ = strings.Cut(text, "\n</ocr>")
	return text
}

// fakeLLM is an OpenAI-compatible chat service whose answers reply makes.
type fakeLLM struct {
	mu       sync.Mutex
	requests []chatRequest
	reply    func(n int, req chatRequest, w http.ResponseWriter)
	server   *httptest.Server
}

func newFakeLLM(t *testing.T, reply func(n int, req chatRequest, w http.ResponseWriter)) *fakeLLM {
	t.Helper()
	f := &fakeLLM{reply: reply}
	f.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := chatRequest{Path: r.URL.Path, Authorization: r.Header.Get("Authorization")}
		var raw bytes.Buffer
		_, _ = raw.ReadFrom(r.Body)
		_ = json.Unmarshal(raw.Bytes(), &req.Body)
		var msgs struct {
			Messages []struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"messages"`
		}
		_ = json.Unmarshal(raw.Bytes(), &msgs)
		req.Messages = msgs.Messages
		f.mu.Lock()
		f.requests = append(f.requests, req)
		n := len(f.requests)
		f.mu.Unlock()
		f.reply(n, req, w)
	}))
	t.Cleanup(f.server.Close)
	return f
}

func (f *fakeLLM) received() []chatRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]chatRequest(nil), f.requests...)
}

func (f *fakeLLM) formatter(logger *slog.Logger, maxChunk int) *notes.LLM {
	return &notes.LLM{
		Client:        &llm.Client{BaseURL: f.server.URL + "/v1/", APIKey: testKey, Model: testModel, Timeout: 5 * time.Second, Logger: logger},
		MaxChunkChars: maxChunk,
		Logger:        logger,
	}
}

// answer writes a chat completion with content and token counts.
func answer(w http.ResponseWriter, content string, prompt, completion int) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "model": testModel,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content}}},
		"usage": map[string]any{"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
	})
}

const lecture = `Thermodynamics Lecture Three

The flrst law states that energy is conserved. Heat added to a
system equals the change in its internal energy plus the work
done by the system.

Entropy of an isolated system never decreases, and the second
law gives the direction of spontaneous processes.`

// faithful is what a good model makes of lecture: headings, a fixed OCR error.
const faithful = "# Thermodynamics Lecture Three\n\n" +
	"The **first law** states that energy is conserved. Heat added to a system equals the change " +
	"in its internal energy plus the work done by the system.\n\n" +
	"Entropy of an isolated system never decreases, and the second law gives the direction of " +
	"spontaneous processes.\n"

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestLLMRequestShape(t *testing.T) {
	t.Parallel()
	fake := newFakeLLM(t, func(_ int, _ chatRequest, w http.ResponseWriter) { answer(w, "```markdown\n"+faithful+"```", 120, 80) })

	out, err := fake.formatter(discard(), 0).Format(context.Background(), notes.Input{Text: lecture, Context: "PHYS 201"})
	require.NoError(t, err)
	require.Equal(t, faithful, out.Markdown, "the fence around the note is removed")
	require.Equal(t, "llm:"+testModel, out.Engine)
	require.Empty(t, out.Guard)
	require.Equal(t, &llm.Usage{PromptTokens: 120, CompletionTokens: 80, TotalTokens: 200}, out.Usage)

	reqs := fake.received()
	require.Len(t, reqs, 1)
	req := reqs[0]
	require.Equal(t, "/v1/chat/completions", req.Path)
	require.Equal(t, "Bearer "+testKey, req.Authorization)
	require.Equal(t, testModel, req.Body["model"])
	require.Contains(t, req.Body, "temperature", "temperature 0 is sent, not left to the service's default")
	require.EqualValues(t, 0, req.Body["temperature"])
	require.Len(t, req.Messages, 2)
	require.Equal(t, "system", req.Messages[0].Role)
	require.Contains(t, req.Messages[0].Content, "Markdown")
	require.Equal(t, "user", req.Messages[1].Role)
	require.Contains(t, req.Messages[1].Content, "PHYS 201", "the upload's context helps the model")
	require.Equal(t, lecture, req.ocrText())
}

func TestLLMNeverLogsTheKey(t *testing.T) {
	t.Parallel()
	fake := newFakeLLM(t, func(n int, _ chatRequest, w http.ResponseWriter) {
		switch n {
		case 1:
			answer(w, faithful, 10, 10)
		case 2:
			// Services quote a wrong key back.
			http.Error(w, `{"error":{"message":"Incorrect API key provided: `+testKey+`"}}`, http.StatusUnauthorized)
		case 3:
			http.Error(w, `{"error":{"message":"bad request for key `+testKey+`"}}`, http.StatusBadRequest)
		default:
			http.Error(w, "upstream "+testKey+" down", http.StatusBadGateway)
		}
	})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := fake.formatter(logger, 0)

	_, err := f.Format(context.Background(), notes.Input{Text: lecture})
	require.NoError(t, err)
	for range 3 {
		_, err := f.Format(context.Background(), notes.Input{Text: lecture})
		require.Error(t, err)
		require.NotContains(t, err.Error(), testKey)
		logger.Error("format failed", slog.Any("error", err))
	}
	require.Contains(t, logs.String(), "llm request", "debug logging is on")
	require.NotContains(t, logs.String(), testKey)
	require.NotContains(t, logs.String(), "energy is conserved", "the note's text is not logged")
}

func TestLLMChunksLongText(t *testing.T) {
	t.Parallel()
	var paras []string
	for i := range 12 {
		paras = append(paras, fmt.Sprintf("Paragraph number %d explains how the %d-th experiment measured heat flow and entropy.", i, i))
	}
	text := strings.Join(paras, "\n\n")
	fake := newFakeLLM(t, func(n int, req chatRequest, w http.ResponseWriter) {
		answer(w, req.ocrText(), 100+n, 10*n)
	})

	out, err := fake.formatter(discard(), 300).Format(context.Background(), notes.Input{Text: text})
	require.NoError(t, err)
	reqs := fake.received()
	require.Len(t, reqs, 4, "12 paragraphs of about 85 characters, 3 to a part of at most 300")
	for i, req := range reqs {
		require.LessOrEqual(t, len(req.ocrText()), 300)
		require.Contains(t, req.Messages[1].Content, fmt.Sprintf("part %d of 4", i+1))
	}
	require.Equal(t, text+"\n", out.Markdown, "parts are joined in order")
	require.Equal(t, &llm.Usage{PromptTokens: 101 + 102 + 103 + 104, CompletionTokens: 100, TotalTokens: 510}, out.Usage,
		"usage is summed over the parts")
}

func TestLLMContentGuard(t *testing.T) {
	t.Parallel()
	half := lecture[:len(lecture)/2]
	for name, tt := range map[string]struct {
		reply      string
		wantEngine string
		wantGuard  string
	}{
		"faithful reply":   {faithful, "llm:" + testModel, ""},
		"drops half":       {half, notes.EngineLLMRejected, "dropped"},
		"invents a lot":    {faithful + "\nMoreover Clausius formulated entropy mathematically in eighteen sixty five while studying steam engines, Carnot cycles, reversible heat engines and efficiency limits.\n", notes.EngineLLMRejected, "added"},
		"empty reply":      {"", notes.EngineLLMRejected, "without the OCR text's words"},
		"summarises":       {"# Thermodynamics\n\nEnergy is conserved; entropy grows.\n", notes.EngineLLMRejected, "dropped"},
		"fixes OCR errors": {strings.ReplaceAll(faithful, "Entropy", "Entrpy"), "llm:" + testModel, ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fake := newFakeLLM(t, func(_ int, _ chatRequest, w http.ResponseWriter) { answer(w, tt.reply, 50, 40) })

			out, err := fake.formatter(discard(), 0).Format(context.Background(), notes.Input{Text: lecture})
			require.NoError(t, err)
			require.Equal(t, tt.wantEngine, out.Engine)
			require.Contains(t, out.Guard, tt.wantGuard)
			require.Equal(t, 90, out.Usage.TotalTokens, "tokens spent are reported either way")
			if tt.wantGuard != "" {
				builtin, err := notes.Builtin{}.Format(context.Background(), notes.Input{Text: lecture})
				require.NoError(t, err)
				require.Equal(t, builtin.Markdown, out.Markdown, "the built-in note is kept")
			}
		})
	}
}

func TestLLMGuardReasonNamesTheShare(t *testing.T) {
	t.Parallel()
	fake := newFakeLLM(t, func(_ int, req chatRequest, w http.ResponseWriter) {
		words := strings.Fields(req.ocrText())
		answer(w, strings.Join(words[:len(words)/2], " "), 1, 1)
	})
	out, err := fake.formatter(discard(), 0).Format(context.Background(), notes.Input{Text: lecture})
	require.NoError(t, err)
	require.Regexp(t, `^dropped [4-6]\d% of the OCR words$`, out.Guard)
}

func TestLLMErrors(t *testing.T) {
	t.Parallel()
	httpDate := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	for name, tt := range map[string]struct {
		status    int
		header    map[string]string
		retryable bool
		after     time.Duration
	}{
		"429 with seconds":     {http.StatusTooManyRequests, map[string]string{"Retry-After": "7"}, true, 7 * time.Second},
		"429 with a date":      {http.StatusTooManyRequests, map[string]string{"Retry-After": httpDate}, true, 90 * time.Second},
		"429 with ms":          {http.StatusTooManyRequests, map[string]string{"Retry-After-Ms": "1500", "Retry-After": "2"}, true, 1500 * time.Millisecond},
		"429 without a header": {http.StatusTooManyRequests, nil, true, 0},
		"500":                  {http.StatusInternalServerError, nil, true, 0},
		"503 with seconds":     {http.StatusServiceUnavailable, map[string]string{"Retry-After": "30"}, true, 30 * time.Second},
		"400":                  {http.StatusBadRequest, nil, false, 0},
		"404 unknown model":    {http.StatusNotFound, nil, false, 0},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fake := newFakeLLM(t, func(_ int, _ chatRequest, w http.ResponseWriter) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				http.Error(w, `{"error":{"message":"nope"}}`, tt.status)
			})
			_, err := fake.formatter(discard(), 0).Format(context.Background(), notes.Input{Text: lecture})
			require.Error(t, err)
			var retry *llm.RetryableError
			var rejected *llm.RejectedError
			if !tt.retryable {
				require.False(t, errors.As(err, &retry), "%v", err)
				require.ErrorAs(t, err, &rejected)
				require.Equal(t, tt.status, rejected.StatusCode)
				require.Equal(t, "nope", rejected.Detail)
				return
			}
			require.ErrorAs(t, err, &retry)
			require.Equal(t, tt.status, retry.StatusCode)
			require.InDelta(t, tt.after.Seconds(), retry.After.Seconds(), 1.0)
		})
	}
}

func TestLLMUnreachableIsRetryable(t *testing.T) {
	t.Parallel()
	fake := newFakeLLM(t, func(int, chatRequest, http.ResponseWriter) {})
	f := fake.formatter(discard(), 0)
	fake.server.Close()
	_, err := f.Format(context.Background(), notes.Input{Text: lecture})
	var retry *llm.RetryableError
	require.ErrorAs(t, err, &retry)
	require.Zero(t, retry.StatusCode)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = f.Format(ctx, notes.Input{Text: lecture})
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, errors.As(err, &retry), "a cancelled job is not a busy service")
}
