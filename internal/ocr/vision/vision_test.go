package vision_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/llm"
	"github.com/snapnote/snapnote/internal/ocr"
	"github.com/snapnote/snapnote/internal/ocr/ocrtest"
	"github.com/snapnote/snapnote/internal/ocr/tesseract"
	"github.com/snapnote/snapnote/internal/ocr/vision"
)

// visionService is a fake OpenAI-compatible service that reads images: it
// keeps the images it was sent and answers with reply.
type visionService struct {
	mu     sync.Mutex
	images []image.Image
	text   []string
	status int
	reply  string
	server *httptest.Server
}

func newVisionService(t *testing.T, status int, reply string) *visionService {
	t.Helper()
	s := &visionService{status: status, reply: reply}
	s.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct {
				Role    string          `json:"role"`
				Content json.RawMessage `json:"content"`
			} `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || r.URL.Path != "/v1/chat/completions" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var parts []struct {
			Type     string `json:"type"`
			Text     string `json:"text"`
			ImageURL struct {
				URL string `json:"url"`
			} `json:"image_url"`
		}
		_ = json.Unmarshal(req.Messages[len(req.Messages)-1].Content, &parts)
		s.mu.Lock()
		for _, p := range parts {
			switch p.Type {
			case "text":
				s.text = append(s.text, p.Text)
			case "image_url":
				data, ok := strings.CutPrefix(p.ImageURL.URL, "data:image/jpeg;base64,")
				if !ok {
					s.images = append(s.images, nil)
					continue
				}
				raw, err := base64.StdEncoding.DecodeString(data)
				img, jerr := jpeg.Decode(bytes.NewReader(raw))
				if err != nil || jerr != nil {
					img = nil
				}
				s.images = append(s.images, img)
			}
		}
		s.mu.Unlock()
		if s.status != http.StatusOK {
			http.Error(w, `{"error":{"message":"overloaded"}}`, s.status)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"choices": []any{map[string]any{"finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": s.reply}}},
			"usage":   map[string]any{"prompt_tokens": 800, "completion_tokens": 60, "total_tokens": 860},
		})
	}))
	t.Cleanup(s.server.Close)
	return s
}

func (s *visionService) client() *llm.Client {
	return &llm.Client{BaseURL: s.server.URL + "/v1", APIKey: "sk-vision", Model: "vision-model", Timeout: 10 * time.Second}
}

func (s *visionService) received() []image.Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]image.Image(nil), s.images...)
}

const visionMarkdown = "# Heat Engines\n\n- Efficiency $\\eta = 1 - T_c/T_h$\n- No engine beats Carnot\n"

func TestVisionSendsAJPEGDataURL(t *testing.T) {
	t.Parallel()
	svc := newVisionService(t, http.StatusOK, visionMarkdown)
	photo := ocrtest.RenderText([]string{"Heat Engines"}, 1600, 800, 60)

	res, err := (&vision.Engine{Client: svc.client(), MaxSide: 1000}).Recognize(t.Context(), photo, ocr.Options{})
	require.NoError(t, err)
	require.Equal(t, strings.TrimSpace(visionMarkdown), res.Text, "the model's Markdown is the text")
	require.Equal(t, ocr.EngineVision, res.Engine)
	require.Zero(t, res.Confidence, "the model scores nothing")
	require.Equal(t, 13, res.Words)

	imgs := svc.received()
	require.Len(t, imgs, 1)
	require.NotNil(t, imgs[0], "the image arrives as a data:image/jpeg;base64 URL of a JPEG")
	require.Equal(t, image.Rect(0, 0, 1000, 500), imgs[0].Bounds(), "longest side bounded, aspect kept")
	require.Equal(t, "Transcribe this page.", svc.text[0])
}

func TestVisionKeepsSmallImagesAndPaintsTransparencyWhite(t *testing.T) {
	t.Parallel()
	svc := newVisionService(t, http.StatusOK, visionMarkdown)
	clear := image.NewNRGBA(image.Rect(0, 0, 640, 480)) // transparent black

	_, err := (&vision.Engine{Client: svc.client(), MaxSide: 1000}).Recognize(t.Context(), clear, ocr.Options{})
	require.NoError(t, err)
	img := svc.received()[0]
	require.Equal(t, image.Rect(0, 0, 640, 480), img.Bounds())
	y := color.GrayModel.Convert(img.At(320, 240)).(color.Gray).Y
	require.Greater(t, y, uint8(250), "paper stays white")
}

func TestVisionFallsBackToTesseract(t *testing.T) {
	t.Parallel()
	require.NoError(t, (&tesseract.Engine{}).CheckInstalled(t.Context()), "this test needs tesseract")
	svc := newVisionService(t, http.StatusServiceUnavailable, "")
	lines := []string{"Entropy never decreases", "in an isolated system."}
	photo := ocrtest.RenderText(lines, 1400, 400, 48)

	res, err := (&vision.Engine{Client: svc.client(), Fallback: &tesseract.Engine{}}).Recognize(t.Context(), photo, ocr.Options{})
	require.NoError(t, err)
	require.Equal(t, "tesseract (vision failed: HTTP 503)", res.Engine)
	require.Less(t, ocrtest.CER(res.Text, strings.Join(lines, "\n")), 0.05, "%s", res.Text)
	require.Positive(t, res.Confidence, "Tesseract scores its words")
	require.Len(t, svc.received(), 1, "the model was asked first")
}

// countingEngine counts its calls and reads "fallback text".
type countingEngine struct{ calls atomic.Int32 }

func (e *countingEngine) Recognize(context.Context, image.Image, ocr.Options) (ocr.Result, error) {
	e.calls.Add(1)
	return ocr.Result{Text: "fallback text", Words: 2}, nil
}

func TestVisionErrors(t *testing.T) {
	t.Parallel()
	photo := ocrtest.RenderText([]string{"x"}, 200, 100, 20)

	t.Run("no fallback returns the client's error", func(t *testing.T) {
		t.Parallel()
		svc := newVisionService(t, http.StatusTooManyRequests, "")
		_, err := (&vision.Engine{Client: svc.client()}).Recognize(t.Context(), photo, ocr.Options{})
		var busy *llm.RetryableError
		require.ErrorAs(t, err, &busy)
		require.Equal(t, http.StatusTooManyRequests, busy.StatusCode)
	})
	t.Run("a blank page is not a failure", func(t *testing.T) {
		t.Parallel()
		svc := newVisionService(t, http.StatusOK, "NO_TEXT")
		fallback := &countingEngine{}
		_, err := (&vision.Engine{Client: svc.client(), Fallback: fallback}).Recognize(t.Context(), photo, ocr.Options{})
		require.ErrorIs(t, err, ocr.ErrNoText)
		require.Zero(t, fallback.calls.Load())
	})
	t.Run("a refused request falls back, naming the engine", func(t *testing.T) {
		t.Parallel()
		svc := newVisionService(t, http.StatusBadRequest, "")
		fallback := &countingEngine{}
		res, err := (&vision.Engine{Client: svc.client(), Fallback: fallback}).Recognize(t.Context(), photo, ocr.Options{})
		require.NoError(t, err)
		require.Equal(t, "fallback text", res.Text)
		require.Equal(t, "*vision_test.countingEngine (vision failed: HTTP 400)", res.Engine)
	})
	t.Run("a cancelled job does not fall back", func(t *testing.T) {
		t.Parallel()
		svc := newVisionService(t, http.StatusOK, visionMarkdown)
		fallback := &countingEngine{}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := (&vision.Engine{Client: svc.client(), Fallback: fallback}).Recognize(ctx, photo, ocr.Options{})
		require.True(t, errors.Is(err, context.Canceled), "%v", err)
		require.Zero(t, fallback.calls.Load())
	})
}
