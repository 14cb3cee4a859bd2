package api

import (
	"context"
	_ "embed"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
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

// ready says whether to send traffic here: not while draining (checked first, so readiness turns
// 503 the moment SIGTERM arrives), and only if the database answers.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) error {
	if s.draining.Load() {
		return domain.Errorf(domain.CodeUnavailable, "shutting down")
	}
	if err := s.readiness.check(r.Context(), s.pool); err != nil {
		s.log.WarnContext(r.Context(), "readiness: database ping failed", "error", err)
		return domain.Errorf(domain.CodeUnavailable, "the database does not answer")
	}
	s.writeJSON(w, r, http.StatusOK, healthStatus{Status: "ready"})
	return nil
}

// readyTTL is how long a readiness answer is reused. Load balancers and orchestrators probe
// every replica every few seconds, often from several places; without the cache each probe
// would take a pool connection from the requests and add a round trip to the database.
const readyTTL = time.Second

// readiness caches the database check of /readyz. Probes arriving while a ping runs wait for
// its answer rather than start their own, so at most one ping runs per readyTTL.
type readiness struct {
	mu      sync.Mutex
	checked time.Time
	err     error
}

// check returns the cached answer if it is younger than readyTTL, and pings the database
// otherwise (bounded by 2 s).
func (c *readiness) check(ctx context.Context, pool *pgxpool.Pool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.checked.IsZero() && time.Since(c.checked) < readyTTL {
		return c.err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	c.err = pool.Ping(ctx)
	c.checked = time.Now()
	return c.err
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{})
}

func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(OpenAPIDocument)
	return nil
}
