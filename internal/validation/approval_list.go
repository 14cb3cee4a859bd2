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

// The sorts of the approvals lists: by id (the default), or oldest first.
const (
	ApprovalSortID        = "approval_id"
	ApprovalSortCreatedAt = "created_at"
)

var approvalSorts = []string{ApprovalSortID, ApprovalSortCreatedAt}

// ApprovalItem is one approval as every approvals list shows it (GET /approvals, the approver's
// queue, GET /validation-requests/{id}/approvals): the approval, its region's code (nil for a
// GLOBAL one), how many days it has been pending on the list's day (as_of minus its creation
// day, whole days) and what an approver needs to know of its request.
type ApprovalItem struct {
	ApprovalID   int32           `json:"approval_id"`
	RequestID    int32           `json:"request_id"`
	ApprovalType string          `json:"approval_type"`
	RegionID     *int32          `json:"region_id"`
	RegionCode   *string         `json:"region_code"`
	Status       string          `json:"status"`
	DecidedByID  *int32          `json:"decided_by_id"`
	DecidedAt    *time.Time      `json:"decided_at"`
	Comments     *string         `json:"comments"`
	CreatedAt    time.Time       `json:"created_at"`
	DaysPending  int32           `json:"days_pending"`
	Request      ApprovalRequest `json:"request"`
}

// ApprovalRequest is the request of an approval item.
type ApprovalRequest struct {
	RequestID            int32             `json:"request_id"`
	Status               string            `json:"status"`
	ValidationType       string            `json:"validation_type"`
	Priority             string            `json:"priority"`
	TargetCompletionDate domain.Date       `json:"target_completion_date"`
	Requestor            domain.PersonRef  `json:"requestor"`
	PrimaryValidator     *domain.PersonRef `json:"primary_validator"`
	Models               []ApprovalModel   `json:"models"`
}

// ApprovalModel is a model of an approval's request.
type ApprovalModel struct {
	ModelID   int32  `json:"model_id"`
	ModelName string `json:"model_name"`
}

// approvalItemRow is the columns of every approvals list query (ValidationApprovalsForRequest,
// ValidationApprovalsList, ValidationApprovalsQueue); sqlc names one struct per query, and they
// convert to this one.
type approvalItemRow = gen.ValidationApprovalsListRow

func approvalItemOf(r approvalItemRow) ApprovalItem {
	it := ApprovalItem{
		ApprovalID: r.ApprovalID, RequestID: r.RequestID, ApprovalType: r.ApprovalType, RegionID: r.RegionID,
		RegionCode: r.RegionCode, Status: r.Status, DecidedByID: r.DecidedByID, DecidedAt: domain.TimePtr(r.DecidedAt),
		Comments: r.Comments, CreatedAt: r.CreatedAt.UTC(), DaysPending: r.DaysPending,
		Request: ApprovalRequest{
			RequestID: r.RequestID, Status: r.RequestStatus, ValidationType: r.ValidationType,
			Priority: string(r.Priority), TargetCompletionDate: domain.NewDate(r.TargetCompletionDate),
			Requestor: domain.PersonRef{UserID: r.RequestorID, FullName: r.RequestorFullName},
			Models:    make([]ApprovalModel, len(r.ModelIds)),
		},
	}
	if r.PrimaryValidatorID != nil && r.PrimaryValidatorFullName != nil {
		it.Request.PrimaryValidator = &domain.PersonRef{UserID: *r.PrimaryValidatorID, FullName: *r.PrimaryValidatorFullName}
	}
	for i, id := range r.ModelIds {
		it.Request.Models[i] = ApprovalModel{ModelID: id}
		if i < len(r.ModelNames) {
			it.Request.Models[i].ModelName = r.ModelNames[i]
		}
	}
	return it
}

// ApprovalFilter narrows GET /approvals; nil fields do not filter. Mine keeps the approvals the
// caller may decide now (the approver's queue). Sort is ApprovalSortID (also when empty) or
// ApprovalSortCreatedAt; AsOf is the day days_pending is counted on (nil: today in UTC).
type ApprovalFilter struct {
	Status       *string
	RequestID    *int32
	ApprovalType *string
	Mine         bool
	Sort         string
	AsOf         *domain.Date
}

// approvalQuery is a checked ApprovalFilter: the parameters of the list's or the queue's query
// (their filters are the same; the position and limit are set per page).
type approvalQuery struct {
	mine      bool
	byCreated bool
	list      gen.ValidationApprovalsListParams
	queue     gen.ValidationApprovalsQueueParams
}

func (f ApprovalFilter) query(actor domain.Actor) (approvalQuery, error) {
	var c domain.Check
	if f.Status != nil && !slices.Contains(approvalStatuses, *f.Status) {
		c.Add("status", "must be one of %v", approvalStatuses)
	}
	if f.ApprovalType != nil && !slices.Contains(approvalTypes, *f.ApprovalType) {
		c.Add("approval_type", "must be one of %v", approvalTypes)
	}
	if f.Sort != "" && !slices.Contains(approvalSorts, f.Sort) {
		c.Add("sort", "must be one of %v", approvalSorts)
	}
	if err := c.Err(); err != nil {
		return approvalQuery{}, err
	}
	q := approvalQuery{mine: f.Mine, byCreated: f.Sort == ApprovalSortCreatedAt}
	asOf := f.AsOf.TimePtr()
	var visibleTo *int32
	if !actor.SeesAll() {
		visibleTo = &actor.UserID
	}
	q.list = gen.ValidationApprovalsListParams{
		AsOf: asOf, ByCreated: q.byCreated, VisibleTo: visibleTo,
		Status: f.Status, RequestID: f.RequestID, ApprovalType: f.ApprovalType,
	}
	// The queue needs no visibility filter: a USER decides nothing, so its queue is empty.
	q.queue = gen.ValidationApprovalsQueueParams{
		AsOf: asOf, ByCreated: q.byCreated, Role: gen.UserRole(actor.Role), UserID: actor.UserID,
		Status: f.Status, RequestID: f.RequestID, ApprovalType: f.ApprovalType,
	}
	return q, nil
}

