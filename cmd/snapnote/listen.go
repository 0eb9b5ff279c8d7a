package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/snapnote/snapnote/internal/config"
	"github.com/snapnote/snapnote/internal/httpx"
)

// Default interfaces when BIND_ADDR is empty. `api` runs in containers and
// behind platform routers, which reach it on the container's own interface,
// so it answers on every interface (publish it on the host's loopback, as
// compose.yaml does). `dev` runs on a laptop with dev auth: loopback only.
const (
	apiDefaultHost = ""
	devDefaultHost = "127.0.0.1"
)

// listenHTTP opens the API's listener on BIND_ADDR (or defaultHost) and
// PORT, holding each client address to CONNS_PER_IP connections, and the
// metrics listener on METRICS_ADDR when that is set.
func listenHTTP(cfg *config.Config, defaultHost string) (api, metrics net.Listener, err error) {
	addr := net.JoinHostPort(cmp.Or(cfg.BindAddr, defaultHost), strconv.Itoa(cfg.Port))
	api, err = net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("PORT, BIND_ADDR: listen on %s: %w", addr, err)
	}
	api = httpx.LimitConnections(api, cfg.ConnsPerIP, cfg.TrustedProxies)
	if cfg.MetricsAddr == "" {
		return api, nil, nil
	}
	metrics, err = net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		_ = api.Close() // the listen error is the one to report
		return nil, nil, fmt.Errorf("METRICS_ADDR: listen on %s: %w", cfg.MetricsAddr, err)
	}
	return api, metrics, nil
}

// serveHTTP serves handler on api until ctx ends. With a metrics listener,
// /metrics moves there: the API port answers it 404 and the metrics port
// answers nothing else. When either server fails, both stop.
func serveHTTP(ctx context.Context, api, metrics net.Listener, handler http.Handler, shutdownTimeout time.Duration, logger *slog.Logger) error {
	if metrics == nil {
		return serve(ctx, api, handler, shutdownTimeout)
	}
	apiHandler, metricsHandler := splitMetrics(handler)
	logger.InfoContext(ctx, "metrics listening", slog.String("addr", metrics.Addr().String()))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		errc <- serve(ctx, metrics, metricsHandler, shutdownTimeout)
		cancel()
	}()
	err := serve(ctx, api, apiHandler, shutdownTimeout)
	cancel()
	return errors.Join(err, <-errc)
}

// metricsPath is where package api serves Prometheus metrics.
const metricsPath = "/metrics"

// splitMetrics divides the API's handler in two: everything but /metrics,
// and /metrics alone. The metrics half still goes through the API handler,
// which is where the metrics are registered.
func splitMetrics(handler http.Handler) (api, metrics http.Handler) {
	api = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == metricsPath {
			http.NotFound(w, r)
			return
		}
		handler.ServeHTTP(w, r)
	})
	mux := http.NewServeMux()
	mux.Handle("GET "+metricsPath, handler)
	return api, mux
}

// localHost is the host by which a client on this machine (or in this
// container) reaches a server listening on bindAddr: local (localhost for a
// person, 127.0.0.1 for a health check) for loopback and all interfaces,
// else bindAddr itself.
func localHost(bindAddr, local string) string {
	if ip := net.ParseIP(bindAddr); bindAddr == "" || bindAddr == "localhost" || ip.IsLoopback() || ip.IsUnspecified() {
		return local
	}
	return bindAddr
}

// serveWorkerMetrics serves the worker's metrics (reg, with the Go and
// process collectors added) at /metrics on METRICS_ADDR until ctx ends; a
// worker has no other listener. Without METRICS_ADDR it serves nothing and
// says so.
func serveWorkerMetrics(ctx context.Context, cfg *config.Config, reg *prometheus.Registry, logger *slog.Logger) error {
	if cfg.MetricsAddr == "" {
		logger.InfoContext(ctx, "worker metrics not served: set METRICS_ADDR to serve them")
		return nil
	}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return fmt.Errorf("METRICS_ADDR: listen on %s: %w", cfg.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+metricsPath, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	logger.InfoContext(ctx, "metrics listening", slog.String("addr", ln.Addr().String()))
	go func() {
		if err := serve(ctx, ln, mux, cfg.ShutdownTimeout); err != nil {
			logger.ErrorContext(ctx, "worker metrics server", slog.Any("error", err))
		}
	}()
	return nil
}
