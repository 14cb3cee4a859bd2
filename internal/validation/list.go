package validation

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"
	"unicode/utf8"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/export"
	"mrmflow/internal/pgtx"
)

// The sorts of the request list (docs/lists.md, "The validation request list"). Each is a keyset
// order ending in request_id, so pages neither skip nor repeat a request while others change.
const (
	// SortRequestID is the default: oldest request first.
	SortRequestID = "request_id"
	// SortDaysInStatus puts the requests longest in their current status first (the day they
	// entered it, ascending). With active=true it is the Aging view.
	SortDaysInStatus = "-days_in_status"
	// SortTargetDate puts the earliest target completion date first.
	SortTargetDate = "target_completion_date"
)

var listSorts = []string{SortRequestID, SortDaysInStatus, SortTargetDate}

// Assignment roles of the assigned_to filter: the validator is the request's primary, its
// reviewer, or assigned in any role (the default).
const (
	AssignmentRolePrimary  = "primary"
	AssignmentRoleReviewer = "reviewer"
	AssignmentRoleAny      = "any"
)

var assignmentRoles = []string{AssignmentRolePrimary, AssignmentRoleReviewer, AssignmentRoleAny}

// MinSearchLength is the shortest q (model name substring) of the list: one character matches
// nearly every model.
const MinSearchLength = 2

// Filter narrows the request list; a nil (or empty) field does not filter.
type Filter struct {
	// Statuses keeps requests in any of these statuses.
	Statuses       []string
	ValidationType *string
	Priority       *string
	RequestorID    *int32
	RegionID       *int32
	ModelID        *int32
	// Active true keeps requests not APPROVED or CANCELLED; false only those.
	Active *bool
	// Overdue true keeps the active requests whose target completion date is before AsOf; false
	// the others.
	Overdue *bool
	// AssignedTo keeps requests this validator is assigned to, in AssignmentRole (nil = any).
	AssignedTo     *int32
	AssignmentRole *string
	// Unassigned true keeps the active requests without a primary validator; false the others.
	Unassigned *bool
	// Q is a case-insensitive substring of the name of one of the request's models.
	Q *string
	// AsOf is the day the day counts are taken on (nil = today in UTC); it never changes which
	// requests exist, only their counts and who is overdue.
	AsOf *domain.Date
}

// ListPage asks for one page of the list: Sort (empty = SortRequestID), the position the
// previous page ended at (ListKeyParts(Sort) values from its cursor; nil = from the start) and
// at most Limit requests.
type ListPage struct {
	Sort  string
	After []int64
	Limit int32
}

// ListedRequest is a request as its list shows it: its fields, and what a queue needs to know of
// it at AsOf.
type ListedRequest struct {
	RequestFields
	PrimaryValidator *domain.PersonRef `json:"primary_validator"`
	Reviewer         *domain.PersonRef `json:"reviewer"`
	// DaysInStatus is AsOf minus the day the request entered its current status.
	DaysInStatus int32 `json:"days_in_status"`
	// IsOverdue: the request is active and its target completion date is before AsOf.
	IsOverdue bool `json:"is_overdue"`
	// DaysOverdue is AsOf minus the target completion date when overdue, else 0.
	DaysOverdue int32 `json:"days_overdue"`
}

// ListKeyParts is how many values a cursor of the list sorted by sort holds: the request id
// alone for SortRequestID (the cursor of the list before it could be sorted), else the sort's
// tag, its day as YYYYMMDD and the request id.
func ListKeyParts(sort string) int {
	if sort == SortDaysInStatus || sort == SortTargetDate {
		return 3
	}
	return 1
}

// sortTag is the first value of a date-sorted cursor, so that a cursor of one sort is refused by
// the other.
func sortTag(sort string) int64 {
	if sort == SortDaysInStatus {
		return 2
	}
	return 1
}

// sqlSort is the name ValidationRequestList knows the sort by.
var sqlSort = map[string]string{
	SortRequestID: "request_id", SortDaysInStatus: "days_in_status", SortTargetDate: "target_completion_date",
}

// List returns one page of requests in the page's sort, each with its models, regions, validators
// and day counts at f.AsOf, and the position the next page starts after (nil on the last). A USER
// lists only the requests of models they own or actively delegate for.
func (s *Service) List(ctx context.Context, actor domain.Actor, f Filter, page ListPage) ([]ListedRequest, []int64, error) {
	params, err := f.params(actor, &page)
	if err != nil {
		return nil, nil, err
	}
	params.PageLimit = page.Limit + 1
	q := gen.New(pgtx.CustomPlans(s.db.Pool))
	rows, err := q.ValidationRequestList(ctx, params)
	if err != nil {
		return nil, nil, fmt.Errorf("list validation requests: %w", err)
	}
	rows, next := domain.PageOfKeys(rows, page.Limit, func(r gen.ValidationRequestListRow) []int64 { return listKey(page.Sort, r) })
	// The page's models and regions travel together: one round trip for both reads.
	ids := requestIDsOf(rows)
	var links pageLinks
	p := &pgtx.Pipeline{}
	pgtx.Many(p, &links.models, func(q *gen.Queries) ([]gen.ValidationRequestModelsForRequestsRow, error) {
		return q.ValidationRequestModelsForRequests(ctx, ids)
	}, pgtx.Wrap("list request models"))
	pgtx.Many(p, &links.regions, func(q *gen.Queries) ([]gen.ValidationRequestRegion, error) {
		return q.ValidationRequestRegionsForRequests(ctx, ids)
	}, pgtx.Wrap("list request regions"))
	if err := p.Send(ctx, s.db.Pool); err != nil {
		return nil, nil, err
	}
	return listedFrom(rows, links), next, nil
}

