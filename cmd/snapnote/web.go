package main

import (
	"github.com/snapnote/snapnote/internal/config"
	"github.com/snapnote/snapnote/internal/queue"
	"github.com/snapnote/snapnote/web"
)

// webConfig is what the web app needs: how to sign in (dev tokens, or the
// issuer, audience and public client id for Authorization Code + PKCE),
// the pipeline's stages, in order, for its progress bars, and the languages
// a course may be read in (installed, nil when unknown) with the default.
func webConfig(cfg *config.Config, languages []string) web.Config {
	stages := make([]string, 0, len(queue.Stages))
	for _, s := range queue.Stages {
		stages = append(stages, s.Name)
	}
	if cfg.AuthMode == "dev" {
		return web.Config{AuthMode: "dev", Stages: stages, Languages: languages, DefaultLanguage: cfg.OCRLang}
	}
	return web.Config{AuthMode: "oidc", Issuer: cfg.Issuer(), Audience: cfg.Auth0Audience, ClientID: cfg.AuthClientID,
		Stages: stages, Languages: languages, DefaultLanguage: cfg.OCRLang}
}
