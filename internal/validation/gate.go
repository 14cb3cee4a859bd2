package validation

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"mrmflow/gen"
	"mrmflow/internal/domain"
)

// Gate codes: the workflow conditions a status change may lack. A refused change answers
// gate_not_met with every unmet code under "unmet"; clients branch on them, so they never change
// meaning once released.
const (
	// GateNoPrimaryValidator: PLANNING, IN_PROGRESS, REVIEW and PENDING_APPROVAL need a primary
	// validator.
	GateNoPrimaryValidator = "no_primary_validator"
	// GateReviewRequired: with a reviewer assigned, IN_PROGRESS goes to PENDING_APPROVAL through
	// REVIEW only.
	GateReviewRequired = "review_required"
	// GateNoOutcome: PENDING_APPROVAL needs the validation's outcome.
	GateNoOutcome = "no_outcome"
	// GateNoReviewerSignOff: with a reviewer assigned, PENDING_APPROVAL needs their sign-off.
	GateNoReviewerSignOff = "no_reviewer_sign_off"
	// GateUseSendBack: REVISION is entered only through an approver's send-back, never by hand.
	GateUseSendBack = "use_send_back"
	// GateUseApprovals: APPROVED is entered only through the last required approval, never by
	// hand.
	GateUseApprovals = "use_approvals"
)

// MinHoldReason is the shortest reason accepted for putting a request ON_HOLD or CANCELLED: the
// team must be able to tell later why the work stopped.
const MinHoldReason = 10

// needsPrimary lists the statuses a request may only be in with a primary validator.
var needsPrimary = []string{StatusPlanning, StatusInProgress, StatusReview, StatusPendingApproval}

// gateError is the 409 gate_not_met refusing a move of request requestID to status, listing the
// unmet gate codes.
func gateError(requestID int32, status string, unmet []string) *domain.Error {
	e := domain.Errorf(domain.CodeGateNotMet, "validation request %d cannot move to %s yet: %v", requestID, status, unmet)
	e.Extra = map[string]any{"unmet": unmet}
	return e
}

// checkReason checks, before any database work, the reason a status change must give: ON_HOLD and
// CANCELLED need one of at least MinHoldReason characters.
func checkReason(status, reason string) error {
	if (status == StatusOnHold || status == StatusCancelled) && utf8.RuneCountInString(reason) < MinHoldReason {
		return domain.Invalid("reason", fmt.Sprintf("is required to put a request %s, at least %d characters", status, MinHoldReason))
	}
	return nil
}

// checkGates judges a move of request requestID from status from to status to, allowed by the
// transition map, against the request's state read under its row lock. byHand is true for
// /status and false for a resume from hold, which returns the request where it was (so REVISION
// is allowed there). It returns forbidden or invalid_request for the ADMIN-only step back from
// PENDING_APPROVAL, else gate_not_met listing every unmet gate, else nil.
func checkGates(actor domain.Actor, requestID int32, from, to, reason string, st gen.ValidationRequestGateStateRow, byHand bool) error {
	if from == StatusPendingApproval && to == StatusInProgress {
		if !actor.IsAdmin() {
			return domain.Forbidden("only an ADMIN may send a request from PENDING_APPROVAL back to IN_PROGRESS")
		}
		if reason == "" {
			return domain.Invalid("reason", "is required to send a request from PENDING_APPROVAL back to IN_PROGRESS")
		}
	}
	var unmet []string
	switch {
	case to == StatusApproved:
		unmet = append(unmet, GateUseApprovals)
	case to == StatusRevision && byHand:
		unmet = append(unmet, GateUseSendBack)
	}
	if slices.Contains(needsPrimary, to) && !st.HasPrimary {
		unmet = append(unmet, GateNoPrimaryValidator)
	}
	if to == StatusPendingApproval {
		if from == StatusInProgress && st.HasReviewer {
			unmet = append(unmet, GateReviewRequired)
		}
		if !st.HasOutcome {
			unmet = append(unmet, GateNoOutcome)
		}
		if st.HasReviewer && !st.ReviewerSignedOff {
			unmet = append(unmet, GateNoReviewerSignOff)
		}
	}
	if len(unmet) > 0 {
		return gateError(requestID, to, unmet)
	}
	return nil
}
