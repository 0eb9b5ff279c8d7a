package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/internal/llm"
	"github.com/snapnote/snapnote/internal/notes"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/ocr/vision"
	"github.com/snapnote/snapnote/jobs"
)

const llmTestKey = "sk-e2e-0123456789abcdef"

// llmService is a fake OpenAI-compatible chat service. reply answers the
// n-th request (from 1) given the OCR text in it.
type llmService struct {
	mu     sync.Mutex
	times  []time.Time
	reply  func(n int, ocrText string, w http.ResponseWriter)
	server *httptest.Server
}

func newLLMService(t *testing.T, reply func(n int, ocrText string, w http.ResponseWriter)) *llmService {
	t.Helper()
	s := &llmService{reply: reply}
	s.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct {
				Content json.RawMessage `json:"content"`
			} `json:"messages"`
		}
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer "+llmTestKey ||
			json.NewDecoder(r.Body).Decode(&req) != nil || len(req.Messages) == 0 {
			http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
			return
		}
		var user string
		_ = json.Unmarshal(req.Messages[len(req.Messages)-1].Content, &user)
		_, text, _ := strings.Cut(user, "<ocr>\n")
		text, _, _ = strings.Cut(text, "\n</ocr>")
		s.mu.Lock()
		s.times = append(s.times, time.Now())
		n := len(s.times)
		s.mu.Unlock()
		s.reply(n, text, w)
	}))
	t.Cleanup(s.server.Close)
	return s
}

func (s *llmService) requests() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.times...)
}

func (s *llmService) client() *llm.Client {
	return &llm.Client{BaseURL: s.server.URL + "/v1", APIKey: llmTestKey, Model: "test-model", Timeout: 10 * time.Second}
}

func chatAnswer(w http.ResponseWriter, content string) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"choices": []any{map[string]any{"finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": content}}},
		"usage":   map[string]any{"prompt_tokens": 300, "completion_tokens": 120, "total_tokens": 420},
	})
}

// faithfulNote is what a good model makes of OCR text: the first line as a
// heading, the rest unchanged.
func faithfulNote(text string) string {
	first, rest, _ := strings.Cut(strings.TrimSpace(text), "\n")
	return "# " + first + "\n\n" + rest + "\n"
}

// withLLM formats notes through svc.
func withLLM(svc *llmService) option {
	return withFormatter(&notes.LLM{Client: svc.client()})
}

// uploadLecture uploads the lecture page and waits until it settles.
func uploadLecture(t *testing.T, b *stack) (api.Upload, *apitest.User) {
	t.Helper()
	alice := b.User("alice")
	course := alice.CreateCourse("Physics")
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": course.ID.String(), "context": "PHYS 201"},
		Filename: "page.png", File: apitest.LecturePNG(t)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)
	return alice.WaitSettled(up.ID), alice
}