// Export sends every request f matches to each, in the sort's order, from one snapshot
// (export.Run): the CSV answer of GET /validation-requests. Over maxRows requests it is
// export_too_large.
func (s *Service) Export(ctx context.Context, actor domain.Actor, f Filter, sort string, maxRows int64, each func(ListedRequest) error) error {
	page := ListPage{Sort: sort}
	params, err := f.params(actor, &page)
	if err != nil {
		return err
	}
	type chunkRow struct {
		item ListedRequest
		key  []int64
	}
	src := export.Source[chunkRow]{
		Count: func(ctx context.Context, q *gen.Queries) (int64, error) {
			return q.ValidationRequestCount(ctx, gen.ValidationRequestCountParams{
				AsOf: params.AsOf, VisibleTo: params.VisibleTo, Statuses: params.Statuses,
				ValidationType: params.ValidationType, Priority: params.Priority, RequestorID: params.RequestorID,
				RegionID: params.RegionID, ModelID: params.ModelID, Active: params.Active, Overdue: params.Overdue,
				AssignedTo: params.AssignedTo, AssignmentRole: params.AssignmentRole, Unassigned: params.Unassigned, Q: params.Q,
			})
		},
		Page: func(ctx context.Context, q *gen.Queries, last *chunkRow, limit int32) ([]chunkRow, error) {
			p := params
			if last != nil {
				p.AfterDate, p.AfterID = afterOf(page.Sort, last.key)
			}
			p.PageLimit = limit
			rows, err := q.ValidationRequestList(ctx, p)
			if err != nil {
				return nil, err
			}
			items, err := listed(ctx, q, rows)
			if err != nil {
				return nil, err
			}
			out := make([]chunkRow, len(rows))
			for i, r := range rows {
				out[i] = chunkRow{item: items[i], key: listKey(page.Sort, r)}
			}
			return out, nil
		},
	}
	return export.Run(ctx, s.db.Pool, maxRows, src, func(r chunkRow) error { return each(r.item) })
}

// params checks f and page (defaulting its sort) and returns the list query's parameters for
// actor, without a limit.
func (f Filter) params(actor domain.Actor, page *ListPage) (gen.ValidationRequestListParams, error) {
	if page.Sort == "" {
		page.Sort = SortRequestID
	}
	var c domain.Check
	for _, st := range f.Statuses {
		if _, ok := transitions[st]; !ok {
			c.Add("status", "must be one of %v", sortedKeysOf(transitions))
			break
		}
	}
	if f.ValidationType != nil && !slices.Contains(types, *f.ValidationType) {
		c.Add("validation_type", "must be one of %v", types)
	}
	if f.Priority != nil && !slices.Contains(priorities, *f.Priority) {
		c.Add("priority", "must be one of %v", priorities)
	}
	role := AssignmentRoleAny
	switch {
	case f.AssignmentRole == nil:
	case f.AssignedTo == nil:
		c.Add("assignment_role", "needs assigned_to: it says in which role the validator of assigned_to is assigned")
	case !slices.Contains(assignmentRoles, *f.AssignmentRole):
		c.Add("assignment_role", "must be one of %v", assignmentRoles)
	default:
		role = *f.AssignmentRole
	}
	if f.Q != nil {
		if n := utf8.RuneCountInString(*f.Q); n < MinSearchLength || n > domain.MaxNameLength {
			c.Add("q", "must be %d to %d characters", MinSearchLength, domain.MaxNameLength)
		}
	}
	var afterDate *time.Time
	var afterID int32
	if !slices.Contains(listSorts, page.Sort) {
		c.Add("sort", "must be one of %v", listSorts)
	} else if page.After != nil {
		if !validListKey(page.Sort, page.After) {
			c.Add("cursor", "is not a cursor this API returned for sort=%s", page.Sort)
		} else {
			afterDate, afterID = afterOf(page.Sort, page.After)
		}
	}
	if err := c.Err(); err != nil {
		return gen.ValidationRequestListParams{}, err
	}
	p := gen.ValidationRequestListParams{
		Statuses: f.Statuses, ValidationType: f.ValidationType, RequestorID: f.RequestorID, RegionID: f.RegionID,
		ModelID: f.ModelID, Active: f.Active, Overdue: f.Overdue, AssignedTo: f.AssignedTo, AssignmentRole: role,
		Unassigned: f.Unassigned, Q: f.Q, Sort: sqlSort[page.Sort], AfterDate: afterDate, AfterID: afterID,
	}
	if p.Statuses == nil {
		p.Statuses = []string{} // an empty array, not NULL: cardinality() = 0 means "any status"
	}
	if f.Priority != nil {
		pr := gen.ValidationPriority(*f.Priority)
		p.Priority = &pr
	}
	p.AsOf = f.AsOf.TimePtr()
	if !actor.SeesAll() {
		p.VisibleTo = &actor.UserID
	}
	return p, nil
}

