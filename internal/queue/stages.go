package queue

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/snapnote/snapnote"
)

// StageArgs are what every stage's job carries: the upload it works on,
// and for a stage that reads each page on its own, the page. Each stage's
// Args embed them, so all stage jobs share one JSON shape.
type StageArgs struct {
	UploadID uuid.UUID `json:"upload_id"`
	Page     int       `json:"page,omitempty"`
}

// StageJob is the Args of a stage's job.
type StageJob interface {
	river.JobArgs
	Target() StageArgs
}

// Target returns what the job works on: the upload, and the page for a
// stage run per page.
func (a StageArgs) Target() StageArgs { return a }

// Stage is one row of the pipeline: the name an upload records, the job
// that runs it, and what a failed upload says when the stage fails in a way
// it did not name itself (a panic, an error while committing).
type Stage struct {
	Name string
	// PerPage runs one job per page of the upload, in parallel; the stage
	// is done when every page is.
	PerPage bool
	// Job returns the Args that run the stage for an upload.
	Job func(StageArgs) StageJob
	// Fail is what the upload says when the stage fails in a way it did
	// not name itself.
	Fail snapnote.Failure
}

// Stages is the pipeline, in order: each stage hands its upload to the row
// after it, and the last one writes the document. Adding a stage is adding
// a row (and its Args and worker).
var Stages = []Stage{
	{Name: snapnote.StageOCR, PerPage: true, Job: func(a StageArgs) StageJob { return OCRArgs{a} },
		Fail: snapnote.FailOCRFailed},
	{Name: snapnote.StageFormat, Job: func(a StageArgs) StageJob { return FormatArgs{a} },
		Fail: snapnote.FailFormatFailed},
	{Name: snapnote.StageExtract, Job: func(a StageArgs) StageJob { return ExtractArgs{a} },
		Fail: snapnote.FailExtractFailed},
}

// StageNamed returns the stage an upload records as name.
func StageNamed(name string) (Stage, error) {
	i := slices.IndexFunc(Stages, func(s Stage) bool { return s.Name == name })
	if i < 0 {
		return Stage{}, fmt.Errorf("unknown pipeline stage %q", name)
	}
	return Stages[i], nil
}

// StageOfKind returns the stage whose job is of kind; ok is false for a job
// that is not a stage's.
func StageOfKind(kind string) (stage Stage, ok bool) {
	i := slices.IndexFunc(Stages, func(s Stage) bool { return s.Job(StageArgs{}).Kind() == kind })
	if i < 0 {
		return Stage{}, false
	}
	return Stages[i], true
}

// StageOfJob returns the stage a job row runs and the upload it works on;
// ok is false for a job that is not a stage's.
func StageOfJob(job *rivertype.JobRow) (stage Stage, args StageArgs, ok bool, err error) {
	if stage, ok = StageOfKind(job.Kind); !ok {
		return Stage{}, StageArgs{}, false, nil
	}
	if err := json.Unmarshal(job.EncodedArgs, &args); err != nil {
		return stage, args, true, fmt.Errorf("read args of job %d: %w", job.ID, err)
	}
	return stage, args, true, nil
}

// Next returns the stage after s; ok is false when s is the last.
func (s Stage) Next() (next Stage, ok bool) {
	i := slices.IndexFunc(Stages, func(t Stage) bool { return t.Name == s.Name })
	if i < 0 || i+1 == len(Stages) {
		return Stage{}, false
	}
	return Stages[i+1], true
}

// OCRArgs starts the pipeline: read the text of one page of an upload.
type OCRArgs struct{ StageArgs }

// Kind identifies the job to River: the stage's name.
func (OCRArgs) Kind() string { return snapnote.StageOCR }

// InsertOpts puts OCR on its own CPU-bound queue.
func (OCRArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: OCR, MaxAttempts: 5}
}

// FormatArgs turns an upload's OCR text into Markdown.
type FormatArgs struct{ StageArgs }

// Kind identifies the job to River: the stage's name.
func (FormatArgs) Kind() string { return snapnote.StageFormat }

// InsertOpts puts formatting on the I/O-bound queue shared with LLM calls.
func (FormatArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: LLM, MaxAttempts: 8}
}

// ExtractArgs finishes an upload: title, excerpt, metadata, then the document.
type ExtractArgs struct{ StageArgs }

// Kind identifies the job to River: the stage's name.
func (ExtractArgs) Kind() string { return snapnote.StageExtract }

// InsertOpts puts the last stage on the default queue.
func (ExtractArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Default, MaxAttempts: 10}
}
