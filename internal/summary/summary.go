// Package summary answers GET /me/summary: what waits for the caller, counted by one statement
// (SummaryForUser, sql/summary.sql).
package summary

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// Summary is what waits for one user at a day: its counts, over active requests and open tasks.
// A count the user's role cannot have is 0.
type Summary struct {
	// ApprovalsToDecide: pending approvals the user may decide now (approvers and ADMIN).
	ApprovalsToDecide int64 `json:"approvals_to_decide"`
	// TasksOverdue, TasksDueThisWeek: the user's open deployment tasks (assigned to them or of a
	// model they actively delegate for) planned before as_of, or from as_of to as_of + 7 days.
	TasksOverdue     int64 `json:"tasks_overdue"`
	TasksDueThisWeek int64 `json:"tasks_due_this_week"`
	// ReadyToDeploy: rows of GET /deployments/ready of the models the user owns or delegates for.
	ReadyToDeploy int64 `json:"ready_to_deploy"`
	// RequestsAsPrimary: active requests the user is primary validator of.
	RequestsAsPrimary int64 `json:"requests_as_primary"`
	// ReviewsWaiting: REVIEW requests the user reviews and has not signed off.
	ReviewsWaiting int64 `json:"reviews_waiting"`
	// UnassignedRequests: active requests without a primary validator (VALIDATOR, ADMIN).
	UnassignedRequests int64 `json:"unassigned_requests"`
	// OverdueRequests: active requests past their target date — every one for ADMIN, those
	// assigned to them for a VALIDATOR, those of their models for a USER.
	OverdueRequests int64 `json:"overdue_requests"`
}

// Service reads summaries.
type Service struct {
	pool *pgxpool.Pool
}

// NewService returns a Service on pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// For returns actor's summary at asOf (nil: today in UTC). Any role may ask for its own.
func (s *Service) For(ctx context.Context, actor domain.Actor, asOf *domain.Date) (Summary, error) {
	p := gen.SummaryForUserParams{Role: gen.UserRole(actor.Role), UserID: actor.UserID, AsOf: asOf.TimePtr()}
	r, err := gen.New(pgtx.CustomPlans(s.pool)).SummaryForUser(ctx, p)
	if err != nil {
		return Summary{}, fmt.Errorf("read summary: %w", err)
	}
	return Summary{
		ApprovalsToDecide: r.ApprovalsToDecide, TasksOverdue: r.TasksOverdue, TasksDueThisWeek: r.TasksDueThisWeek,
		ReadyToDeploy: r.ReadyToDeploy, RequestsAsPrimary: r.RequestsAsPrimary, ReviewsWaiting: r.ReviewsWaiting,
		UnassignedRequests: r.UnassignedRequests, OverdueRequests: r.OverdueRequests,
	}, nil
}
