package httpx

import (
	"log/slog"
	"net/http"
	"runtime/debug"
)

// Recover answers a handler's panic with a bare 500, logged with its stack;
// http.ErrAbortHandler goes on up, as net/http means it to.
func Recover(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger.ErrorContext(r.Context(), "panic serving request", slog.Any("panic", v),
					slog.String("stack", string(debug.Stack())))
				WriteProblem(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
