package validation

import (
	"context"
	"fmt"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/export"
	"mrmflow/internal/pgtx"
)

// Workload is one row of the workload report: a validator and the active work it holds on the
// report's day. A validator is a VALIDATOR who is not disabled, or any user holding an assignment
// on an active request (an ADMIN assigned as a validator; a disabled validator whose work must be
// handed on), so the report shows every place the work sits.
type Workload struct {
	Validator domain.PersonRef `json:"validator"`
	// PrimaryActive and ReviewerActive count its assignments on active requests as primary and as
	// reviewer.
	PrimaryActive  int32 `json:"primary_active"`
	ReviewerActive int32 `json:"reviewer_active"`
	// ReviewsWaiting counts its reviewer assignments on requests in REVIEW it has not signed off.
	ReviewsWaiting int32 `json:"reviews_waiting"`
	// OverduePrimary counts its primary assignments on active requests whose target date is
	// before as_of.
	OverduePrimary int32 `json:"overdue_primary"`
}

// WorkloadFilter is the day the workload is taken on (nil: today in UTC).
type WorkloadFilter struct {
	AsOf *domain.Date
}

func (f WorkloadFilter) params(actor domain.Actor) (gen.ReportWorkloadParams, error) {
	if !mayOversee(actor) {
		return gen.ReportWorkloadParams{}, oversightForbidden("workload")
	}
	return gen.ReportWorkloadParams{AsOf: f.AsOf.TimePtr()}, nil
}

// Workload returns one page of the workload report in user_id order and the position the next
// page starts after (nil on the last).
func (s *Service) Workload(ctx context.Context, actor domain.Actor, f WorkloadFilter, page domain.Page) ([]Workload, *int64, error) {
	params, err := f.params(actor)
	if err != nil {
		return nil, nil, err
	}
	params.AfterID, params.PageLimit = int32(page.After), page.Limit+1
	rows, err := gen.New(pgtx.CustomPlans(s.db.Pool)).ReportWorkload(ctx, params)
	if err != nil {
		return nil, nil, fmt.Errorf("report workload: %w", err)
	}
	rows, next := domain.PageOf(rows, page.Limit, func(r gen.ReportWorkloadRow) int64 { return int64(r.UserID) })
	out := make([]Workload, len(rows))
	for i, r := range rows {
		out[i] = fromWorkloadRow(r)
	}
	return out, next, nil
}

// ExportWorkload sends every row of the workload report to each, in user_id order, from one
// snapshot (export.Run): its CSV answer. Over maxRows rows it is export_too_large.
func (s *Service) ExportWorkload(ctx context.Context, actor domain.Actor, f WorkloadFilter, maxRows int64, each func(Workload) error) error {
	params, err := f.params(actor)
	if err != nil {
		return err
	}
	src := export.Source[gen.ReportWorkloadRow]{
		Count: func(ctx context.Context, q *gen.Queries) (int64, error) { return q.ReportWorkloadCount(ctx) },
		Page: func(ctx context.Context, q *gen.Queries, last *gen.ReportWorkloadRow, limit int32) ([]gen.ReportWorkloadRow, error) {
			p := params
			if last != nil {
				p.AfterID = last.UserID
			}
			p.PageLimit = limit
			return q.ReportWorkload(ctx, p)
		},
	}
	return export.Run(ctx, s.db.Pool, maxRows, src, func(r gen.ReportWorkloadRow) error { return each(fromWorkloadRow(r)) })
}

func fromWorkloadRow(r gen.ReportWorkloadRow) Workload {
	return Workload{
		Validator:     domain.PersonRef{UserID: r.UserID, FullName: r.FullName},
		PrimaryActive: r.PrimaryActive, ReviewerActive: r.ReviewerActive,
		ReviewsWaiting: r.ReviewsWaiting, OverduePrimary: r.OverduePrimary,
	}
}
