package validation

import (
	"context"
	"fmt"
	"slices"
	"time"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/export"
	"mrmflow/internal/pgtx"
)

// PendingAssignment is one row of the pending-assignments report: an active request with no
// primary validator, and how long it has waited on the report's day.
type PendingAssignment struct {
	RequestID      int32            `json:"request_id"`
	Status         string           `json:"status"`
	Priority       string           `json:"priority"`
	ValidationType string           `json:"validation_type"`
	Models         []OversightModel `json:"models"`
	Requestor      domain.PersonRef `json:"requestor"`
	CreatedAt      time.Time        `json:"created_at"`
	// DaysPending is as_of minus the creation day (UTC), in whole days.
	DaysPending int32 `json:"days_pending"`
	// Severity is CRITICAL over 7 days pending, HIGH over 3, else MEDIUM.
	Severity string `json:"severity"`
}

// PendingAssignmentKeyParts is the number of values of a pending-assignments position: the
// creation time in microseconds since 1970 and the request id.
const PendingAssignmentKeyParts = 2

// PendingAssignmentFilter narrows the report; a nil field does not filter.
type PendingAssignmentFilter struct {
	AsOf     *domain.Date
	Severity *string
	Priority *string
}

func (f PendingAssignmentFilter) params(actor domain.Actor) (gen.ReportPendingAssignmentsParams, error) {
	if !mayOversee(actor) {
		return gen.ReportPendingAssignmentsParams{}, oversightForbidden("pending-assignments")
	}
	var c domain.Check
	if f.Severity != nil && !slices.Contains(severities, *f.Severity) {
		c.Add("severity", "must be one of %v", severities)
	}
	if f.Priority != nil && !slices.Contains(priorities, *f.Priority) {
		c.Add("priority", "must be one of %v", priorities)
	}
	if err := c.Err(); err != nil {
		return gen.ReportPendingAssignmentsParams{}, err
	}
	p := gen.ReportPendingAssignmentsParams{Severity: f.Severity, AsOf: f.AsOf.TimePtr()}
	if f.Priority != nil {
		pr := gen.ValidationPriority(*f.Priority)
		p.Priority = &pr
	}
	return p, nil
}

// PendingAssignments returns one page of the active requests with no primary validator, oldest
// first (created_at, request_id), and the position the next page starts after (nil on the last).
func (s *Service) PendingAssignments(ctx context.Context, actor domain.Actor, f PendingAssignmentFilter, page domain.KeyPage) ([]PendingAssignment, []int64, error) {
	params, err := f.params(actor)
	if err != nil {
		return nil, nil, err
	}
	if page.After != nil {
		if !validKey(page.After, PendingAssignmentKeyParts, 0) {
			return nil, nil, domain.BadCursor()
		}
		params.AfterCreatedAt, params.AfterRequestID = time.UnixMicro(page.After[0]), int32(page.After[1])
	}
	params.PageLimit = page.Limit + 1
	rows, err := gen.New(pgtx.CustomPlans(s.db.Pool)).ReportPendingAssignments(ctx, params)
	if err != nil {
		return nil, nil, fmt.Errorf("report pending assignments: %w", err)
	}
	rows, next := domain.PageOfKeys(rows, page.Limit, func(r gen.ReportPendingAssignmentsRow) []int64 {
		return []int64{r.CreatedAt.UnixMicro(), int64(r.RequestID)}
	})
	out := make([]PendingAssignment, len(rows))
	for i, r := range rows {
		out[i] = fromPendingAssignmentRow(r)
	}
	return out, next, nil
}

// ExportPendingAssignments sends every row of the report f matches to each, in its order, from
// one snapshot (export.Run): its CSV answer. Over maxRows rows it is export_too_large.
func (s *Service) ExportPendingAssignments(ctx context.Context, actor domain.Actor, f PendingAssignmentFilter, maxRows int64, each func(PendingAssignment) error) error {
	params, err := f.params(actor)
	if err != nil {
		return err
	}
	src := export.Source[gen.ReportPendingAssignmentsRow]{
		Count: func(ctx context.Context, q *gen.Queries) (int64, error) {
			return q.ReportPendingAssignmentsCount(ctx, gen.ReportPendingAssignmentsCountParams{
				Severity: params.Severity, Priority: params.Priority, AsOf: params.AsOf,
			})
		},
		Page: func(ctx context.Context, q *gen.Queries, last *gen.ReportPendingAssignmentsRow, limit int32) ([]gen.ReportPendingAssignmentsRow, error) {
			p := params
			if last != nil {
				p.AfterCreatedAt, p.AfterRequestID = last.CreatedAt, last.RequestID
			}
			p.PageLimit = limit
			return q.ReportPendingAssignments(ctx, p)
		},
	}
	return export.Run(ctx, s.db.Pool, maxRows, src, func(r gen.ReportPendingAssignmentsRow) error {
		return each(fromPendingAssignmentRow(r))
	})
}

func fromPendingAssignmentRow(r gen.ReportPendingAssignmentsRow) PendingAssignment {
	models := make([]OversightModel, len(r.ModelIds))
	for i, id := range r.ModelIds {
		models[i] = OversightModel{ModelID: id}
		if i < len(r.ModelNames) {
			models[i].ModelName = r.ModelNames[i]
		}
	}
	return PendingAssignment{
		RequestID: r.RequestID, Status: r.Status, Priority: string(r.Priority), ValidationType: r.ValidationType,
		Models:    models,
		Requestor: domain.PersonRef{UserID: r.RequestorID, FullName: r.RequestorFullName},
		CreatedAt: r.CreatedAt.UTC(), DaysPending: r.DaysPending, Severity: r.Severity,
	}
}