// page reads up to limit rows after the approval afterID (0: from the first), in the list's order.
func (q approvalQuery) page(ctx context.Context, db *gen.Queries, afterID int32, limit int32) ([]approvalItemRow, error) {
	if q.mine {
		p := q.queue
		p.AfterID, p.PageLimit = afterID, limit
		rows, err := db.ValidationApprovalsQueue(ctx, p)
		out := make([]approvalItemRow, len(rows))
		for i, r := range rows {
			out[i] = approvalItemRow(r)
		}
		return out, err
	}
	p := q.list
	p.AfterID, p.PageLimit = afterID, limit
	return db.ValidationApprovalsList(ctx, p)
}

func (q approvalQuery) count(ctx context.Context, db *gen.Queries) (int64, error) {
	if q.mine {
		return db.ValidationApprovalsQueueCount(ctx, gen.ValidationApprovalsQueueCountParams{
			Role: q.queue.Role, UserID: q.queue.UserID, Status: q.queue.Status, RequestID: q.queue.RequestID, ApprovalType: q.queue.ApprovalType,
		})
	}
	return db.ValidationApprovalsCount(ctx, gen.ValidationApprovalsCountParams{
		VisibleTo: q.list.VisibleTo, Status: q.list.Status, RequestID: q.list.RequestID, ApprovalType: q.list.ApprovalType,
	})
}

// ListApprovals returns one page of approvals, sorted by f.Sort, and where the next page starts
// (nil on the last page). The position is an approval id whatever the sort: sorted by creation,
// the keyset is (created_at, approval_id), and the query reads the position's created_at back.
// A USER sees only the approvals of requests of models they own or delegate for; with Mine,
// anyone sees only the approvals they may decide now (an approver's queue).
func (s *Service) ListApprovals(ctx context.Context, actor domain.Actor, f ApprovalFilter, page domain.Page) ([]ApprovalItem, *int64, error) {
	q, err := f.query(actor)
	if err != nil {
		return nil, nil, err
	}
	rows, err := q.page(ctx, gen.New(pgtx.CustomPlans(s.db.Pool)), int32(page.After), page.Limit+1)
	if err != nil {
		return nil, nil, fmt.Errorf("list approvals: %w", err)
	}
	rows, next := domain.PageOf(rows, page.Limit, func(r approvalItemRow) int64 { return int64(r.ApprovalID) })
	out := make([]ApprovalItem, len(rows))
	for i, r := range rows {
		out[i] = approvalItemOf(r)
	}
	return out, next, nil
}

// ExportApprovals sends every approval of the list f selects to each, in the list's order, from
// one snapshot (export.Run): the CSV answer of GET /approvals. Over maxRows it is export_too_large.
func (s *Service) ExportApprovals(ctx context.Context, actor domain.Actor, f ApprovalFilter, maxRows int64, each func(ApprovalItem) error) error {
	q, err := f.query(actor)
	if err != nil {
		return err
	}
	src := export.Source[approvalItemRow]{
		Count: q.count,
		Page: func(ctx context.Context, db *gen.Queries, last *approvalItemRow, limit int32) ([]approvalItemRow, error) {
			var after int32
			if last != nil {
				after = last.ApprovalID
			}
			return q.page(ctx, db, after, limit)
		},
	}
	return export.Run(ctx, s.db.Pool, maxRows, src, func(r approvalItemRow) error { return each(approvalItemOf(r)) })
}

// RequestApprovals returns every approval of one request, oldest first, with days_pending counted
// on asOf (nil: today in UTC). Whoever may read the request may read its approvals.
func (s *Service) RequestApprovals(ctx context.Context, actor domain.Actor, requestID int32, asOf *domain.Date) ([]ApprovalItem, error) {
	var visible bool
	var rows []gen.ValidationApprovalsForRequestRow
	p := &pgtx.Pipeline{}
	queueVisible(ctx, p, actor, requestID, &visible)
	pgtx.Many(p, &rows, func(q *gen.Queries) ([]gen.ValidationApprovalsForRequestRow, error) {
		return q.ValidationApprovalsForRequest(ctx, gen.ValidationApprovalsForRequestParams{AsOf: asOf.TimePtr(), RequestID: requestID})
	}, pgtx.Wrap("list request approvals"))
	if err := p.Send(ctx, s.db.Pool); err != nil {
		return nil, err
	}
	if !visible {
		return nil, domain.NotFound("validation request %d does not exist", requestID)
	}
	out := make([]ApprovalItem, len(rows))
	for i, r := range rows {
		out[i] = approvalItemOf(approvalItemRow(r))
	}
	return out, nil
}
