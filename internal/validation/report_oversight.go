package validation

import (
	"math"

	"mrmflow/internal/domain"
)

// The MRM team's oversight reports (README, "Oversight reports"): pending assignments, the
// validators' workload and requests out of order with their versions' production dates. Each is
// one query of sql/reports.sql, taken on the day as_of (else today in UTC), read only by ADMIN and
// VALIDATOR: the MRM function staffs and oversees the work, owners and approvers have their own
// queues. Each answers a page in its order and, through export.Run, every row for its CSV.

// Severities of a pending assignment, by the days it has waited (ReportPendingAssignments).
const (
	SeverityCritical = "CRITICAL" // more than 7 days
	SeverityHigh     = "HIGH"     // more than 3 days
	SeverityMedium   = "MEDIUM"
)

var severities = []string{SeverityCritical, SeverityHigh, SeverityMedium}

// OversightModel is a model as the oversight reports name one.
type OversightModel struct {
	ModelID   int32  `json:"model_id"`
	ModelName string `json:"model_name"`
}

// mayOversee reports whether actor may read the oversight reports.
func mayOversee(actor domain.Actor) bool {
	return actor.IsMRM()
}

// oversightForbidden is the refusal of an oversight report to anyone else.
func oversightForbidden(report string) error {
	return domain.Forbidden("only ADMIN and VALIDATOR users may read the %s report", report)
}

// validKey reports whether key has n values, each an int4 id (1..MaxInt32) unless it is one of
// the positions listed in free (any non-negative int64 there).
func validKey(key []int64, n int, free ...int) bool {
	if len(key) != n {
		return false
	}
	for i, v := range key {
		isFree := false
		for _, f := range free {
			isFree = isFree || f == i
		}
		if isFree {
			continue
		}
		if v < 1 || v > math.MaxInt32 {
			return false
		}
	}
	return true
}
