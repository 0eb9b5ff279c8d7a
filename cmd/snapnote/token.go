package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/config"
)

// runToken prints a dev bearer token alone on standard output, signed by the
// key in DATA_DIR that `snapnote dev` (or AUTH_MODE=dev) accepts.
func runToken(cfg *config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sub := fs.String("sub", "", "subject (user id) of the token; required")
	email := fs.String("email", "", "email claim")
	name := fs.String("name", "", "name claim")
	ttl := fs.Duration("ttl", devTokenTTL, "lifetime")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *sub == "" {
		return errors.New("token: --sub is required")
	}
	if cfg.AuthMode != "dev" && cfg.Issuer() != "" {
		return errors.New("token: dev tokens are for AUTH_MODE=dev; this configuration validates Auth0 tokens")
	}
	key, err := auth.LoadOrCreateDevKey(cfg.DataDir)
	if err != nil {
		return err
	}
	token, err := key.Token(auth.Claims{Subject: *sub, Email: *email, Name: *name}, *ttl)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, token)
	return err
}
