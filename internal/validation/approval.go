package validation

import (
	"time"

	"mrmflow/gen"
	"mrmflow/internal/domain"
)

// Approval types. A request entering PENDING_APPROVAL gets one GLOBAL approval and one REGIONAL
// approval per region of its approval scope that requires one: together they are the request's
// round, and the last of them approved approves the request. A DEPLOYMENT approval is created when
// a deployment lands in a region that requires approval outside the validation's regions; it is
// decided the same way but does not gate the request.
const (
	ApprovalGlobal     = "GLOBAL"
	ApprovalRegional   = "REGIONAL"
	ApprovalDeployment = "DEPLOYMENT"
)

// Approval statuses: PENDING until decided (APPROVED or SENT_BACK) or VOIDED when its request
// leaves PENDING_APPROVAL another way.
const (
	ApprovalPending  = "PENDING"
	ApprovalApproved = "APPROVED"
	ApprovalSentBack = "SENT_BACK"
	ApprovalVoided   = "VOIDED"
)

var (
	approvalTypes    = []string{ApprovalGlobal, ApprovalRegional, ApprovalDeployment}
	approvalStatuses = []string{ApprovalPending, ApprovalApproved, ApprovalSentBack, ApprovalVoided}
	decisions        = []string{ApprovalApproved, ApprovalSentBack}
)

// Approval is one approval of a validation request as the API shows it.
type Approval struct {
	ApprovalID   int32      `json:"approval_id"`
	RequestID    int32      `json:"request_id"`
	ApprovalType string     `json:"approval_type"`
	RegionID     *int32     `json:"region_id"`
	Status       string     `json:"status"`
	DecidedByID  *int32     `json:"decided_by_id"`
	DecidedAt    *time.Time `json:"decided_at"`
	Comments     *string    `json:"comments"`
	CreatedAt    time.Time  `json:"created_at"`
}

// approvalRow is the columns a decision returns (ValidationApprovalDecide).
type approvalRow = gen.ValidationApprovalDecideRow

func approvalOf(r approvalRow) Approval {
	return Approval{
		ApprovalID: r.ApprovalID, RequestID: r.RequestID, ApprovalType: r.ApprovalType, RegionID: r.RegionID,
		Status: r.Status, DecidedByID: r.DecidedByID, DecidedAt: domain.TimePtr(r.DecidedAt),
		Comments: r.Comments, CreatedAt: r.CreatedAt.UTC(),
	}
}

// isRound reports whether an approval of approvalType belongs to its request's round (and so
// gates the request's status).
func isRound(approvalType string) bool { return approvalType != ApprovalDeployment }
