// Package api is mrmflow's thin HTTP layer: it decodes and checks input, calls one service
// method, and encodes the result or a problem+json error. No business rule lives here.
package api

import (
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/internal/app"
	"mrmflow/internal/audit"
	"mrmflow/internal/auth"
	"mrmflow/internal/deployment"
	"mrmflow/internal/domain"
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

// Deps is everything the HTTP layer calls.
type Deps struct {
	Log     *slog.Logger
	Metrics *metrics.Metrics
	// Pool is the services' pool: /readyz pings it, and a lost connection empties it.
	Pool *pgxpool.Pool
	// Services are the services the handlers call, built once by the caller (app.New): their
	// limits (LOCK_TIMEOUT, STATEMENT_TIMEOUT) and TOKEN_TTL are theirs, not the HTTP layer's.
	Services       app.Services
	RequestTimeout time.Duration
	// ExportMaxRows bounds the rows of one CSV answer (EXPORT_MAX_ROWS; 0: export.DefaultMaxRows).
	ExportMaxRows int64
}

// Server routes HTTP requests to the services.
type Server struct {
	log            *slog.Logger
	metrics        *metrics.Metrics
	pool           *pgxpool.Pool
	requestTimeout time.Duration
	exportMaxRows  int64
	draining       atomic.Bool
	readiness      readiness

	auth    *auth.Authenticator
	users   *user.Service
	regions *region.Service
	models  *model.Service
	audit   *audit.Service

	policies *policy.Service

	deployments *deployment.Service
	validations *validation.Service
	summaries   *summary.Service
	// revalidations reads the revalidation schedule (docs/revalidation.md).
	revalidations *revalidation.Service
}

// New builds a Server over d.Services.
func New(d Deps) *Server {
	if d.RequestTimeout <= 0 {
		d.RequestTimeout = time.Minute
	}
	svc := d.Services
	return &Server{
		log: d.Log, metrics: d.Metrics, pool: d.Pool, requestTimeout: d.RequestTimeout, exportMaxRows: d.ExportMaxRows,
		auth:    svc.Auth,
		users:   svc.Users,
		regions: svc.Regions,
		models:  svc.Models,
		audit:   svc.Audit,

		policies: svc.Policies,

		deployments:   svc.Deployments,
		validations:   svc.Validations,
		summaries:     svc.Summaries,
		revalidations: svc.Revalidations,
	}
}

// SetDraining makes /readyz answer 503 so a load balancer stops sending traffic before shutdown.
func (s *Server) SetDraining() { s.draining.Store(true) }

// handlerFunc is a handler that may fail; handle writes its error as problem+json.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle serves fn and writes its error as problem+json.
//
// A GET is read-only, so one that fails because its pooled connection had died (a database
// restart or pg_terminate_backend while the connection sat idle) or because PostgreSQL aborted
// it in a deadlock runs once more, on a fresh connection (pgtx.RetryableRead; pgtx.DropDeadConnections
// makes it fresh). Handlers write nothing before they return an error, so the retry starts from
// a clean answer. Writes are never retried here: their clients retry with an Idempotency-Key.
func (s *Server) handle(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		call := func() error { return fn(w, r) }
		var err error
		if r.Method == http.MethodGet {
			err = s.withReadRetry(r, call)
		} else {
			err = call()
			pgtx.DropDeadConnections(s.pool, err)
		}
		if err != nil {
			s.writeProblem(w, r, err)
		}
	})
}

// withReadRetry runs read, and once more when it failed in a way a read may be retried
// (pgtx.RetryableRead) while the request is still wanted; pgtx.DropDeadConnections first makes sure
// the second try gets a fresh connection. Only reads and idempotent work go through it.
func (s *Server) withReadRetry(r *http.Request, read func() error) error {
	err := read()
	pgtx.DropDeadConnections(s.pool, err)
	if err != nil && r.Context().Err() == nil && pgtx.RetryableRead(err) {
		s.log.InfoContext(r.Context(), "retrying a read after a database failure", "request_id", requestID(r.Context()), "error", err)
		err = read()
	}
	return err
}

