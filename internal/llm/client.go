// Package llm is a small client for OpenAI-compatible chat completions APIs
// (OpenAI, Ollama, vLLM, the llama.cpp server): one request per call, no
// retries of its own. A busy or failing service returns a [*RetryableError]
// carrying the wait the service asked for, so that the caller (a River job)
// can snooze instead of holding a worker slot while it sleeps; a request the
// service refuses returns a [*RejectedError].
//
// The API key is sent only in the Authorization header. It never appears in
// logs or in returned errors, and logs name sizes, statuses and token counts,
// never the messages themselves: they hold students' notes.
package llm

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// DefaultTimeout bounds one request when Client.Timeout is zero.
const DefaultTimeout = 60 * time.Second

// maxReplyBytes bounds how much of a reply is read: a note is a few
// kilobytes, and a broken proxy must not fill the worker's memory.
const maxReplyBytes = 8 << 20

// Client calls POST {BaseURL}/chat/completions. It is safe for concurrent use.
type Client struct {
	// BaseURL is the API root, such as https://api.openai.com/v1 or
	// http://127.0.0.1:11434/v1 (Ollama).
	BaseURL string
	// APIKey is sent as a bearer token; empty sends no Authorization header.
	APIKey string
	// Model names the model in every request.
	Model string
	// Timeout bounds one request, reading the reply included. Default DefaultTimeout.
	Timeout time.Duration
	// HTTPClient sends the requests. Default http.DefaultClient.
	HTTPClient *http.Client
	// Logger receives one debug line per request. Default: no logging.
	Logger *slog.Logger
}

// Message is one chat message.
type Message struct {
	// Role is "system", "user" or "assistant".
	Role string
	// Content is the message's text.
	Content string
	// Images are image URLs (usually data:image/jpeg;base64,… URLs) sent
	// after the text as image_url parts, for models that read images.
	Images []string
}

// MarshalJSON encodes the message as the API expects: content is a string,
// or a list of text and image_url parts when the message has images.
func (m Message) MarshalJSON() ([]byte, error) {
	type textPart struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	type imageURL struct {
		URL string `json:"url"`
	}
	type imagePart struct {
		Type     string   `json:"type"`
		ImageURL imageURL `json:"image_url"`
	}
	if len(m.Images) == 0 {
		return json.Marshal(struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		}{m.Role, m.Content})
	}
	parts := []any{textPart{Type: "text", Text: m.Content}}
	for _, u := range m.Images {
		parts = append(parts, imagePart{Type: "image_url", ImageURL: imageURL{URL: u}})
	}
	return json.Marshal(struct {
		Role    string `json:"role"`
		Content []any  `json:"content"`
	}{m.Role, parts})
}

// Usage counts the tokens of one or more requests.
type Usage struct {
	PromptTokens     int `json:"promptTokens"`
	CompletionTokens int `json:"completionTokens"`
	TotalTokens      int `json:"totalTokens"`
}

// Add returns the sum of u and o.
func (u Usage) Add(o Usage) Usage {
	return Usage{
		PromptTokens:     u.PromptTokens + o.PromptTokens,
		CompletionTokens: u.CompletionTokens + o.CompletionTokens,
		TotalTokens:      u.TotalTokens + o.TotalTokens,
	}
}

// Reply is the model's answer to one request.
type Reply struct {
	// Content is the text of the first choice.
	Content string
	// FinishReason is "stop" when the model ended on its own, "length" when
	// it ran out of tokens (the content is then cut short).
	FinishReason string
	// Usage is what the service reported; zero when it reported nothing.
	Usage Usage
}

