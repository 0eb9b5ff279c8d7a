// Package jobs holds the workers of SnapNote's River jobs, one file each;
// their Args, and the stage table that orders the pipeline, live in
// internal/queue, so that the API can enqueue work without linking the
// workers. NewWorkers returns them all for the worker's River client.
//
// The pipeline turns an upload into a document in chained stages, each on
// its own queue so CPU-bound OCR and I/O-bound formatting scale apart:
//
//	ocr (queue "ocr") → format (queue "llm") → extract (queue "default")
//
// Each stage saves its result on the upload row, hands the upload to the
// next row of queue.Stages, inserts that stage's job and completes its own
// in one transaction (advance, with queue.HandOverTx), so a crash between stages loses nothing and
// a retry never redoes a finished stage. The attempt an upload shows for a
// stage is River's.
//
// A busy LLM does not hold a worker: the format job snoozes (River's
// JobSnooze, which uses no attempt) for the Retry-After the service sent,
// and gives up after Pipeline.LLMMaxSnoozes snoozes.
package jobs
