package main

import (
	"github.com/snapnote/snapnote/internal/config"
	"github.com/snapnote/snapnote/web"
)

// webConfig is what the web app needs to sign in: dev tokens, or the
// issuer, audience and public client id for Authorization Code + PKCE.
func webConfig(cfg *config.Config) web.Config {
	if cfg.AuthMode == "dev" {
		return web.Config{AuthMode: "dev"}
	}
	return web.Config{AuthMode: "oidc", Issuer: cfg.Issuer(), Audience: cfg.Auth0Audience, ClientID: cfg.AuthClientID}
}
