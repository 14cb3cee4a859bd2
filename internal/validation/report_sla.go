package validation

import (
	"context"
	"fmt"
	"slices"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/export"
)

// The phases of a request the workflow SLA measures (docs/sla.md), in their report order.
const (
	PhaseAssignment = "ASSIGNMENT"
	PhaseBeginWork  = "BEGIN_WORK"
	PhaseCompletion = "COMPLETION"
	PhaseApproval   = "APPROVAL"
)

var slaPhases = []string{PhaseAssignment, PhaseBeginWork, PhaseCompletion, PhaseApproval}

// SLAViolation is one row of the SLA violations report: a phase of an active request that took
// longer than the workflow SLA allows, hold days excluded (docs/sla.md).
type SLAViolation struct {
	RequestID int32       `json:"request_id"`
	Phase     string      `json:"phase"`
	StartedOn domain.Date `json:"started_on"`
	// EndedOn is the day the phase ended, nil while it is open (measured to as_of).
	EndedOn *domain.Date `json:"ended_on"`
	// DaysElapsed is the phase's end (or as_of) minus its start, in whole days; HoldDays the days
	// the request was ON_HOLD inside the phase; DaysOver = DaysElapsed - HoldDays - AllowedDays.
	DaysElapsed int32 `json:"days_elapsed"`
	HoldDays    int32 `json:"hold_days"`
	AllowedDays int32 `json:"allowed_days"`
	DaysOver    int32 `json:"days_over"`
	// Severity is CRITICAL over 30 days over, HIGH over 14, else MEDIUM.
	Severity string `json:"severity"`
}

// SLAViolationKeyParts is the number of values of an SLA violations position: the request id
// and the phase's place in the order (1..4).
const SLAViolationKeyParts = 2

// SLAViolationFilter narrows the report; a nil field does not filter.
type SLAViolationFilter struct {
	AsOf     *domain.Date
	Phase    *string
	Severity *string
}

func (f SLAViolationFilter) params(actor domain.Actor) (gen.ReportSLAViolationsParams, error) {
	if !mayOversee(actor) {
		return gen.ReportSLAViolationsParams{}, oversightForbidden("sla-violations")
	}
	var c domain.Check
	if f.Phase != nil && !slices.Contains(slaPhases, *f.Phase) {
		c.Add("phase", "must be one of %v", slaPhases)
	}
	if f.Severity != nil && !slices.Contains(severities, *f.Severity) {
		c.Add("severity", "must be one of %v", severities)
	}
	if err := c.Err(); err != nil {
		return gen.ReportSLAViolationsParams{}, err
	}
	return gen.ReportSLAViolationsParams{Phase: f.Phase, Severity: f.Severity, AsOf: f.AsOf.TimePtr()}, nil
}

// SLAViolations returns one page of the report in (request_id, phase order) order and the
// position the next page starts after (nil on the last).
func (s *Service) SLAViolations(ctx context.Context, actor domain.Actor, f SLAViolationFilter, page domain.KeyPage) ([]SLAViolation, []int64, error) {
	params, err := f.params(actor)
	if err != nil {
		return nil, nil, err
	}
	if page.After != nil {
		if !validKey(page.After, SLAViolationKeyParts) || page.After[1] > int64(len(slaPhases)) {
			return nil, nil, domain.BadCursor()
		}
		params.AfterRequestID, params.AfterPhaseOrder = int32(page.After[0]), int32(page.After[1])
	}
	params.PageLimit = page.Limit + 1
	rows, err := gen.New(s.db.Pool).ReportSLAViolations(ctx, params)
	if err != nil {
		return nil, nil, fmt.Errorf("report sla violations: %w", err)
	}
	rows, next := domain.PageOfKeys(rows, page.Limit, func(r gen.ReportSLAViolationsRow) []int64 {
		return []int64{int64(r.RequestID), int64(r.PhaseOrder)}
	})
	out := make([]SLAViolation, len(rows))
	for i, r := range rows {
		out[i] = fromSLAViolationRow(r)
	}
	return out, next, nil
}

// ExportSLAViolations sends every row of the report f matches to each, in its order, from one
// snapshot (export.Run): its CSV answer. Over maxRows rows it is export_too_large.
func (s *Service) ExportSLAViolations(ctx context.Context, actor domain.Actor, f SLAViolationFilter, maxRows int64, each func(SLAViolation) error) error {
	params, err := f.params(actor)
	if err != nil {
		return err
	}
	src := export.Source[gen.ReportSLAViolationsRow]{
		Count: func(ctx context.Context, q *gen.Queries) (int64, error) {
			return q.ReportSLAViolationsCount(ctx, gen.ReportSLAViolationsCountParams{
				Phase: params.Phase, Severity: params.Severity, AsOf: params.AsOf,
			})
		},
		Page: func(ctx context.Context, q *gen.Queries, last *gen.ReportSLAViolationsRow, limit int32) ([]gen.ReportSLAViolationsRow, error) {
			p := params
			if last != nil {
				p.AfterRequestID, p.AfterPhaseOrder = last.RequestID, last.PhaseOrder
			}
			p.PageLimit = limit
			return q.ReportSLAViolations(ctx, p)
		},
	}
	return export.Run(ctx, s.db.Pool, maxRows, src, func(r gen.ReportSLAViolationsRow) error {
		return each(fromSLAViolationRow(r))
	})
}

func fromSLAViolationRow(r gen.ReportSLAViolationsRow) SLAViolation {
	v := SLAViolation{
		RequestID: r.RequestID, Phase: r.Phase, StartedOn: domain.NewDate(r.StartedOn),
		DaysElapsed: r.DaysElapsed, HoldDays: r.HoldDays, AllowedDays: r.AllowedDays, DaysOver: r.DaysOver,
		Severity: r.Severity,
	}
	if r.HasEnded {
		d := domain.NewDate(r.MeasuredTo)
		v.EndedOn = &d
	}
	return v
}
