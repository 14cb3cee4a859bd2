package validation

import (
	"context"
	"fmt"
	"math"
	"slices"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// Kinds of rule exception: existing data that breaks a rule the service now enforces on every
// change, left as it was by the upgrade (README, "Upgrading: data the new rules refuse").
const (
	// KindModelsChangedOutsidePlanning is a model added to a request while it was neither INTAKE
	// nor PLANNING, and still linked to it.
	KindModelsChangedOutsidePlanning = "MODELS_CHANGED_OUTSIDE_PLANNING"
	// KindRegionOutsideModelScope is a region of an active request in which one of its models
	// does not run.
	KindRegionOutsideModelScope = "REGION_OUTSIDE_MODEL_SCOPE"
)

// ruleExceptionKinds is every kind, in the report's order (kind_order 1, 2 in ReportRuleExceptions).
var ruleExceptionKinds = []string{KindModelsChangedOutsidePlanning, KindRegionOutsideModelScope}

// RuleException is one row of the rule-exceptions report.
type RuleException struct {
	Kind          string `json:"kind"`
	RequestID     int32  `json:"request_id"`
	RequestStatus string `json:"request_status"`
	ModelID       int32  `json:"model_id"`
	// RegionID is the region outside the model's regions; nil for a model change.
	RegionID *int32 `json:"region_id"`
	// DetectedFrom is the audit row that recorded the model change; nil for a region.
	DetectedFrom *int64 `json:"detected_from"`
	Detail       string `json:"detail"`
}

// RuleExceptionKeyParts is the number of values of a rule-exceptions position (a
// domain.KeyPage's After): in the report's order, request_id, kind order, model_id, region_id
// or 0.
const RuleExceptionKeyParts = 4

// RuleExceptionFilter narrows the report; a nil Kind does not filter.
type RuleExceptionFilter struct {
	Kind *string
}

// RuleExceptions reports the existing data that breaks the rules on model changes (only in
// INTAKE and PLANNING) and on region scope (every region of a request is one each of its models
// runs in), computed live by one query (ReportRuleExceptions) and never changed by it. Only ADMIN
// and VALIDATOR may read it: the MRM function reviews these requests. It returns the page and the
// position the next page starts after (nil on the last page).
func (s *Service) RuleExceptions(ctx context.Context, actor domain.Actor, f RuleExceptionFilter, page domain.KeyPage) ([]RuleException, []int64, error) {
	if !mayOversee(actor) {
		return nil, nil, oversightForbidden("rule-exceptions")
	}
	var c domain.Check
	if f.Kind != nil && !slices.Contains(ruleExceptionKinds, *f.Kind) {
		c.Add("kind", "must be one of %v", ruleExceptionKinds)
	}
	after := [RuleExceptionKeyParts]int64{}
	if page.After != nil {
		if !validRuleExceptionKey(page.After) {
			c.Add("cursor", domain.NotACursor)
		} else {
			copy(after[:], page.After)
		}
	}
	if err := c.Err(); err != nil {
		return nil, nil, err
	}
	rows, err := gen.New(pgtx.CustomPlans(s.db.Pool)).ReportRuleExceptions(ctx, gen.ReportRuleExceptionsParams{
		Kind:           f.Kind,
		AfterRequestID: int32(after[0]), AfterKindOrder: int32(after[1]),
		AfterModelID: int32(after[2]), AfterRegionID: int32(after[3]),
		PageLimit: page.Limit + 1,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("report rule exceptions: %w", err)
	}
	rows, next := domain.PageOfKeys(rows, page.Limit, func(r gen.ReportRuleExceptionsRow) []int64 {
		key := []int64{int64(r.RequestID), int64(r.KindOrder), int64(r.ModelID), 0}
		if r.RegionID != nil {
			key[3] = int64(*r.RegionID)
		}
		return key
	})
	out := make([]RuleException, len(rows))
	for i, r := range rows {
		out[i] = RuleException{
			Kind: r.Kind, RequestID: r.RequestID, RequestStatus: r.RequestStatus, ModelID: r.ModelID,
			RegionID: r.RegionID, DetectedFrom: r.DetectedFrom, Detail: ruleExceptionDetail(r),
		}
	}
	return out, next, nil
}

// validRuleExceptionKey reports whether key is a position the report could have returned: a
// request id, a kind order, a model id and a region id (0: none), each in its column's range.
func validRuleExceptionKey(key []int64) bool {
	if len(key) != RuleExceptionKeyParts {
		return false
	}
	return key[0] >= 1 && key[0] <= math.MaxInt32 &&
		key[1] >= 1 && key[1] <= int64(len(ruleExceptionKinds)) &&
		key[2] >= 1 && key[2] <= math.MaxInt32 &&
		key[3] >= 0 && key[3] <= math.MaxInt32
}

// ruleExceptionDetail says in a sentence what is wrong with a row and which rule it breaks.
func ruleExceptionDetail(r gen.ReportRuleExceptionsRow) string {
	switch r.Kind {
	case KindModelsChangedOutsidePlanning:
		then := ""
		if r.StatusThen != nil {
			then = *r.StatusThen
		}
		audit := int64(0)
		if r.DetectedFrom != nil {
			audit = *r.DetectedFrom
		}
		return fmt.Sprintf("model %d (%s) was added to request %d while it was %s (audit row %d); models may only change in INTAKE or PLANNING, and the request is now %s",
			r.ModelID, r.ModelName, r.RequestID, then, audit, r.RequestStatus)
	default:
		region := "?"
		if r.RegionCode != nil {
			region = *r.RegionCode
		}
		regionID := int32(0)
		if r.RegionID != nil {
			regionID = *r.RegionID
		}
		return fmt.Sprintf("request %d (%s) covers region %d (%s), where its model %d (%s) does not run; every region of a request must be one each of its models runs in",
			r.RequestID, r.RequestStatus, regionID, region, r.ModelID, r.ModelName)
	}
}