func TestLLMRetryAfterThenSuccess(t *testing.T) {
	t.Parallel()
	svc := newLLMService(t, func(n int, text string, w http.ResponseWriter) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"error":{"message":"rate limited"}}`, http.StatusTooManyRequests)
			return
		}
		chatAnswer(w, faithfulNote(text))
	})
	b := setup(t, withLLM(svc))

	done, alice := uploadLecture(t, b)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	reqs := svc.requests()
	require.Len(t, reqs, 2)
	require.GreaterOrEqual(t, reqs[1].Sub(reqs[0]), 900*time.Millisecond, "Retry-After: 1 is honoured")
	require.Equal(t, 1, done.Attempts["format"], "waiting out a busy service is not an attempt")

	doc := alice.Document(done.DocumentID)
	require.Equal(t, "llm:test-model", doc.Metadata["formatEngine"])
	require.Equal(t, map[string]any{"promptTokens": 300.0, "completionTokens": 120.0, "totalTokens": 420.0}, doc.Metadata["llmUsage"])
	require.NotContains(t, doc.Metadata, "formatGuard")
	require.Equal(t, "tesseract", doc.Metadata["ocrEngine"])
	require.True(t, strings.HasPrefix(doc.FormattedNote, "# Thermodynamics Lecture Three\n"), "%s", doc.FormattedNote)
}

func TestLLMUnavailableFailsAfterSnoozeCap(t *testing.T) {
	t.Parallel()
	svc := newLLMService(t, func(_ int, _ string, w http.ResponseWriter) {
		http.Error(w, `{"error":{"message":"upstream down"}}`, http.StatusInternalServerError)
	})
	b := setup(t, withLLM(svc), withPipeline(func(p *jobs.Pipeline) { p.LLMMaxSnoozes, p.LLMBackoff = 2, 10*time.Millisecond }))

	failed, _ := uploadLecture(t, b)
	require.Equal(t, "failed", failed.Status)
	require.Equal(t, "format", failed.Stage)
	require.Equal(t, "llm_unavailable", failed.Error.Code)
	require.Contains(t, failed.Error.Message, "busy or unavailable (3 tries")
	require.Len(t, svc.requests(), 3, "the first try and one per snooze")
	require.Equal(t, 1, failed.Attempts["format"], "snoozes are not attempts")
	require.Zero(t, b.Count("documents"))
}

func TestLLMRejectedFailsAtOnce(t *testing.T) {
	t.Parallel()
	svc := newLLMService(t, func(_ int, _ string, w http.ResponseWriter) {
		http.Error(w, `{"error":{"message":"Incorrect API key provided: `+llmTestKey+`"}}`, http.StatusUnauthorized)
	})
	b := setup(t, withLLM(svc))

	failed, _ := uploadLecture(t, b)
	require.Equal(t, "failed", failed.Status)
	require.Equal(t, "llm_rejected", failed.Error.Code)
	require.Contains(t, failed.Error.Message, "HTTP 401")
	require.NotContains(t, failed.Error.Message, llmTestKey)
	require.Len(t, svc.requests(), 1, "a refused request is not retried")
}

func TestLLMGuardKeepsBuiltinNote(t *testing.T) {
	t.Parallel()
	svc := newLLMService(t, func(_ int, text string, w http.ResponseWriter) {
		words := strings.Fields(text)
		chatAnswer(w, strings.Join(words[:len(words)/2], " "))
	})
	b := setup(t, withLLM(svc))

	done, alice := uploadLecture(t, b)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	doc := alice.Document(done.DocumentID)
	builtin, err := notes.Builtin{}.Format(context.Background(), notes.Input{Text: doc.OriginalText})
	require.NoError(t, err)
	require.Equal(t, builtin.Markdown, doc.FormattedNote)
	require.Equal(t, notes.EngineLLMRejected, doc.Metadata["formatEngine"])
	require.Regexp(t, `^dropped \d+% of the OCR words$`, doc.Metadata["formatGuard"])
	require.Contains(t, doc.Metadata, "llmUsage", "the tokens were spent all the same")
}

func TestVisionOCRSkipsTheLLMFormatter(t *testing.T) {
	t.Parallel()
	const page = "# Thermodynamics Lecture Three\n\nThe first law states that **energy is conserved**.\n"
	model := newLLMService(t, func(_ int, _ string, w http.ResponseWriter) { chatAnswer(w, "```markdown\n"+page+"```") })
	formatter := newLLMService(t, func(_ int, _ string, w http.ResponseWriter) {
		http.Error(w, "must not be called", http.StatusTeapot)
	})
	b := setup(t, withLLM(formatter),
		withPipeline(func(p *jobs.Pipeline) { p.OCR = &vision.Engine{Client: model.client(), Fallback: &tesseract.Engine{}} }))

	done, alice := uploadLecture(t, b)
	require.Equal(t, "done", done.Status, "error: %+v", done.Error)
	require.Nil(t, done.OCRConfidence, "a vision model scores nothing")
	doc := alice.Document(done.DocumentID)
	require.Equal(t, page, doc.FormattedNote, "the transcription, tidied")
	require.Equal(t, "vision", doc.Metadata["ocrEngine"])
	require.Equal(t, "vision", doc.Metadata["formatEngine"])
	require.Empty(t, formatter.requests())
	require.Equal(t, "Thermodynamics Lecture Three", doc.Title)
}
