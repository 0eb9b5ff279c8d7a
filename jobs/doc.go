// Package jobs holds SnapNote's River jobs, one file each: its Args (with
// Kind and InsertOpts) and its Worker.
//
// The pipeline turns an upload into a document in three chained stages, each
// on its own queue so CPU-bound OCR and I/O-bound formatting scale apart:
//
//	ocr (queue "ocr") → format (queue "llm") → extract (queue "default")
//
// Each stage saves its result on the upload row, inserts the next stage's job
// and completes its own in one transaction, so a crash between stages loses
// nothing and a retry never redoes a finished stage.
//
// A busy LLM does not hold a worker: the format job snoozes (River's
// JobSnooze, which uses no attempt) for the Retry-After the service sent,
// and gives up after Pipeline.LLMMaxSnoozes snoozes.
package jobs
