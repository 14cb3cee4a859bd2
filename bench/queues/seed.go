// Package queues is the queues benchmark of `make bench BENCH_FLAGS=--queues`: it seeds a
// realistic inventory in SQL (seed.sql), drives every queue and report endpoint of a running
// mrmflow at 8 clients, replays the same pages' SQL directly for comparison, times a large CSV
// export with the server's memory growth, and EXPLAINs the list and report queries of sql/ on the
// seeded data (the "Speed" targets of the v1.2 queues work, README "Benchmarks").
package queues

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"strconv"

	"github.com/jackc/pgx/v5"

	"mrmflow/internal/database"
)

//go:embed seed.sql
var seedSQL string

// Full-scale sizes (scale 1); the users (500) and regions (10) do not scale.
const (
	fullModels   = 10_000
	fullRequests = 50_000
	fullTasks    = 200_000
)

// Size is what a seed at a scale writes.
type Size struct {
	Models, Requests, Tasks int
}

// SizeAt returns the sizes at scale (1 = the benchmark's inventory); at least one model, five
// requests per model as at full scale.
func SizeAt(scale float64) Size {
	models := max(1, int(math.Round(fullModels*scale)))
	return Size{
		Models:   models,
		Requests: models * (fullRequests / fullModels),
		Tasks:    max(1, int(math.Round(fullTasks*scale))),
	}
}

// Seed writes the inventory of seed.sql at scale into the freshly migrated, empty database conn
// is connected to, in one implicit transaction, then VACUUMs (ANALYZE) it: the visibility map a
// steady-state database has from autovacuum, without which every index-only scan of the seeded
// tables (the plans in sql/ rely on several) would read the heap as well.
func Seed(ctx context.Context, conn *pgx.Conn, scale float64) (Size, error) {
	if scale <= 0 || scale > 10 {
		return Size{}, fmt.Errorf("seed scale %v: want more than 0 and at most 10", scale)
	}
	size := SizeAt(scale)
	for name, v := range map[string]int{"seed.models": size.Models, "seed.requests": size.Requests, "seed.tasks": size.Tasks} {
		if _, err := conn.Exec(ctx, "SELECT set_config($1, $2, false)", name, strconv.Itoa(v)); err != nil {
			return Size{}, err
		}
	}
	// No arguments: pgx sends it with the simple protocol, every statement in one implicit
	// transaction.
	if _, err := conn.Exec(ctx, seedSQL); err != nil {
		return Size{}, fmt.Errorf("seed: %w", err)
	}
	// VACUUM cannot run inside the seed's transaction block: a statement of its own.
	if _, err := conn.Exec(ctx, "VACUUM (ANALYZE)"); err != nil {
		return Size{}, fmt.Errorf("seed: vacuum: %w", err)
	}
	return size, nil
}

// Invariant is a query that returns the number of rows breaking one rule the seed must keep
// (0 when kept). Most are also enforced by the schema; checking them after the seed says the
// seed went through every constraint rather than around one.
type Invariant struct {
	Rule, SQL string
}

