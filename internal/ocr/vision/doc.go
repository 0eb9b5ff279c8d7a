// Package vision is the OCR engine that asks a chat model that reads images, through any
// OpenAI-compatible API (package llm), to transcribe a page as Markdown: see [Engine].
package vision
