package storage

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ErrUnavailable is wrapped by the errors of Store methods that could not
// reach the store, or that the store refused because it is overloaded or
// down: the request may succeed if retried later. Test for it with
// errors.Is.
var ErrUnavailable = errors.New("blob store unavailable")

// Checker is implemented by stores that can tell cheaply whether they can be
// reached. Check returns nil when they can, and an error wrapping
// ErrUnavailable when they cannot.
type Checker interface {
	Check(ctx context.Context) error
}

// Check reports whether s can be reached: through its own Check when it has
// one, and otherwise by describing a key that need not exist. It returns nil
// or an error wrapping ErrUnavailable.
func Check(ctx context.Context, s Store) error {
	if c, ok := s.(Checker); ok {
		return c.Check(ctx)
	}
	_, err := s.Stat(ctx, "health/probe")
	if err == nil || errors.Is(err, ErrNotFound) {
		return nil
	}
	if !errors.Is(err, ErrUnavailable) {
		err = fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

// unavailable marks err with ErrUnavailable when it says the store could
// not be reached: a network error (refused, reset, timed out) or a 5xx
// answer, and returns it unchanged otherwise. The caller's own cancellation
// is never the store's fault.
func unavailable(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) || errors.Is(err, context.Canceled) {
		return err
	}
	if isNetError(err) || serverFault(err) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

func isNetError(err error) bool {
	_, ok := errors.AsType[net.Error](err)
	return ok
}

// serverFault reports a 5xx answer, or an S3 error whose code says the
// service is busy or down.
func serverFault(err error) bool {
	if re, ok := errors.AsType[*smithyhttp.ResponseError](err); ok && re.HTTPStatusCode() >= http.StatusInternalServerError {
		return true
	}
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		switch ae.ErrorCode() {
		case "SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout":
			return true
		}
	}
	return false
}
