// Package revalidation answers "which models are due, and which are late?" (docs/revalidation.md):
// a model's revalidation schedule and status at a day, for one model and as a report. The dates
// and statuses have one home, the view model_revalidation_schedule and the SQL function
// revalidation_status; this package filters, pages and converts.
package revalidation

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/export"
	"mrmflow/internal/pgtx"
)

// The statuses of a schedule, in the order revalidation_status tries them (the first that applies).
var Statuses = []string{
	"NO_POLICY", "NEVER_VALIDATED",
	"INTERIM_EXPIRED", "INTERIM_SUBMISSION_OVERDUE", "INTERIM_ACTIVE",
	"SUBMISSION_OVERDUE", "IN_GRACE_PERIOD", "AWAITING_SUBMISSION",
	"VALIDATION_OVERDUE", "VALIDATION_IN_PROGRESS",
	"REVALIDATION_OVERDUE", "SHOULD_CREATE_REQUEST", "UPCOMING",
}

// RiskTiers are the risk tiers a model may have (validation_policies_tier_known).
var RiskTiers = []string{"TIER_1", "TIER_2", "TIER_3", "TIER_4"}

// MaxDueWithinDays bounds due_within_days: ten years ahead is further than any policy looks.
const MaxDueWithinDays = 3650

// Service reads revalidation schedules.
type Service struct {
	pool *pgxpool.Pool
}

// NewService returns a Service on pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// Schedule is one model's revalidation schedule at a day.
type Schedule struct {
	ModelID   int32            `json:"model_id"`
	ModelName string           `json:"model_name"`
	Owner     domain.PersonRef `json:"owner"`
	RiskTier  *string          `json:"risk_tier"`
	Status    string           `json:"status"`
	// LastValidationRequestID is the latest APPROVED INITIAL or COMPREHENSIVE request of the
	// model, LastValidationDate the UTC day it became APPROVED.
	LastValidationRequestID *int32       `json:"last_validation_request_id"`
	LastValidationDate      *domain.Date `json:"last_validation_date"`
	SubmissionDue           *domain.Date `json:"submission_due"`
	GracePeriodEnd          *domain.Date `json:"grace_period_end"`
	ValidationDue           *domain.Date `json:"validation_due"`
	// DaysUntilSubmissionDue and DaysUntilValidationDue are the date minus the day (negative when
	// past), null when the date is.
	DaysUntilSubmissionDue *int32 `json:"days_until_submission_due"`
	DaysUntilValidationDue *int32 `json:"days_until_validation_due"`
	// ActiveRequestID is the model's active non-targeted request (at most one, DATA-01).
	ActiveRequestID        *int32       `json:"active_request_id"`
	SubmissionReceivedDate *domain.Date `json:"submission_received_date"`
}

// ForModel returns model modelID's schedule at asOf (nil: today in UTC). A USER sees only the
// models it owns or actively delegates for: any other is not_found, as a missing one.
func (s *Service) ForModel(ctx context.Context, actor domain.Actor, modelID int32, asOf *domain.Date) (Schedule, error) {
	var row gen.RevalidationForModelRow
	err := s.read(ctx, func(q *gen.Queries) (err error) {
		row, err = q.RevalidationForModel(ctx, gen.RevalidationForModelParams{
			AsOf: asOf.TimePtr(), ModelID: modelID, VisibleTo: visibleTo(actor),
		})
		return err
	})
	if pgtx.IsNoRows(err) {
		return Schedule{}, domain.NotFound("model %d does not exist", modelID)
	}
	if err != nil {
		return Schedule{}, fmt.Errorf("read revalidation schedule: %w", err)
	}
	return fromRow(gen.RevalidationReportListRow(row)), nil
}

// Filter narrows the report; a nil or empty field does not filter.
type Filter struct {
	Statuses []string
	RiskTier *string
	OwnerID  *int32
	// Mine keeps what the caller may act on: the models it owns or actively delegates for, and
	// those whose active request it is assigned to.
	Mine *bool
	// DueWithinDays keeps the models whose submission or validation due date is at most that many
	// days after AsOf, already-past dates included.
	DueWithinDays *int32
	// AsOf is the day of the statuses and day counts (nil: today in UTC).
	AsOf *domain.Date
}

func (f Filter) check() error {
	var c domain.Check
	for _, st := range f.Statuses {
		if !slices.Contains(Statuses, st) {
			c.Add("status", "must be one of %v", Statuses)
			break
		}
	}
	if f.RiskTier != nil && !slices.Contains(RiskTiers, *f.RiskTier) {
		c.Add("risk_tier", "must be one of %v", RiskTiers)
	}
	if f.DueWithinDays != nil && (*f.DueWithinDays < 0 || *f.DueWithinDays > MaxDueWithinDays) {
		c.Add("due_within_days", "must be a whole number from 0 to %d", MaxDueWithinDays)
	}
	return c.Err()
}

