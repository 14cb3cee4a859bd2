package validation

import (
	"context"
	"fmt"
	"slices"
	"time"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
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

// approvalRow is the columns every approval read returns; sqlc names one struct per query, and
// they convert to this one.
type approvalRow = gen.ValidationApprovalsForRequestRow

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

// ApprovalFilter narrows GET /approvals; nil fields do not filter. Mine keeps the approvals the
// caller may decide now.
type ApprovalFilter struct {
	Status       *string
	RequestID    *int32
	ApprovalType *string
	Mine         bool
}

// RequestApprovals returns every approval of one request, oldest first. Whoever may read the
// request may read its approvals.
func (s *Service) RequestApprovals(ctx context.Context, actor domain.Actor, requestID int32) ([]Approval, error) {
	var visible bool
	var rows []gen.ValidationApprovalsForRequestRow
	p := &pgtx.Pipeline{}
	queueVisible(ctx, p, actor, requestID, &visible)
	pgtx.Many(p, &rows, func(q *gen.Queries) ([]gen.ValidationApprovalsForRequestRow, error) {
		return q.ValidationApprovalsForRequest(ctx, requestID)
	}, pgtx.Wrap("list request approvals"))
	if err := p.Send(ctx, s.pool); err != nil {
		return nil, err
	}
	if !visible {
		return nil, domain.NotFound("validation request %d does not exist", requestID)
	}
	out := make([]Approval, len(rows))
	for i, r := range rows {
		out[i] = approvalOf(r)
	}
	return out, nil
}

// ListApprovals returns approvals in id order. A USER sees only the approvals of requests of
// models they own or delegate for; with Mine, anyone sees only the approvals they may decide now
// (an approver's queue).
func (s *Service) ListApprovals(ctx context.Context, actor domain.Actor, f ApprovalFilter, page domain.Page) ([]Approval, *int64, error) {
	var c domain.Check
	if f.Status != nil && !slices.Contains(approvalStatuses, *f.Status) {
		c.Add("status", "must be one of %v", approvalStatuses)
	}
	if f.ApprovalType != nil && !slices.Contains(approvalTypes, *f.ApprovalType) {
		c.Add("approval_type", "must be one of %v", approvalTypes)
	}
	if err := c.Err(); err != nil {
		return nil, nil, err
	}
	var visibleTo *int32
	if !actor.SeesAll() {
		visibleTo = &actor.UserID
	}
	rows, err := gen.New(s.pool).ValidationApprovalsList(ctx, gen.ValidationApprovalsListParams{
		AfterID: int32(page.After), Status: f.Status, RequestID: f.RequestID, ApprovalType: f.ApprovalType,
		VisibleTo: visibleTo, Mine: f.Mine, Role: gen.UserRole(actor.Role), UserID: actor.UserID, LimitCount: page.Limit + 1,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list approvals: %w", err)
	}
	rows, next := domain.PageOf(rows, page.Limit, func(r gen.ValidationApprovalsListRow) int64 { return int64(r.ApprovalID) })
	out := make([]Approval, len(rows))
	for i, r := range rows {
		out[i] = approvalOf(approvalRow(r))
	}
	return out, next, nil
}
