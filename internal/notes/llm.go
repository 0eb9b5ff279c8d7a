package notes

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/snapnote/snapnote/internal/llm"
)

// EngineLLMRejected is the Output.Engine of a note whose LLM version failed
// the content guard, so that Builtin's note was kept instead.
const EngineLLMRejected = "builtin (llm rejected)"

// DefaultMaxChunkChars is LLM.MaxChunkChars when it is zero: about 1,500
// tokens of text, which every model formats in one reply.
const DefaultMaxChunkChars = 6000

// LLM is a Formatter that asks a chat model (any OpenAI-compatible API) to
// turn the OCR text into Markdown: fix obvious OCR errors, add headings,
// lists and formulas, keep every statement and add nothing.
//
// Text longer than MaxChunkChars is cut on paragraph boundaries and each
// part formatted on its own, in order; the parts' Markdown is joined with
// blank lines and their token usage summed in Output.Usage.
//
// A content guard checks every part's reply against its OCR text, as
// lowercase words without Markdown syntax and trivial words (close
// spellings count as kept, since fixing OCR errors is the point): when the
// reply drops more than 15% of the words, or more than 25% of its words are
// not in the text, the model summarised or invented; when it has fewer list
// items or filled table cells than the text (which the OCR stage writes as
// Markdown where it finds them), it dropped some. Then Format returns
// Builtin's note of the whole text, with Engine EngineLLMRejected and the
// reason in Output.Guard, and asks nothing more of the model.
//
// Format passes on the client's errors, wrapped: a *llm.RetryableError when
// the service is busy or failing, a *llm.RejectedError when it refuses the
// request. It makes one request per part and retries none.
type LLM struct {
	// Client sends the requests; its Model names the engine ("llm:<model>").
	Client *llm.Client
	// MaxChunkChars bounds the text sent in one request, in characters.
	// Default DefaultMaxChunkChars.
	MaxChunkChars int
	// Logger receives debug lines with sizes and token counts, never the
	// text. Default: no logging.
	Logger *slog.Logger
}

// Format formats in as described on LLM.
func (f *LLM) Format(ctx context.Context, in Input) (Output, error) {
	if err := ctx.Err(); err != nil {
		return Output{}, fmt.Errorf("formatting note: %w", err)
	}
	chunks := splitChunks(in.Text, cmp.Or(f.MaxChunkChars, DefaultMaxChunkChars))
	if len(chunks) == 0 {
		return Builtin{}.Format(ctx, in)
	}
	log := f.logger().With(slog.String("model", f.Client.Model))
	var usage llm.Usage
	parts := make([]string, len(chunks))
	for i, chunk := range chunks {
		reply, err := f.Client.Complete(ctx, prompt(in.Context, chunk, i, len(chunks)))
		if err != nil {
			return Output{}, fmt.Errorf("formatting part %d of %d with %s: %w", i+1, len(chunks), f.Client.Model, err)
		}
		usage = usage.Add(reply.Usage)
		md := Tidy(reply.Content)
		v := checkContent(chunk, md)
		log.DebugContext(ctx, "llm formatted part", slog.Int("part", i+1), slog.Int("parts", len(chunks)),
			slog.Int("chars", len(chunk)), slog.String("finish_reason", reply.FinishReason),
			slog.Float64("recall", v.recall), slog.Float64("novelty", v.novelty))
		if v.reason != "" {
			if len(chunks) > 1 {
				v.reason = fmt.Sprintf("part %d of %d: %s", i+1, len(chunks), v.reason)
			}
			out, err := Builtin{}.Format(ctx, in)
			out.Engine, out.Usage, out.Guard = EngineLLMRejected, &usage, v.reason
			return out, err
		}
		parts[i] = strings.TrimSpace(md)
	}
	return Output{Markdown: strings.Join(parts, "\n\n") + "\n", Engine: "llm:" + f.Client.Model, Usage: &usage}, nil
}

func (f *LLM) logger() *slog.Logger {
	if f.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return f.Logger
}

// systemPrompt says what the model may and may not do. The content guard
// enforces the second half.
const systemPrompt = `You turn the OCR text of a photographed page of lecture notes into a clean Markdown note.

Do:
- Fix obvious OCR errors: misread letters, words split or run together, words hyphenated at line ends, stray symbols from ruled paper.
- Give the note structure: "#" headings for titles, "-" or "1." lists, paragraphs, tables for tabular text, formulas in $...$ or $$...$$.
- The OCR text may already be Markdown that follows the page's layout: keep its headings, its list items (with their nesting) and its tables, every cell in its row and column, and fix the words in them.
- Keep every image such as ![Figure 1](figure:1.1) exactly as written, on a line of its own, where it stands: it is a drawing from the page.
- Keep the language of the text.

Do not:
- Leave out, shorten or summarise anything: keep every statement, definition, example, number and formula, in the original order.
- Add facts, explanations, examples or comments that are not in the text. A word you cannot read stays as it is.

Reply with the Markdown note only: no preamble, no remarks, no code fence around the note.`

// prompt returns the messages that ask for part i of n of the text.
func prompt(hint, text string, i, n int) []llm.Message {
	var b strings.Builder
	if c := strings.TrimSpace(hint); c != "" {
		fmt.Fprintf(&b, "The student describes these notes as: %s\n\n", c)
	}
	if n > 1 {
		fmt.Fprintf(&b, "This is part %d of %d of a longer page; format this part only.\n\n", i+1, n)
	}
	fmt.Fprintf(&b, "OCR text:\n<ocr>\n%s\n</ocr>", text)
	return []llm.Message{
		{Role: "system", Content: systemPrompt},
		{Role: "user", Content: b.String()},
	}
}
