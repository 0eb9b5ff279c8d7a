package intake

import (
	"fmt"
	"net/http"
)

// Error is a request intake refuses: the HTTP status that says why, a
// message a person can read, and for 422 the fields at fault.
type Error struct {
	Status  int
	Message string
	Fields  []Field
	// RetryAfter, when not 0, is the seconds after which the same request
	// may succeed.
	RetryAfter int
}

// Field is what is wrong with one part of the request, at its location as
// Huma names it ("body.file", "body.file[1]", "body.courseId").
type Field struct {
	Location string
	Message  string
	Value    any
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	return fmt.Sprintf("%s: %s: %s", e.Message, e.Fields[0].Location, e.Fields[0].Message)
}

// invalid is the 422 of an upload with one field at fault.
func invalid(location, message string, value any) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Message: "invalid upload",
		Fields: []Field{{Location: location, Message: message, Value: value}}}
}

func unsupported(message string) *Error {
	return &Error{Status: http.StatusUnsupportedMediaType, Message: message}
}
