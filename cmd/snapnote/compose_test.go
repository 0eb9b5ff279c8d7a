package main

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/snapnote/snapnote/internal/config"
)

// composeService is the part of a compose.yaml service these checks read.
type composeService struct {
	Image       string            `yaml:"image"`
	Profiles    []string          `yaml:"profiles"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Healthcheck *struct {
		Test    []string `yaml:"test"`
		Disable bool     `yaml:"disable"`
	} `yaml:"healthcheck"`
	Deploy struct {
		Replicas int `yaml:"replicas"`
	} `yaml:"deploy"`
	DependsOn map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
}

// TestComposePooledProfile: the "pooled" profile puts a pinned PgBouncer
// in front of Postgres, two API replicas and workers that scale, all with
// health checks, settings this binary knows, in transaction pooling with
// a direct URL past the pooler.
func TestComposePooledProfile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "compose.yaml"))
	require.NoError(t, err)
	var compose struct {
		Services map[string]composeService `yaml:"services"`
	}
	require.NoError(t, yaml.Unmarshal(data, &compose))
	known := map[string]bool{}
	for _, v := range config.Vars() {
		known[v.Name] = true
	}

	bouncer := compose.Services["pgbouncer"]
	require.Equal(t, []string{"pooled"}, bouncer.Profiles)
	_, tag, ok := strings.Cut(bouncer.Image, ":")
	require.True(t, ok && tag != "latest", "PgBouncer's image is pinned: %q", bouncer.Image)
	require.Equal(t, "transaction", bouncer.Environment["POOL_MODE"])
	require.NotNil(t, bouncer.Healthcheck)

	api, worker := compose.Services["api-pooled"], compose.Services["worker-pooled"]
	require.Equal(t, 2, api.Deploy.Replicas)
	require.Equal(t, []string{"api"}, api.Command)
	require.Equal(t, []string{"worker"}, worker.Command)
	require.Zero(t, worker.Deploy.Replicas, "workers scale with --scale worker-pooled=N")
	for name, s := range map[string]composeService{"api-pooled": api, "worker-pooled": worker} {
		require.Equal(t, []string{"pooled"}, s.Profiles, name)
		require.NotNil(t, s.Healthcheck, name)
		require.Contains(t, s.Healthcheck.Test, "snapnote", name)
		require.Equal(t, "service_healthy", s.DependsOn["pgbouncer"].Condition, name)
		require.Equal(t, "service_completed_successfully", s.DependsOn["migrate"].Condition, name)
		require.Equal(t, config.PoolingTransaction, s.Environment["DATABASE_POOLING"], name)
		pooled, err := url.Parse(s.Environment["DATABASE_URL"])
		require.NoError(t, err)
		require.Equal(t, "pgbouncer", pooled.Hostname(), name)
		direct, err := url.Parse(s.Environment["DATABASE_DIRECT_URL"])
		require.NoError(t, err)
		require.Equal(t, "postgres", direct.Hostname(), name)
		for k := range s.Environment {
			require.True(t, known[k] || strings.HasPrefix(k, "AWS_"), "%s: unknown setting %s", name, k)
		}
		require.Equal(t, compose.Services["api"].Environment["STORAGE"], s.Environment["STORAGE"], "%s shares the app's settings", name)
	}
	for name, s := range compose.Services {
		if slices.Contains(s.Profiles, "pooled") {
			require.NotNil(t, s.Healthcheck, "%s has a health check", name)
		}
	}
}
