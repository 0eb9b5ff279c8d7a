package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/snapnote/snapnote/internal/intake"
)

// receive takes one of user's places for an upload being received, and
// receives the form of r into spooled pages. Call release when the upload
// is answered: it gives the place back and removes the spooled pages.
func (s *Server) receive(user uuid.UUID, w http.ResponseWriter, r *http.Request, withCourse bool) (_ *intake.Form, release func(), err error) {
	free, err := s.admission.Admit(user)
	if err != nil {
		return nil, nil, intakeProblem(err)
	}
	form, err := intake.Receive(w, r, s.intakeLimits(), withCourse)
	if err != nil {
		free()
		return nil, nil, intakeProblem(err)
	}
	return form, func() { form.Close(); free() }, nil
}

func (s *Server) intakeLimits() intake.Limits {
	return intake.Limits{MaxBytes: s.cfg.UploadMaxBytes, MaxPages: s.cfg.UploadMaxPages, ReadTimeout: s.cfg.UploadTimeout,
		MaxPixels: s.cfg.UploadMaxPixels, MaxMemory: s.cfg.UploadMaxMemory}
}

// intakeProblem turns what intake refused into its problem response; other
// errors go on as they are.
func intakeProblem(err error) error {
	refused, ok := errors.AsType[*intake.Error](err)
	if !ok {
		return err
	}
	details := make([]error, len(refused.Fields))
	for i, f := range refused.Fields {
		details[i] = &huma.ErrorDetail{Location: f.Location, Message: f.Message, Value: f.Value}
	}
	problem := huma.NewError(refused.Status, refused.Message, details...)
	if refused.RetryAfter == 0 {
		return problem
	}
	return huma.ErrorWithHeaders(problem, http.Header{"Retry-After": {strconv.Itoa(refused.RetryAfter)}})
}
