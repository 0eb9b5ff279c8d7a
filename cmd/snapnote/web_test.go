package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/config"
	"github.com/snapnote/snapnote/internal/queue"
)

func TestWebAppGetsTheStageTable(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"dev", "oidc"} {
		got := webConfig(&config.Config{AuthMode: mode}, nil).Stages
		require.Len(t, got, len(queue.Stages), mode)
		for i, s := range queue.Stages {
			require.Equal(t, s.Name, got[i], mode)
		}
	}
}

func TestWebAppGetsTheLanguages(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"dev", "oidc"} {
		got := webConfig(&config.Config{AuthMode: mode, OCRLang: "fra"}, []string{"eng", "fra"})
		require.Equal(t, []string{"eng", "fra"}, got.Languages, mode)
		require.Equal(t, "fra", got.DefaultLanguage, mode)
	}
}
