package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/snapnote/snapnote/internal/db"
)

// User is the caller's profile.
type User struct {
	ID            uuid.UUID  `json:"id"`
	Email         string     `json:"email,omitempty" example:"ada@example.edu"`
	Name          string     `json:"name" example:"Ada Lovelace"`
	Avatar        string     `json:"avatar,omitempty"`
	EmailVerified bool       `json:"emailVerified"`
	CreatedAt     time.Time  `json:"createdAt"`
	LastLoginAt   *time.Time `json:"lastLoginAt,omitempty"`
	JobDashboard  string     `json:"jobDashboard,omitempty" example:"/riverui/" doc:"where the job dashboard (River UI) is, for the operators in ADMIN_SUBS only: POST /riverui/session with the token, then open it"`
}

func (s *Server) newUser(u db.User) User {
	out := User{ID: u.ID, Email: u.Email, Name: u.Name, Avatar: u.AvatarURL,
		EmailVerified: u.EmailVerified, CreatedAt: u.CreatedAt, LastLoginAt: u.LastLoginAt}
	if s.isAdmin(u.Auth0UserID) {
		out.JobDashboard = riverUIPath + "/"
	}
	return out
}

type userOutput struct {
	Body User
}

type patchUserInput struct {
	Body struct {
		Name string `json:"name" minLength:"1" maxLength:"255" doc:"display name"`
	}
}

func (s *Server) registerUser(api huma.API) {
	huma.Register(api, secured(huma.Operation{
		OperationID: "get-user",
		Method:      http.MethodGet,
		Path:        "/api/user",
		Summary:     "The caller's profile",
		Description: "Created on first call from the access token's claims.",
		Tags:        []string{"user"},
	}), s.getUser)

	huma.Register(api, secured(huma.Operation{
		OperationID: "patch-user",
		Method:      http.MethodPatch,
		Path:        "/api/user",
		Summary:     "Change the caller's display name",
		Tags:        []string{"user"},
	}), s.patchUser)

	huma.Register(api, secured(huma.Operation{
		OperationID: "delete-user",
		Method:      http.MethodDelete,
		Path:        "/api/user",
		Summary:     "Leave: delete the caller's account",
		Description: "Answers 202 at once: the account's sign-in is detached now, so the same token meets a new, " +
			"empty account; a job then removes every course, note, upload, image and audit row of the old " +
			"one. Export first (`GET /api/export`) to keep the notes. Backups keep what they hold until they " +
			"rotate out.",
		Tags:          []string{"user"},
		DefaultStatus: http.StatusAccepted,
	}), s.deleteUser)
}

// Leaving answers a deleted account.
type Leaving struct {
	Status string `json:"status" enum:"deleting" doc:"the account's rows and images are being removed"`
}

func (s *Server) getUser(ctx context.Context, _ *struct{}) (*userOutput, error) {
	return &userOutput{Body: s.newUser(userFrom(ctx))}, nil
}

func (s *Server) patchUser(ctx context.Context, in *patchUserInput) (*userOutput, error) {
	name := strings.TrimSpace(in.Body.Name)
	if name == "" {
		return nil, huma.Error422UnprocessableEntity("validation failed",
			&huma.ErrorDetail{Location: "body.name", Message: "must not be blank", Value: in.Body.Name})
	}
	u := userFrom(ctx)
	err := s.inTx(ctx, "user", func(q *db.Queries) error {
		if name == u.Name {
			return nil
		}
		var err error
		if u, err = q.UpdateUserName(ctx, u.ID, name); err != nil {
			return err
		}
		return audit(ctx, q, db.AuditUpdate, db.EntityUser, u.ID, map[string]any{"name": name})
	})
	if err != nil {
		return nil, err
	}
	return &userOutput{Body: s.newUser(u)}, nil
}

func (s *Server) deleteUser(ctx context.Context, _ *struct{}) (*output[Leaving], error) {
	if err := s.cfg.Queue.DeleteAccount(ctx, actor(ctx)); err != nil {
		return nil, s.fail(ctx, "user", err)
	}
	s.logger.InfoContext(ctx, "account deletion queued", slog.String("user_id", userFrom(ctx).ID.String()))
	return &output[Leaving]{Body: Leaving{Status: "deleting"}}, nil
}