// params checks f and returns the report query's filters for actor (no position, no limit). A
// USER sees only its models' rows, whatever the filters.
func (f Filter) params(actor domain.Actor) (gen.RevalidationReportListParams, error) {
	if err := f.check(); err != nil {
		return gen.RevalidationReportListParams{}, err
	}
	p := gen.RevalidationReportListParams{
		AsOf: f.AsOf.TimePtr(), VisibleTo: visibleTo(actor), Statuses: f.Statuses,
		RiskTier: f.RiskTier, OwnerID: f.OwnerID, DueWithinDays: f.DueWithinDays,
	}
	if f.Mine != nil && *f.Mine {
		me := actor.UserID
		p.Mine = &me
	}
	return p, nil
}

// Report returns one page of the report in model_id order and the model the next page starts
// after (nil on the last).
func (s *Service) Report(ctx context.Context, actor domain.Actor, f Filter, page domain.Page) ([]Schedule, *int64, error) {
	params, err := f.params(actor)
	if err != nil {
		return nil, nil, err
	}
	params.AfterID, params.PageLimit = int32(page.After), page.Limit+1
	var rows []gen.RevalidationReportListRow
	err = s.read(ctx, func(q *gen.Queries) (err error) {
		rows, err = q.RevalidationReportList(ctx, params)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("report revalidation: %w", err)
	}
	rows, next := domain.PageOf(rows, page.Limit, func(r gen.RevalidationReportListRow) int64 { return int64(r.ModelID) })
	out := make([]Schedule, len(rows))
	for i, r := range rows {
		out[i] = fromRow(r)
	}
	return out, next, nil
}

// Export sends every row of the report that f matches to each, in model_id order, from one
// snapshot (export.Run): its CSV answer. Over maxRows rows it is export_too_large.
func (s *Service) Export(ctx context.Context, actor domain.Actor, f Filter, maxRows int64, each func(Schedule) error) error {
	params, err := f.params(actor)
	if err != nil {
		return err
	}
	src := export.Source[gen.RevalidationReportListRow]{
		Count: func(ctx context.Context, q *gen.Queries) (int64, error) {
			// The export's first statement in its snapshot: JIT off for all of them (s.read).
			if err := q.RevalidationWithoutJIT(ctx); err != nil {
				return 0, err
			}
			return q.RevalidationReportCount(ctx, gen.RevalidationReportCountParams{
				AsOf: params.AsOf, VisibleTo: params.VisibleTo, Statuses: params.Statuses, RiskTier: params.RiskTier,
				OwnerID: params.OwnerID, Mine: params.Mine, DueWithinDays: params.DueWithinDays,
			})
		},
		Page: func(ctx context.Context, q *gen.Queries, last *gen.RevalidationReportListRow, limit int32) ([]gen.RevalidationReportListRow, error) {
			p := params
			if last != nil {
				p.AfterID = last.ModelID
			}
			p.PageLimit = limit
			return q.RevalidationReportList(ctx, p)
		},
	}
	return export.Run(ctx, s.pool, maxRows, src, func(r gen.RevalidationReportListRow) error { return each(fromRow(r)) })
}

// read runs fn in a read-only transaction with JIT compilation off (RevalidationWithoutJIT): the
// planner's estimate of the report is above jit_above_cost, and compiling it would cost more than
// running it (bench/results/revalidation-explain.md). Its statements are planned for the values
// they are sent with (pgtx.CustomPlans, docs/lists.md "Plans"): a status filter without NO_POLICY
// reaches the tiered models through models_risk_tier_idx only in the plan for its values.
func (s *Service) read(ctx context.Context, fn func(q *gen.Queries) error) error {
	return pgtx.WithTx(ctx, pgtx.DB{Pool: s.pool, Opts: pgx.TxOptions{AccessMode: pgx.ReadOnly}}, func(tx pgx.Tx) error {
		q := gen.New(pgtx.CustomPlans(tx))
		if err := q.RevalidationWithoutJIT(ctx); err != nil {
			return fmt.Errorf("turn JIT off: %w", err)
		}
		return fn(q)
	})
}

// visibleTo is the user whose models bound what actor sees: a USER's own id, nil for every other
// role (domain.Actor.SeesAll).
func visibleTo(actor domain.Actor) *int32 {
	if actor.SeesAll() {
		return nil
	}
	id := actor.UserID
	return &id
}

// days converts a day count the query computed in a CASE (scanned untyped: an int32, or nil).
func days(v any) *int32 {
	if n, ok := v.(int32); ok {
		return &n
	}
	return nil
}

func fromRow(r gen.RevalidationReportListRow) Schedule {
	return Schedule{
		ModelID: r.ModelID, ModelName: r.ModelName, Owner: domain.PersonRef{UserID: r.OwnerID, FullName: r.OwnerFullName},
		RiskTier: r.RiskTier, Status: r.Status,
		LastValidationRequestID: r.LastValidationRequestID, LastValidationDate: domain.DatePtr(r.LastValidationDate),
		SubmissionDue: domain.DatePtr(r.SubmissionDue), GracePeriodEnd: domain.DatePtr(r.GracePeriodEnd),
		ValidationDue:          domain.DatePtr(r.ValidationDue),
		DaysUntilSubmissionDue: days(r.DaysUntilSubmissionDue), DaysUntilValidationDue: days(r.DaysUntilValidationDue),
		ActiveRequestID: r.ActiveRequestID, SubmissionReceivedDate: domain.DatePtr(r.SubmissionReceivedDate),
	}
}
