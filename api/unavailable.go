package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/httpx"
	"github.com/snapnote/snapnote/storage"
)

// unavailableDependency names the dependency err says could not be reached,
// or returns "" when err is of another kind. Storage is asked first: its
// network errors would otherwise look like the database's.
func unavailableDependency(err error) string {
	switch {
	case errors.Is(err, storage.ErrUnavailable):
		return "storage"
	case db.IsUnavailable(err):
		return "database"
	}
	return ""
}

// unavailable answers 503 naming the dependency that is down, with
// Retry-After: the request was fine and may be sent again as it is.
func (s *Server) unavailable(ctx context.Context, dependency, what string, err error) error {
	s.logger.WarnContext(ctx, "dependency unavailable", slog.String("dependency", dependency),
		slog.String("what", what), slog.Any("error", err))
	return huma.ErrorWithHeaders(
		huma.NewError(http.StatusServiceUnavailable, dependency+" unreachable; retry shortly",
			&huma.ErrorDetail{Location: dependency, Message: "unreachable"}),
		http.Header{"Retry-After": {strconv.Itoa(httpx.RetryAfterOutage)}})
}