// Complete sends messages at temperature 0 and returns the first choice.
//
// It returns a *RetryableError when the service is busy or failing (HTTP 408,
// 409, 429 or 5xx, a timeout of this request, a lost connection): the same
// request may work later, after RetryableError.After when the service said.
// It returns a *RejectedError for any other HTTP error status: the same
// request will fail again. When ctx ends, it returns an error wrapping ctx's.
// Any other error (an unreadable reply) is neither.
func (c *Client) Complete(ctx context.Context, messages []Message) (Reply, error) {
	body, err := json.Marshal(struct {
		Model       string    `json:"model"`
		Messages    []Message `json:"messages"`
		Temperature float64   `json:"temperature"`
	}{c.Model, messages, 0})
	if err != nil {
		return Reply{}, fmt.Errorf("encode chat request: %w", err)
	}
	reqCtx, cancel := context.WithTimeout(ctx, cmp.Or(c.Timeout, DefaultTimeout))
	defer cancel()
	req, err := http.NewRequestWithContext(reqCtx, http.MethodPost,
		strings.TrimRight(c.BaseURL, "/")+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return Reply{}, fmt.Errorf("build chat request: %w", c.redact(err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.APIKey)
	}

	start := time.Now()
	res, err := cmp.Or(c.HTTPClient, http.DefaultClient).Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return Reply{}, fmt.Errorf("chat request: %w", context.Cause(ctx))
		}
		return Reply{}, &RetryableError{Err: fmt.Errorf("chat request: %w", c.redact(err))}
	}
	defer func() { _ = res.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxReplyBytes))
	if err != nil {
		if ctx.Err() != nil {
			return Reply{}, fmt.Errorf("read chat reply: %w", context.Cause(ctx))
		}
		return Reply{}, &RetryableError{StatusCode: res.StatusCode, Err: fmt.Errorf("read chat reply: %w", c.redact(err))}
	}
	c.logger().DebugContext(ctx, "llm request", slog.String("model", c.Model), slog.Int("status", res.StatusCode),
		slog.Int("request_bytes", len(body)), slog.Int("reply_bytes", len(data)),
		slog.Duration("took", time.Since(start)))
	if res.StatusCode != http.StatusOK {
		return Reply{}, c.statusError(res, data)
	}
	return c.decode(ctx, data)
}

func (c *Client) decode(ctx context.Context, data []byte) (Reply, error) {
	var wire struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
			TotalTokens      int `json:"total_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(data, &wire); err != nil {
		return Reply{}, fmt.Errorf("decode chat reply: %w", err)
	}
	if len(wire.Choices) == 0 {
		return Reply{}, errors.New("decode chat reply: no choices in the reply")
	}
	r := Reply{
		Content:      wire.Choices[0].Message.Content,
		FinishReason: wire.Choices[0].FinishReason,
		Usage: Usage{
			PromptTokens:     wire.Usage.PromptTokens,
			CompletionTokens: wire.Usage.CompletionTokens,
			TotalTokens:      cmp.Or(wire.Usage.TotalTokens, wire.Usage.PromptTokens+wire.Usage.CompletionTokens),
		},
	}
	c.logger().DebugContext(ctx, "llm reply", slog.String("model", c.Model), slog.String("finish_reason", r.FinishReason),
		slog.Int("prompt_tokens", r.Usage.PromptTokens), slog.Int("completion_tokens", r.Usage.CompletionTokens))
	return r, nil
}

// statusError classifies a reply with an HTTP error status.
func (c *Client) statusError(res *http.Response, body []byte) error {
	code := res.StatusCode
	switch {
	case code == http.StatusRequestTimeout, code == http.StatusConflict,
		code == http.StatusTooManyRequests, code >= 500:
		return &RetryableError{StatusCode: code, After: retryAfter(res.Header, time.Now()),
			Err: fmt.Errorf("chat request: HTTP %d: %s", code, c.detail(body))}
	case code == http.StatusUnauthorized, code == http.StatusForbidden:
		// Services quote (part of) a wrong key back; none of it is kept.
		return &RejectedError{StatusCode: code, Detail: "the API key was not accepted"}
	}
	return &RejectedError{StatusCode: code, Detail: c.detail(body)}
}

// detail returns the service's error message from body, short and without
// the API key.
func (c *Client) detail(body []byte) string {
	var wire struct {
		Error json.RawMessage `json:"error"`
	}
	msg := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &wire) == nil && len(wire.Error) > 0 {
		var obj struct {
			Message string `json:"message"`
		}
		var s string
		switch {
		case json.Unmarshal(wire.Error, &obj) == nil && obj.Message != "":
			msg = obj.Message
		case json.Unmarshal(wire.Error, &s) == nil && s != "":
			msg = s
		}
	}
	msg = strings.Join(strings.Fields(c.redactString(msg)), " ")
	if r := []rune(msg); len(r) > 200 {
		msg = string(r[:200]) + "…"
	}
	return cmp.Or(msg, "(no message)")
}

func (c *Client) redact(err error) error {
	if c.APIKey == "" || !strings.Contains(err.Error(), c.APIKey) {
		return err
	}
	return errors.New(c.redactString(err.Error()))
}

func (c *Client) redactString(s string) string {
	if c.APIKey == "" {
		return s
	}
	return strings.ReplaceAll(s, c.APIKey, "[redacted]")
}

func (c *Client) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}
