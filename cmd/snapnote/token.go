package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"

	"github.com/snapnote/snapnote/internal/auth"
	"github.com/snapnote/snapnote/internal/config"
)

// runToken prints a dev bearer token alone on standard output, signed by the
// key in DATA_DIR that `snapnote dev` (or AUTH_MODE=dev) made and accepts.
// It never makes a key itself.
func runToken(cfg *config.Config, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("token", flag.ContinueOnError)
	flags.SetOutput(stderr)
	sub := flags.String("sub", "", "subject (user id) of the token; required")
	email := flags.String("email", "", "email claim")
	name := flags.String("name", "", "name claim")
	ttl := flags.Duration("ttl", devTokenTTL, "lifetime")
	dataDir := flags.String("data-dir", cfg.DataDir, "directory holding the server's dev signing key (DATA_DIR)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *sub == "" {
		return errors.New("token: --sub is required")
	}
	if cfg.AuthMode != "dev" && cfg.Issuer() != "" {
		return errors.New("token: dev tokens are for AUTH_MODE=dev; this configuration validates Auth0 tokens")
	}
	// A key made here would sign tokens the running server refuses.
	key, err := auth.LoadDevKey(*dataDir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("token: no dev signing key exists under DATA_DIR %s (looked for %s): "+
			"`snapnote dev` (or `snapnote api` with AUTH_MODE=dev) creates it when it starts; "+
			"run token with that server's DATA_DIR, or pass --data-dir", *dataDir, auth.DevKeyPath(*dataDir))
	}
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