// Handler is the whole HTTP surface, middleware included, so 404s and 405s are logged, measured
// and answered as problem+json like everything else.
func (s *Server) Handler() http.Handler {
	return s.observe(s.limit(s.Router()))
}

// Router is the route table: every path of openapi.yaml is registered here and nowhere else.
func (s *Server) Router() *mux.Router {
	r := mux.NewRouter()
	r.Use(routeName)
	r.NotFoundHandler = s.handle(func(http.ResponseWriter, *http.Request) error {
		return domain.NotFound("no such resource")
	})
	r.MethodNotAllowedHandler = s.handle(func(http.ResponseWriter, *http.Request) error {
		return domain.Errorf(codeMethodNotAllowed, "this method is not allowed on this resource")
	})

	r.Handle("/healthz", s.handle(s.live)).Methods(http.MethodGet)
	r.Handle("/livez", s.handle(s.live)).Methods(http.MethodGet)
	r.Handle("/readyz", s.handle(s.ready)).Methods(http.MethodGet)
	r.Handle("/metrics", s.metricsHandler()).Methods(http.MethodGet)
	r.Handle("/openapi.yaml", s.handle(s.openAPI)).Methods(http.MethodGet)

	// Every /api/v1 route is registered on the root router, wrapped in authenticate (a create of a
	// validation request in authenticateLater: its service checks the token), and not on a
	// PathPrefix subrouter: gorilla/mux v1.8.1 answers 404 instead of 405 to a wrong method on any
	// subrouter route but the last (the prefix matcher of later routes clears ErrMethodMismatch).
	route := func(method, path string, fn handlerFunc) {
		r.Handle("/api/v1"+path, s.authenticate(s.handle(fn))).Methods(method)
	}
	route(http.MethodPost, "/users", s.createUser)
	route(http.MethodGet, "/users", s.listUsers)
	// /users/me before /users/{user_id}: mux tries routes in order, and {user_id} would otherwise
	// take "me" (and answer 400 for a non-numeric id).
	route(http.MethodGet, "/users/me", s.getMe)
	route(http.MethodGet, "/me/summary", s.getMySummary)
	route(http.MethodGet, "/users/{user_id}", s.getUser)
	route(http.MethodPost, "/users/{user_id}/tokens", s.createToken)
	route(http.MethodDelete, "/users/{user_id}/tokens", s.revokeAllTokens)
	route(http.MethodPost, "/users/{user_id}/disable", s.disableUser)
	route(http.MethodPost, "/users/{user_id}/enable", s.enableUser)
	route(http.MethodDelete, "/tokens/{token_id}", s.revokeToken)

	route(http.MethodPost, "/regions", s.createRegion)
	route(http.MethodGet, "/regions", s.listRegions)

	route(http.MethodPost, "/models", s.createModel)
	route(http.MethodGet, "/models", s.listModels)
	route(http.MethodGet, "/models/{model_id}", s.getModel)
	route(http.MethodPatch, "/models/{model_id}", s.updateModel)
	route(http.MethodPost, "/models/{model_id}/delegates", s.addDelegate)
	route(http.MethodDelete, "/models/{model_id}/delegates/{user_id}", s.revokeDelegate)
	route(http.MethodPost, "/models/{model_id}/versions", s.createVersion)
	route(http.MethodGet, "/models/{model_id}/versions", s.listVersions)
	route(http.MethodGet, "/models/{model_id}/revalidation", s.getModelRevalidation)
	route(http.MethodGet, "/versions/{version_id}", s.getVersion)

	// The revalidation schedule's settings (docs/revalidation.md).
	route(http.MethodGet, "/validation-policies", s.listValidationPolicies)
	route(http.MethodPut, "/validation-policies/{risk_tier}", s.updateValidationPolicy)
	route(http.MethodGet, "/workflow-sla", s.getWorkflowSLA)
	route(http.MethodPut, "/workflow-sla", s.updateWorkflowSLA)

	// Validation requests (DATA-01).
	r.Handle("/api/v1/validation-requests", s.authenticateLater(s.createValidationRequest)).Methods(http.MethodPost)
	route(http.MethodPost, "/validation-requests/check", s.checkValidationRequest)
	route(http.MethodGet, "/validation-requests", s.listValidationRequests)
	route(http.MethodGet, "/validation-requests/{request_id}", s.getValidationRequest)
	route(http.MethodPatch, "/validation-requests/{request_id}", s.updateValidationRequest)
	route(http.MethodPost, "/validation-requests/{request_id}/models", s.changeValidationModels)
	route(http.MethodPost, "/validation-requests/{request_id}/status", s.changeValidationStatus)
	route(http.MethodPost, "/validation-requests/{request_id}/resume", s.resumeValidationRequest)
	route(http.MethodPost, "/validation-requests/{request_id}/submission", s.recordSubmission)

	// Inside a validation: assignments, reviewer sign-off and send-back, the outcome.
	route(http.MethodPost, "/validation-requests/{request_id}/assignments", s.createAssignment)
	route(http.MethodPatch, "/assignments/{assignment_id}", s.updateAssignment)
	route(http.MethodDelete, "/assignments/{assignment_id}", s.deleteAssignment)
	route(http.MethodPost, "/assignments/{assignment_id}/sign-off", s.signOffAssignment)
	route(http.MethodPost, "/assignments/{assignment_id}/send-back", s.sendBackAssignment)
	route(http.MethodPost, "/validation-requests/{request_id}/outcome", s.createOutcome)
	route(http.MethodPatch, "/outcomes/{outcome_id}", s.updateOutcome)
	route(http.MethodGet, "/validation-requests/{request_id}/approvals", s.listRequestApprovals)
	route(http.MethodGet, "/approvals", s.listApprovals)
	route(http.MethodPost, "/approvals/{approval_id}/decision", s.decideApproval)

	// Deployment tasks (REL-02).
	route(http.MethodPost, "/versions/{version_id}/deployments", s.createDeployments)
	route(http.MethodGet, "/deployment-tasks", s.listDeploymentTasks)
	route(http.MethodGet, "/deployments/ready", s.listReadyDeployments)
	// The bulk routes come before /deployment-tasks/{task_id}/...: mux tries routes in order and
	// {task_id} would otherwise swallow "bulk" (and answer 400 for a non-numeric id).
	route(http.MethodPost, "/deployment-tasks/bulk/confirm", s.bulkConfirm)
	route(http.MethodPost, "/deployment-tasks/bulk/adjust", s.bulkAdjust)
	route(http.MethodPost, "/deployment-tasks/bulk/cancel", s.bulkCancel)
	route(http.MethodGet, "/deployment-tasks/{task_id}", s.getDeploymentTask)
	route(http.MethodPost, "/deployment-tasks/{task_id}/confirm", s.confirmTask)
	route(http.MethodPost, "/deployment-tasks/{task_id}/adjust", s.adjustTask)
	route(http.MethodPost, "/deployment-tasks/{task_id}/cancel", s.cancelTask)

	route(http.MethodGet, "/audit-logs", s.listAuditLogs)

	// Reports (ADMIN, VALIDATOR).
	route(http.MethodGet, "/reports/rule-exceptions", s.listRuleExceptions)
	route(http.MethodGet, "/reports/pending-assignments", s.listPendingAssignments)
	route(http.MethodGet, "/reports/sla-violations", s.listSLAViolations)
	route(http.MethodGet, "/reports/workload", s.listWorkload)
	route(http.MethodGet, "/reports/out-of-order", s.listOutOfOrder)
	// The revalidation schedule: any role; a USER sees its own models' rows.
	route(http.MethodGet, "/reports/revalidation", s.listRevalidationReport)
	return r
}
