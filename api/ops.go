package api

import (
	"context"
	_ "embed"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"mrmflow/internal/domain"
)

// OpenAPIDocument is the hand-written contract of the API, served at /openapi.yaml and checked
// against every request and response the tests make.
//
//go:embed openapi.yaml
var OpenAPIDocument []byte

type healthStatus struct {
	Status string `json:"status"`
}

// live says the process is up; it touches nothing else.
func (s *Server) live(w http.ResponseWriter, r *http.Request) error {
	s.writeJSON(w, r, http.StatusOK, healthStatus{Status: "ok"})
	return nil
}

// ready says whether to send traffic here: not while draining, and only if the database answers.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) error {
	if s.draining.Load() {
		return domain.Errorf(domain.CodeUnavailable, "shutting down")
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.pool.Ping(ctx); err != nil {
		s.log.WarnContext(r.Context(), "readiness: database ping failed", "error", err)
		return domain.Errorf(domain.CodeUnavailable, "the database does not answer")
	}
	s.writeJSON(w, r, http.StatusOK, healthStatus{Status: "ready"})
	return nil
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{})
}

func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(OpenAPIDocument)
	return nil
}
