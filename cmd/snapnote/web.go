package main

import (
	"github.com/snapnote/snapnote/internal/config"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/web"
)

// webConfig is what the web app needs: how to sign in (dev tokens, or the
// issuer, audience and public client id for Authorization Code + PKCE) and
// the pipeline's stages, in order, for its progress bars.
func webConfig(cfg *config.Config) web.Config {
	stages := make([]string, 0, len(queue.Stages))
	for _, s := range queue.Stages {
		stages = append(stages, s.Name)
	}
	if cfg.AuthMode == "dev" {
		return web.Config{AuthMode: "dev", Stages: stages}
	}
	return web.Config{AuthMode: "oidc", Issuer: cfg.Issuer(), Audience: cfg.Auth0Audience, ClientID: cfg.AuthClientID,
		Stages: stages}
}
