package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

type healthOutput struct {
	Body struct {
		Status string            `json:"status" example:"ok"`
		Checks map[string]string `json:"checks,omitempty" example:"{\"database\":\"ok\",\"storage\":\"ok\"}" doc:"readiness: each dependency and how it answered"`
	}
}

func (s *Server) registerHealth(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "health",
		Method:      http.MethodGet,
		Path:        "/api/health",
		Summary:     "Liveness: the process answers",
		Tags:        []string{"health"},
	}, func(context.Context, *struct{}) (*healthOutput, error) {
		out := &healthOutput{}
		out.Body.Status = "ok"
		return out, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "health-db",
		Method:      http.MethodGet,
		Path:        "/api/health/db",
		Summary:     "Readiness: Postgres and blob storage answer",
		Description: "Checks the database and blob storage at most once a second, however many callers ask. " +
			"503 with Retry-After names each dependency that is down.",
		Tags:   []string{"health"},
		Errors: []int{http.StatusServiceUnavailable},
	}, s.healthDb)
}

func (s *Server) healthDb(ctx context.Context, _ *struct{}) (*healthOutput, error) {
	if down := s.checkReadiness(ctx); len(down) > 0 {
		return nil, notReady(down)
	}
	out := &healthOutput{}
	out.Body.Status = "ok"
	out.Body.Checks = map[string]string{}
	for _, dep := range dependencies {
		out.Body.Checks[dep] = "ok"
	}
	return out, nil
}
