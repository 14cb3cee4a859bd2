package validation

import (
	"context"
	"fmt"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/export"
	"mrmflow/internal/pgtx"
)

// OutOfOrder is one row of the out-of-order report: an active request whose target date is after
// the production date (actual, else planned) of a version it covers — the rule
// target_after_implementation (docs/rules.md, "Implementation date") broken by dates that moved
// after the request was made, or by data from before the rule.
type OutOfOrder struct {
	RequestID            int32       `json:"request_id"`
	ModelID              int32       `json:"model_id"`
	VersionID            int32       `json:"version_id"`
	VersionNumber        string      `json:"version_number"`
	ProductionDate       domain.Date `json:"production_date"`
	TargetCompletionDate domain.Date `json:"target_completion_date"`
	// DaysGap is the target date minus the production date, in whole days (always > 0).
	DaysGap int32 `json:"days_gap"`
}

// OutOfOrderKeyParts is the number of values of an out-of-order position: request and version.
const OutOfOrderKeyParts = 2

// OutOfOrderFilter is the day of the report (nil: today in UTC). No count of this report depends
// on it (both dates are the data's); it names the CSV answer, as on every report.
type OutOfOrderFilter struct {
	AsOf *domain.Date
}

func (OutOfOrderFilter) check(actor domain.Actor) error {
	if !mayOversee(actor) {
		return oversightForbidden("out-of-order")
	}
	return nil
}

// OutOfOrder returns one page of the report in (request_id, version_id) order and the position
// the next page starts after (nil on the last).
func (s *Service) OutOfOrder(ctx context.Context, actor domain.Actor, f OutOfOrderFilter, page domain.KeyPage) ([]OutOfOrder, []int64, error) {
	if err := f.check(actor); err != nil {
		return nil, nil, err
	}
	params := gen.ReportOutOfOrderParams{PageLimit: page.Limit + 1}
	if page.After != nil {
		if !validKey(page.After, OutOfOrderKeyParts) {
			return nil, nil, domain.BadCursor()
		}
		params.AfterRequestID, params.AfterVersionID = int32(page.After[0]), int32(page.After[1])
	}
	rows, err := gen.New(pgtx.CustomPlans(s.db.Pool)).ReportOutOfOrder(ctx, params)
	if err != nil {
		return nil, nil, fmt.Errorf("report out of order: %w", err)
	}
	rows, next := domain.PageOfKeys(rows, page.Limit, func(r gen.ReportOutOfOrderRow) []int64 {
		return []int64{int64(r.RequestID), int64(r.VersionID)}
	})
	out := make([]OutOfOrder, len(rows))
	for i, r := range rows {
		out[i] = fromOutOfOrderRow(r)
	}
	return out, next, nil
}

// ExportOutOfOrder sends every row of the report to each, in its order, from one snapshot
// (export.Run): its CSV answer. Over maxRows rows it is export_too_large.
func (s *Service) ExportOutOfOrder(ctx context.Context, actor domain.Actor, f OutOfOrderFilter, maxRows int64, each func(OutOfOrder) error) error {
	if err := f.check(actor); err != nil {
		return err
	}
	src := export.Source[gen.ReportOutOfOrderRow]{
		Count: func(ctx context.Context, q *gen.Queries) (int64, error) { return q.ReportOutOfOrderCount(ctx) },
		Page: func(ctx context.Context, q *gen.Queries, last *gen.ReportOutOfOrderRow, limit int32) ([]gen.ReportOutOfOrderRow, error) {
			p := gen.ReportOutOfOrderParams{PageLimit: limit}
			if last != nil {
				p.AfterRequestID, p.AfterVersionID = last.RequestID, last.VersionID
			}
			return q.ReportOutOfOrder(ctx, p)
		},
	}
	return export.Run(ctx, s.db.Pool, maxRows, src, func(r gen.ReportOutOfOrderRow) error { return each(fromOutOfOrderRow(r)) })
}

func fromOutOfOrderRow(r gen.ReportOutOfOrderRow) OutOfOrder {
	return OutOfOrder{
		RequestID: r.RequestID, ModelID: r.ModelID, VersionID: r.VersionID, VersionNumber: r.VersionNumber,
		ProductionDate: domain.NewDate(r.ProductionDate), TargetCompletionDate: domain.NewDate(r.TargetCompletionDate),
		DaysGap: r.DaysGap,
	}
}
