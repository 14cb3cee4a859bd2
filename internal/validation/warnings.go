package validation

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// The codes of the target-date warnings (docs/rules.md, "Target-date warnings").
const (
	WarningLeadTime            = "LEAD_TIME"
	WarningRevalidationOverdue = "REVALIDATION_OVERDUE"
)

// Warning is one target-date warning: what a create or PATCH must acknowledge
// ("acknowledge_warnings": true) to go through. VersionID is nil for REVALIDATION_OVERDUE, a
// warning about the model. Details holds the dates and numbers it was judged by.
type Warning struct {
	Code      string         `json:"code"`
	ModelID   int32          `json:"model_id"`
	VersionID *int32         `json:"version_id"`
	Message   string         `json:"message"`
	Details   map[string]any `json:"details"`
}

// targetWarnings are the reads of the warnings of a target date: queued behind the locks of the
// admission (create) or the request's row lock (PATCH), so they judge the committed state.
type targetWarnings struct {
	leadTimes []gen.ValidationTargetLeadTimesRow
	overdue   []gen.ValidationTargetOverdueRow
}

// queueTargetWarnings queues the reads of the warnings of target: the versions versionIDs plus
// those request ofRequest covers (0: none) for LEAD_TIME, the models modelIDs plus those of
// ofRequest for REVALIDATION_OVERDUE. With no version and no request there is no version to
// warn about, and the LEAD_TIME read, whose answer would be empty, is not sent: a create that
// lists no version costs one statement less. The REVALIDATION_OVERDUE read is the statement where
// the pool keeps prepared plans, else the call of its plpgsql function (overdueRead).
func (s *Service) queueTargetWarnings(ctx context.Context, p *pgtx.Pipeline, target time.Time, modelIDs, versionIDs []int32, ofRequest int32) *targetWarnings {
	w := &targetWarnings{}
	if modelIDs == nil {
		modelIDs = []int32{}
	}
	if versionIDs == nil {
		versionIDs = []int32{}
	}
	if len(versionIDs) > 0 || ofRequest != 0 {
		pgtx.Many(p, &w.leadTimes, func(q *gen.Queries) ([]gen.ValidationTargetLeadTimesRow, error) {
			return q.ValidationTargetLeadTimes(ctx, gen.ValidationTargetLeadTimesParams{TargetDate: target, VersionIds: versionIDs, VersionsOf: ofRequest})
		}, pgtx.Wrap("read lead times"))
	}
	pgtx.Many(p, &w.overdue, func(q *gen.Queries) ([]gen.ValidationTargetOverdueRow, error) {
		return s.overdueRead(ctx, q, gen.ValidationTargetOverdueParams{TargetDate: target, ModelIds: modelIDs, ModelsOf: ofRequest})
	}, pgtx.Wrap("read revalidation due dates"))
	return w
}

// overdueRead reads the REVALIDATION_OVERDUE warnings as the pool's statement mode runs them
// cheapest: the statement itself where the connection keeps its prepared (generic) plan, else
// the call of validation_target_overdue, whose plan plpgsql keeps per server connection where
// the statement would be planned at every execution, about 1 ms for the view's laterals
// (docs/traps.md). The call through plpgsql costs a prepared create about 0.05 ms more than the
// statement (bench/results/create-profile.md). Both read the same rows
// (TestOverdueReadsAgreeInEveryForm).
func (s *Service) overdueRead(ctx context.Context, q *gen.Queries, arg gen.ValidationTargetOverdueParams) ([]gen.ValidationTargetOverdueRow, error) {
	if s.db.KeepsPlans {
		return q.ValidationTargetOverdue(ctx, arg)
	}
	// Queued on a pipeline (pgtx.Many), the call only records its statement and the rows are
	// scanned by position into dst when the pipeline is sent; the conversion serves the type, and
	// a direct caller.
	rows, err := q.ValidationTargetOverdueCall(ctx, gen.ValidationTargetOverdueCallParams(arg))
	out := make([]gen.ValidationTargetOverdueRow, len(rows))
	for i, r := range rows {
		out[i] = gen.ValidationTargetOverdueRow(r)
	}
	return out, err
}

// list returns the warnings the reads found, for target: by model, LEAD_TIME (by version) before
// REVALIDATION_OVERDUE. Never nil, so an answer shows [] rather than null.
func (w *targetWarnings) list(target time.Time) []Warning {
	out := make([]Warning, 0, len(w.leadTimes)+len(w.overdue))
	t := domain.NewDate(target)
	for _, r := range w.leadTimes {
		version := r.VersionID
		out = append(out, Warning{
			Code: WarningLeadTime, ModelID: r.ModelID, VersionID: &version,
			Message: fmt.Sprintf("version %d of model %d goes into production on %s, %d days after the target completion date %s: %s asks for at least %d days",
				r.VersionID, r.ModelID, r.ProductionDate.Format(domain.DateLayout), r.DaysBeforeProduction, t.Format(domain.DateLayout), r.RiskTier, r.LeadTimeDays),
			Details: map[string]any{
				"target_completion_date": t, "production_date": domain.NewDate(r.ProductionDate), "risk_tier": r.RiskTier,
				"lead_time_days": r.LeadTimeDays, "days_before_production": r.DaysBeforeProduction,
			},
		})
	}
	for _, r := range w.overdue {
		out = append(out, Warning{
			Code: WarningRevalidationOverdue, ModelID: r.ModelID,
			Message: fmt.Sprintf("model %d is due for validation by %s; the target completion date %s is %d days later",
				r.ModelID, r.ValidationDue.Format(domain.DateLayout), t.Format(domain.DateLayout), r.DaysAfterValidationDue),
			Details: map[string]any{
				"target_completion_date": t, "validation_due": domain.NewDate(r.ValidationDue), "risk_tier": r.RiskTier,
				"days_after_validation_due": r.DaysAfterValidationDue,
			},
		})
	}
	sortWarnings(out)
	return out
}

// sortWarnings orders warnings by model, then code (LEAD_TIME before REVALIDATION_OVERDUE), then
// version: stable for clients and tests.
func sortWarnings(ws []Warning) {
	key := func(w Warning) (int32, string, int32) {
		var v int32
		if w.VersionID != nil {
			v = *w.VersionID
		}
		return w.ModelID, w.Code, v
	}
	slices.SortFunc(ws, func(a, b Warning) int {
		am, ac, av := key(a)
		bm, bc, bv := key(b)
		return cmp.Or(cmp.Compare(am, bm), cmp.Compare(ac, bc), cmp.Compare(av, bv))
	})
}

// warningsError is the refusal of warnings not acknowledged (409 warnings_not_acknowledged, with
// the warnings), nil when there is none or they were acknowledged.
func warningsError(ws []Warning, acknowledged bool) error {
	if len(ws) == 0 || acknowledged {
		return nil
	}
	e := domain.Errorf(domain.CodeWarningsNotAcknowledged,
		"the target completion date has %d warning(s) (first: %s); send \"acknowledge_warnings\": true to proceed", len(ws), ws[0].Message)
	e.Extra = map[string]any{"warnings": ws}
	return e
}

// recordAcknowledged adds the warnings a write went through with to its audit row's changes.
func recordAcknowledged(changes map[string]any, ws []Warning) {
	if len(ws) > 0 {
		changes["acknowledged_warnings"] = ws
	}
}
