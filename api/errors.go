package api

import (
	"context"
	"errors"
	"log/slog"

	"github.com/danielgtaylor/huma/v2"

	"github.com/snapnote/snapnote/internal/db"
)

// fail maps a domain error to its problem response, once for every handler.
// what names the thing looked up ("course", "upload"). A dependency that
// cannot be reached answers 503 with Retry-After. Errors the client cannot
// act on are logged and answered as a bare 500.
func (s *Server) fail(ctx context.Context, what string, err error) error {
	switch {
	case errors.Is(err, db.ErrNotFound):
		return huma.Error404NotFound(what + " not found")
	case errors.Is(err, db.ErrNoteBusy):
		return huma.Error409Conflict("another upload is still reading this note or adding to it: try again once it is done")
	case errors.Is(err, db.ErrConflict):
		return huma.Error409Conflict(what + " conflicts with an existing one")
	case errors.Is(err, db.ErrInvalidText):
		return huma.Error422UnprocessableEntity(what + ": text too long or containing a NUL character")
	case errors.Is(err, context.Canceled):
		return huma.NewError(499, "client closed request")
	}
	if dep := unavailableDependency(err); dep != "" {
		return s.unavailable(ctx, dep, what, err)
	}
	s.logger.ErrorContext(ctx, "request failed", slog.String("what", what), slog.Any("error", err))
	return huma.Error500InternalServerError("internal error")
}
