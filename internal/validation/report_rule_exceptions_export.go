package validation

import (
	"context"
	"slices"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/export"
)

// ExportRuleExceptions sends every row of the rule-exceptions report f matches to each, in the
// report's order, from one snapshot (export.Run): its CSV answer. Over maxRows rows it is
// export_too_large. The same checks as RuleExceptions: ADMIN and VALIDATOR only, a known kind.
func (s *Service) ExportRuleExceptions(ctx context.Context, actor domain.Actor, f RuleExceptionFilter, maxRows int64, each func(RuleException) error) error {
	if !mayOversee(actor) {
		return oversightForbidden("rule-exceptions")
	}
	if f.Kind != nil && !slices.Contains(ruleExceptionKinds, *f.Kind) {
		var c domain.Check
		c.Add("kind", "must be one of %v", ruleExceptionKinds)
		return c.Err()
	}
	src := export.Source[gen.ReportRuleExceptionsRow]{
		Count: func(ctx context.Context, q *gen.Queries) (int64, error) {
			return q.ReportRuleExceptionsCount(ctx, f.Kind)
		},
		Page: func(ctx context.Context, q *gen.Queries, last *gen.ReportRuleExceptionsRow, limit int32) ([]gen.ReportRuleExceptionsRow, error) {
			p := gen.ReportRuleExceptionsParams{Kind: f.Kind, PageLimit: limit}
			if last != nil {
				p.AfterRequestID, p.AfterKindOrder, p.AfterModelID = last.RequestID, last.KindOrder, last.ModelID
				if last.RegionID != nil {
					p.AfterRegionID = *last.RegionID
				}
			}
			return q.ReportRuleExceptions(ctx, p)
		},
	}
	return export.Run(ctx, s.db.Pool, maxRows, src, func(r gen.ReportRuleExceptionsRow) error {
		return each(RuleException{
			Kind: r.Kind, RequestID: r.RequestID, RequestStatus: r.RequestStatus, ModelID: r.ModelID,
			RegionID: r.RegionID, DetectedFrom: r.DetectedFrom, Detail: ruleExceptionDetail(r),
		})
	})
}
