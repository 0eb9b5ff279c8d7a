package vision

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"log/slog"
	"strings"
	"unicode"

	"golang.org/x/image/draw"

	"github.com/snapnote/snapnote/internal/llm"
	"github.com/snapnote/snapnote/internal/ocr"
)

// DefaultMaxSide is Engine.MaxSide when it is zero: enough for the
// handwriting on a full page, and within what vision models read without
// tiling the image further.
const DefaultMaxSide = 2000

// visionJPEGQuality keeps pen strokes sharp at a quarter of the PNG's size.
const visionJPEGQuality = 85

// visionNoText is what the model is told to answer for a page without text.
const visionNoText = "NO_TEXT"

// Engine is an ocr.Engine that asks a chat model that reads images (any
// OpenAI-compatible API, e.g. gpt-4o-mini, or llava on Ollama) to transcribe
// the page. The image goes as a JPEG in a data: URL, its longest side
// bounded by MaxSide. The model is asked for Markdown, so Result.Text is
// Markdown rather than plain lines, and the format stage only tidies it.
// Result.Confidence is 0: the model scores nothing. Result.Engine is
// ocr.EngineVision.
//
// When the model fails (the service is busy, down or refuses the request, or
// the reply cannot be read) and Fallback is set, Fallback reads the image
// instead, and Result.Engine says so: "tesseract (vision failed: HTTP 503)".
// A page the model finds no text on returns ocr.ErrNoText without a fallback:
// Tesseract reads less than a vision model, not more.
//
// Without a fallback, the client's errors are returned wrapped: a
// *llm.RetryableError or a *llm.RejectedError.
type Engine struct {
	// Client sends the requests; its Model must read images.
	Client *llm.Client
	// MaxSide bounds the longest side of the image sent, in pixels. Default
	// DefaultMaxSide.
	MaxSide int
	// Fallback reads the image when the model fails; nil returns the error.
	Fallback ocr.Engine
	// Logger receives a warning when the fallback runs. Default: no logging.
	Logger *slog.Logger
}

var _ ocr.Engine = (*Engine)(nil)

// Name returns ocr.EngineVision, the name recorded with the text it reads.
func (v *Engine) Name() string { return ocr.EngineVision }

// Recognize transcribes img as described on Engine. The model reads the page in whatever
// language it is written in, as its prompt asks, so it takes no language from opts: opts
// goes to Fallback alone, whose reading needs it.
func (v *Engine) Recognize(ctx context.Context, img image.Image, opts ocr.Options) (ocr.Result, error) {
	res, err := v.transcribe(ctx, img)
	if err == nil || errors.Is(err, ocr.ErrNoText) || v.Fallback == nil || ctx.Err() != nil {
		return res, err
	}
	fallback := ocr.EngineName(v.Fallback)
	reason := visionFailure(err)
	if v.Logger != nil {
		v.Logger.WarnContext(ctx, "vision OCR failed; reading with the fallback engine",
			slog.String("fallback", fallback), slog.String("reason", reason), slog.Any("error", err))
	}
	res, ferr := v.Fallback.Recognize(ctx, img, opts)
	if ferr != nil {
		return res, fmt.Errorf("vision OCR failed (%s), and so did %s: %w", reason, fallback, ferr)
	}
	res.Engine = fmt.Sprintf("%s (vision failed: %s)", cmp.Or(res.Engine, fallback), reason)
	return res, nil
}

// transcribe asks the model for the page's text.
func (v *Engine) transcribe(ctx context.Context, img image.Image) (ocr.Result, error) {
	url, err := jpegDataURL(img, cmp.Or(v.MaxSide, DefaultMaxSide))
	if err != nil {
		return ocr.Result{}, err
	}
	reply, err := v.Client.Complete(ctx, []llm.Message{
		{Role: "system", Content: visionPrompt},
		{Role: "user", Content: "Transcribe this page.", Images: []string{url}},
	})
	if err != nil {
		return ocr.Result{}, fmt.Errorf("vision OCR with %s: %w", v.Client.Model, err)
	}
	text := strings.TrimSpace(reply.Content)
	words := countWords(text)
	if words == 0 || strings.Trim(text, "`.\"' ") == visionNoText {
		return ocr.Result{}, ocr.ErrNoText
	}
	return ocr.Result{Text: text, Words: words, Engine: ocr.EngineVision}, nil
}

const visionPrompt = `You transcribe photographed pages of lecture notes into Markdown.

Write down every word on the page as written, in reading order and in the page's language. Do not summarise, translate, explain, correct the content or add anything.
Use Markdown for the page's structure: "#" headings, "-" or "1." lists, tables, formulas in $...$ or $$...$$. Leave out crossed-out text. Write a word you cannot read as [illegible].
If the page has no readable text, reply exactly ` + visionNoText + `.
Reply with the Markdown only, without a code fence around it.`

// jpegDataURL encodes img as a JPEG data: URL, scaled down so that its
// longest side is at most maxSide pixels and composited over white (JPEG has
// no transparency; transparent pixels would turn black).
func jpegDataURL(img image.Image, maxSide int) (string, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if longest := max(w, h); longest > maxSide {
		w, h = max(1, (w*maxSide+longest/2)/longest), max(1, (h*maxSide+longest/2)/longest)
	}
	src := img
	if o, ok := img.(interface{ Opaque() bool }); !ok || !o.Opaque() || w != b.Dx() {
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
		src = dst
	}
	var buf bytes.Buffer
	buf.WriteString("data:image/jpeg;base64,")
	enc := base64.NewEncoder(base64.StdEncoding, &buf)
	if err := jpeg.Encode(enc, src, &jpeg.Options{Quality: visionJPEGQuality}); err != nil {
		return "", fmt.Errorf("encode image for vision OCR: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("encode image for vision OCR: %w", err)
	}
	return buf.String(), nil
}

// visionFailure says briefly, and without secrets, why the model failed.
func visionFailure(err error) string {
	var busy *llm.RetryableError
	var refused *llm.RejectedError
	switch {
	case errors.As(err, &refused):
		return fmt.Sprintf("HTTP %d", refused.StatusCode)
	case errors.As(err, &busy) && busy.StatusCode != 0:
		return fmt.Sprintf("HTTP %d", busy.StatusCode)
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.As(err, &busy):
		return "no reply"
	}
	return "unreadable reply"
}

// countWords counts runs of letters and digits.
func countWords(s string) int {
	n := 0
	in := false
	for _, r := range s {
		w := unicode.IsLetter(r) || unicode.IsNumber(r)
		if w && !in {
			n++
		}
		in = w
	}
	return n
}