// listKey is the position of row in the list sorted by sort, as its cursor holds it.
func listKey(sort string, r gen.ValidationRequestListRow) []int64 {
	switch sort {
	case SortDaysInStatus:
		return []int64{sortTag(sort), yyyymmdd(r.StatusEnteredOn), int64(r.RequestID)}
	case SortTargetDate:
		return []int64{sortTag(sort), yyyymmdd(r.TargetCompletionDate), int64(r.RequestID)}
	}
	return []int64{int64(r.RequestID)}
}

// afterOf is the keyset position of a valid key (validListKey): its day (nil for SortRequestID)
// and request id.
func afterOf(sort string, key []int64) (*time.Time, int32) {
	if len(key) == 1 {
		return nil, int32(key[0])
	}
	d, _ := dayOf(key[1])
	return &d, int32(key[2])
}

// validListKey reports whether key is a position this list, sorted by sort, hands out.
func validListKey(sort string, key []int64) bool {
	if len(key) != ListKeyParts(sort) {
		return false
	}
	id := key[len(key)-1]
	if id < 1 || id > math.MaxInt32 {
		return false
	}
	if len(key) == 1 {
		return true
	}
	_, ok := dayOf(key[1])
	return key[0] == sortTag(sort) && ok
}

func yyyymmdd(t time.Time) int64 {
	return int64(t.Year())*10000 + int64(t.Month())*100 + int64(t.Day())
}

// dayOf reads a YYYYMMDD day; ok is false for anything that is not a date.
func dayOf(v int64) (time.Time, bool) {
	y, m, d := int(v/10000), time.Month(v/100%100), int(v%100)
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return t, y >= 1 && y <= 9999 && t.Month() == m && t.Day() == d
}

// pageLinks are the model and region links of a page of requests.
type pageLinks struct {
	models  []gen.ValidationRequestModelsForRequestsRow
	regions []gen.ValidationRequestRegion
}

func requestIDsOf(rows []gen.ValidationRequestListRow) []int32 {
	ids := make([]int32, len(rows))
	for i, r := range rows {
		ids[i] = r.RequestID
	}
	return ids
}

// listed turns a chunk of an export into ListedRequests, its links read in the export's
// snapshot (two statements for a thousand rows).
func listed(ctx context.Context, q *gen.Queries, rows []gen.ValidationRequestListRow) ([]ListedRequest, error) {
	ids := requestIDsOf(rows)
	var links pageLinks
	var err error
	if links.models, err = q.ValidationRequestModelsForRequests(ctx, ids); err != nil {
		return nil, fmt.Errorf("list request models: %w", err)
	}
	if links.regions, err = q.ValidationRequestRegionsForRequests(ctx, ids); err != nil {
		return nil, fmt.Errorf("list request regions: %w", err)
	}
	return listedFrom(rows, links), nil
}

// listedFrom turns a page of list rows and their links into ListedRequests.
func listedFrom(rows []gen.ValidationRequestListRow, links pageLinks) []ListedRequest {
	models, regions := linksByRequest(links.models, links.regions)
	out := make([]ListedRequest, len(rows))
	for i, r := range rows {
		out[i] = ListedRequest{
			RequestFields: fromRow(gen.ValidationRequestGetRow{
				RequestID: r.RequestID, RequestorID: r.RequestorID, ValidationType: r.ValidationType, Priority: r.Priority,
				Status: r.Status, TargetCompletionDate: r.TargetCompletionDate, TriggerReason: r.TriggerReason,
				CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, SubmissionReceivedDate: r.SubmissionReceivedDate,
			}, models[r.RequestID], regions[r.RequestID]),
			PrimaryValidator: person(r.PrimaryValidatorID, r.PrimaryValidatorFullName),
			Reviewer:         person(r.ReviewerID, r.ReviewerFullName),
			DaysInStatus:     r.DaysInStatus, IsOverdue: r.IsOverdue, DaysOverdue: r.DaysOverdue,
		}
	}
	return out
}

// person is the user of a left-joined pair of columns; nil when there is none.
func person(id *int32, name *string) *domain.PersonRef {
	if id == nil || name == nil {
		return nil
	}
	return &domain.PersonRef{UserID: *id, FullName: *name}
}
