// Package app builds mrmflow's services, once, on one pool: every constructor takes its
// dependencies in the same order (the pool, the transaction limits, the metrics, then what is its
// own), and a nil *metrics.Metrics means a private set the service observes into, unexported.
// cmd/mrmflow builds the set once per command and hands it to api.New (docs/code.md, "Wiring").
package app

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/internal/audit"
	"mrmflow/internal/auth"
	"mrmflow/internal/deployment"
	"mrmflow/internal/metrics"
	"mrmflow/internal/model"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/policy"
	"mrmflow/internal/region"
	"mrmflow/internal/revalidation"
	"mrmflow/internal/summary"
	"mrmflow/internal/user"
	"mrmflow/internal/validation"
)

// Services is every service of mrmflow, built on one pool.
type Services struct {
	Auth          *auth.Authenticator
	Users         *user.Service
	Regions       *region.Service
	Models        *model.Service
	Audit         *audit.Service
	Policies      *policy.Service
	Deployments   *deployment.Service
	Validations   *validation.Service
	Summaries     *summary.Service
	Revalidations *revalidation.Service
}

// New builds every service on pool. Every service's transactions set limits with SET LOCAL
// (never a session or startup parameter, which a transaction pooler refuses or leaks across
// clients), each bounded by its service (pgtx.Limits.Bounded). m receives the services' metrics
// (nil: each service observes into a private set). tokenTTL is the lifetime of a token created
// without expires_at (0: domain.DefaultTokenTTL).
func New(pool *pgxpool.Pool, limits pgtx.Limits, m *metrics.Metrics, tokenTTL time.Duration) Services {
	return Services{
		Auth:          auth.NewAuthenticator(pool),
		Users:         user.NewService(pool, limits, tokenTTL),
		Regions:       region.NewService(pool, limits),
		Models:        model.NewService(pool, limits),
		Audit:         audit.NewService(pool),
		Policies:      policy.NewService(pool, limits),
		Deployments:   deployment.NewService(pool, limits, m),
		Validations:   validation.NewService(pool, limits, m),
		Summaries:     summary.NewService(pool),
		Revalidations: revalidation.NewService(pool),
	}
}
