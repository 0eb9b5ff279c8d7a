package auth_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/snapnote/snapnote/internal/auth"
)

// A dev key signs tokens that the same validator as production checks, given the key's JWKS.
func ExampleDevKey_Token() {
	dir, err := os.MkdirTemp("", "snapnote-dev-key")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = os.RemoveAll(dir) }()

	key, err := auth.LoadOrCreateDevKey(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	token, err := key.Token(auth.Claims{Subject: "dev|ada", Email: "ada@example.com"}, time.Hour)
	if err != nil {
		fmt.Println(err)
		return
	}

	validator, err := auth.NewValidator(auth.Config{Issuer: auth.DevIssuer, Audience: auth.DevAudience, Keys: key.JWKS()})
	if err != nil {
		fmt.Println(err)
		return
	}
	claims, err := validator.ValidateToken(context.Background(), token)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(claims.Subject, claims.Email)
	// Output: dev|ada ada@example.com
}