// Invariants are checked by the seed's test and after every benchmark seed.
var Invariants = []Invariant{
	{"DATA-01: at most one active non-targeted request per model", `
		SELECT count(*) FROM (
			SELECT l.model_id FROM validation_request_models l
			JOIN validation_requests vr ON vr.request_id = l.request_id
			WHERE NOT vr.is_targeted AND NOT vr.is_closed
			GROUP BY l.model_id HAVING count(*) > 1) x`},
	{"a link blocks its model exactly when its request is active and non-targeted", `
		SELECT count(*) FROM validation_request_models l
		JOIN validation_requests vr ON vr.request_id = l.request_id
		WHERE l.blocks_model <> (NOT vr.is_targeted AND NOT vr.is_closed)`},
	{"every request has its INTAKE history row", `
		SELECT count(*) FROM validation_requests vr
		WHERE NOT EXISTS (SELECT 1 FROM validation_status_history h
		                  WHERE h.request_id = vr.request_id AND h.from_status IS NULL AND h.to_status = 'INTAKE')`},
	{"the latest history row enters the request's current status", `
		SELECT count(*) FROM validation_requests vr
		WHERE (SELECT h.to_status FROM validation_status_history h WHERE h.request_id = vr.request_id
		       ORDER BY h.changed_at DESC, h.history_id DESC LIMIT 1) IS DISTINCT FROM vr.status`},
	{"a request's status_entered_on is the UTC day of the latest history row entering its status", `
		SELECT count(*) FROM validation_requests vr
		WHERE vr.status_entered_on IS DISTINCT FROM (
		      SELECT (h.changed_at AT TIME ZONE 'UTC')::date FROM validation_status_history h
		      WHERE h.request_id = vr.request_id AND h.to_status = vr.status
		      ORDER BY h.changed_at DESC, h.history_id DESC LIMIT 1)`},
	{"history dates are not after 2026-12-01 (the benchmark's as_of)", `
		SELECT count(*) FROM validation_status_history WHERE changed_at >= timestamptz '2026-12-02 00:00+00'`},
	{"a history transition other than the first is an allowed one", `
		SELECT count(*) FROM validation_status_history h
		WHERE h.from_status IS NOT NULL AND NOT EXISTS (
			SELECT 1 FROM validation_status_transitions t WHERE t.from_status = h.from_status AND t.to_status = h.to_status)`},
	{"a request awaiting approval has a pending GLOBAL approval", `
		SELECT count(*) FROM validation_requests vr
		WHERE vr.status = 'PENDING_APPROVAL' AND NOT EXISTS (
			SELECT 1 FROM validation_approvals a WHERE a.request_id = vr.request_id AND a.approval_type = 'GLOBAL' AND a.status = 'PENDING')`},
	{"an APPROVED request has no pending GLOBAL or REGIONAL approval", `
		SELECT count(*) FROM validation_approvals a JOIN validation_requests vr ON vr.request_id = a.request_id
		WHERE vr.status = 'APPROVED' AND a.status = 'PENDING' AND a.approval_type <> 'DEPLOYMENT'`},
	{"an outcome exists once a request is awaiting approval, in revision or approved", `
		SELECT count(*) FROM validation_requests vr
		WHERE vr.status IN ('PENDING_APPROVAL', 'REVISION', 'APPROVED')
		  AND NOT EXISTS (SELECT 1 FROM validation_outcomes o WHERE o.request_id = vr.request_id)`},
	{"a primary validator is a VALIDATOR", `
		SELECT count(*) FROM validation_assignments a JOIN users u ON u.user_id = a.validator_id
		WHERE u.role <> 'VALIDATOR'`},
	{"a version's tasks are global or regional, not both", `
		SELECT count(*) FROM (
			SELECT version_id FROM version_deployment_tasks GROUP BY version_id
			HAVING bool_or(region_id IS NULL) AND bool_or(region_id IS NOT NULL)) x`},
	{"a regional task's region is one the model runs in", `
		SELECT count(*) FROM version_deployment_tasks t
		WHERE t.region_id IS NOT NULL AND NOT EXISTS (
			SELECT 1 FROM model_regions mr WHERE mr.model_id = t.model_id AND mr.region_id = t.region_id)`},
	{"a version linked to a request is one of the request's models", `
		SELECT count(*) FROM model_versions v
		WHERE v.validation_request_id IS NOT NULL AND NOT EXISTS (
			SELECT 1 FROM validation_request_models l WHERE l.request_id = v.validation_request_id AND l.model_id = v.model_id)`},
	{"a version's request status row is its request's, and only a linked version has one", database.VersionRequestStatusDrift},
	{"a model has one to three regions", `
		SELECT count(*) FROM models m
		WHERE (SELECT count(*) FROM model_regions mr WHERE mr.model_id = m.model_id) NOT BETWEEN 1 AND 3`},
	{"a model's ready count is its rows in deployment_readiness", `
		SELECT count(*) FROM models m
		LEFT JOIN model_ready_counts c ON c.model_id = m.model_id
		WHERE c.ready_rows IS DISTINCT FROM (SELECT count(*) FROM deployment_readiness r WHERE r.model_id = m.model_id)`},
}

// CheckInvariants runs every invariant and returns an error naming those that do not hold.
func CheckInvariants(ctx context.Context, conn *pgx.Conn) error {
	var broken []string
	for _, inv := range Invariants {
		var n int64
		if err := conn.QueryRow(ctx, inv.SQL).Scan(&n); err != nil {
			return fmt.Errorf("invariant %q: %w", inv.Rule, err)
		}
		if n != 0 {
			broken = append(broken, fmt.Sprintf("%s: %d rows", inv.Rule, n))
		}
	}
	if len(broken) > 0 {
		return fmt.Errorf("the seed breaks %d invariant(s): %v", len(broken), broken)
	}
	return nil
}
