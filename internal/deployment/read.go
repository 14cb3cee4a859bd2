package deployment

import (
	"context"
	"fmt"
	"math"
	"time"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/export"
	"mrmflow/internal/model"
	"mrmflow/internal/pgtx"
)

// seesAll reports whether actor may read every task; a USER sees only the tasks they may act on.
func seesAll(actor domain.Actor) bool { return actor.SeesAll() }

// Get returns one task. A task the actor may not see is reported as missing, so ids of other
// owners' tasks do not leak.
func (s *Service) Get(ctx context.Context, actor domain.Actor, taskID int32) (Task, error) {
	q := gen.New(pgtx.CustomPlans(s.db.Pool))
	row, err := q.DeploymentTaskGet(ctx, taskID)
	if pgtx.IsNoRows(err) {
		return Task{}, domain.NotFound("deployment task %d does not exist", taskID)
	}
	if err != nil {
		return Task{}, fmt.Errorf("get deployment task: %w", err)
	}
	if !seesAll(actor) && row.AssignedToID != actor.UserID {
		access, err := model.AccessOf(ctx, q, actor, row.ModelID)
		if err != nil {
			return Task{}, err
		}
		if !access.IsDelegate {
			return Task{}, domain.NotFound("deployment task %d does not exist", taskID)
		}
	}
	return taskFromRow(row), nil
}

// Sorts of the task list (sort=); task_id is the default.
const (
	SortTaskID      = "task_id"
	SortPlannedDate = "planned_production_date"
)

// Due windows of the task list (due=): open tasks (PENDING, ADJUSTED) whose days_until_due is
// below 0, 0, 1 to 7, or above 7.
const (
	DueOverdue = "overdue"
	DueToday   = "today"
	DueWeek    = "week"
	DueLater   = "later"
)

// dueDays is each due window as a range of days_until_due, both ends included; the query turns it
// into a range of planned dates around as_of (an index range). An open end is dueUnbounded days
// away: about 2,700 years, inside PostgreSQL's date range from any as_of.
var dueDays = map[string][2]int32{
	DueOverdue: {-dueUnbounded, -1},
	DueToday:   {0, 0},
	DueWeek:    {1, 7},
	DueLater:   {8, dueUnbounded},
}

const dueUnbounded = 1_000_000

// Filter narrows a task listing; nil fields do not filter.
type Filter struct {
	Status       *string
	AssignedToID *int32
	ModelID      *int32
	// Mine keeps the tasks the actor may act on: assigned to them, or of a model they are an
	// active delegate of.
	Mine bool
	// Due keeps the open tasks of one due window (DueOverdue, DueToday, DueWeek, DueLater).
	Due *string
	// AsOf is the day days_until_due is counted on (nil: today in UTC); it moves the day, not the data.
	AsOf *domain.Date
	// Sort is SortTaskID (also when empty) or SortPlannedDate.
	Sort string
}

// TaskKeyParts is the number of values of a task list position (a domain.KeyPage's After): in
// the list's order, (the planned date's day number, task_id) sorted by planned date, (0, task_id)
// sorted by task_id.
const TaskKeyParts = 2

// ListedTask is a task as the list shows it: the task and the context its owner acts on.
// DaysUntilDue is the planned production date minus as_of (negative when late).
// ValidationStatus is the status of the version's validation request (nil: none).
// RequiresRegionalApproval says whether a region the task covers requires regional approval and
// is outside the validation's regions (the rule of the confirmation's DEPLOYMENT approvals).
type ListedTask struct {
	TaskID                           int32        `json:"task_id"`
	VersionID                        int32        `json:"version_id"`
	ModelID                          int32        `json:"model_id"`
	RegionID                         *int32       `json:"region_id"`
	Status                           string       `json:"status"`
	PlannedProductionDate            domain.Date  `json:"planned_production_date"`
	ActualProductionDate             *domain.Date `json:"actual_production_date"`
	AssignedToID                     int32        `json:"assigned_to_id"`
	ConfirmationNotes                *string      `json:"confirmation_notes"`
	ConfirmedAt                      *time.Time   `json:"confirmed_at"`
	ConfirmedByID                    *int32       `json:"confirmed_by_id"`
	DeployedBeforeValidationApproved bool         `json:"deployed_before_validation_approved"`
	ValidationOverrideReason         *string      `json:"validation_override_reason"`
	CreatedAt                        time.Time    `json:"created_at"`
	ModelName                        string       `json:"model_name"`
	VersionNumber                    string       `json:"version_number"`
	RegionCode                       *string      `json:"region_code"`
	DaysUntilDue                     int32        `json:"days_until_due"`
	ValidationStatus                 *string      `json:"validation_status"`
	RequiresRegionalApproval         bool         `json:"requires_regional_approval"`
}

// epochDay is the day number of 1970-01-01 counted from 0001-01-01, so that a cursor's day
// number (days since 0001-01-01) is never negative.
const epochDay = 719162

func dayNumber(t time.Time) int64 { return t.Unix()/86400 + epochDay }

func dayOf(n int64) time.Time { return time.Unix((n-epochDay)*86400, 0).UTC() }

// params checks f and page and returns the page query's parameters for actor (limit and position
// included; the export sets its own).
func (f Filter) params(actor domain.Actor, page domain.KeyPage) (gen.DeploymentTaskListParams, error) {
	var c domain.Check
	p := gen.DeploymentTaskListParams{
		AssignedToID: f.AssignedToID, ModelID: f.ModelID, Mine: f.Mine,
		SeeAll: seesAll(actor), UserID: actor.UserID, PageLimit: page.Limit + 1,
	}
	if f.Status != nil {
		st := gen.DeploymentTaskStatus(*f.Status)
		if !st.Valid() {
			c.Add("status", "must be PENDING, ADJUSTED, CONFIRMED or CANCELLED")
		}
		p.Status = &st
	}
	if f.Due != nil {
		days, ok := dueDays[*f.Due]
		if !ok {
			c.Add("due", "must be overdue, today, week or later")
		}
		p.Due, p.DueFromDays, p.DueToDays = true, days[0], days[1]
	}
	p.AsOf = f.AsOf.TimePtr()
	switch f.Sort {
	case "", SortTaskID, SortPlannedDate:
	default:
		c.Add("sort", "must be %s or %s", SortTaskID, SortPlannedDate)
	}
	if page.After != nil {
		// A position of the other sort, or out of its columns' ranges, was not made by this list.
		ok := len(page.After) == TaskKeyParts && page.After[1] >= 1 && page.After[1] <= math.MaxInt32
		if f.Sort == SortPlannedDate {
			ok = ok && page.After[0] >= 1 && page.After[0] <= dayNumber(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
		} else {
			ok = ok && page.After[0] == 0
		}
		if !ok {
			c.Add("cursor", domain.NotACursor)
		} else {
			p.AfterID = int32(page.After[1])
		}
	}
	return p, c.Err()
}

// List returns one page of the tasks the actor may see that f matches, in f's sort, and the
// position the next page starts after (nil on the last page): the owner's task queue.
func (s *Service) List(ctx context.Context, actor domain.Actor, f Filter, page domain.KeyPage) ([]ListedTask, []int64, error) {
	p, err := f.params(actor, page)
	if err != nil {
		return nil, nil, err
	}
	var after time.Time
	if page.After != nil {
		after = dayOf(page.After[0])
	}
	rows, err := listPage(ctx, gen.New(pgtx.CustomPlans(s.db.Pool)), f.Sort, p, after)
	if err != nil {
		return nil, nil, fmt.Errorf("list deployment tasks: %w", err)
	}
	rows, next := domain.PageOfKeys(rows, page.Limit, f.key)
	out := make([]ListedTask, len(rows))
	for i, r := range rows {
		out[i] = listedFromRow(r)
	}
	return out, next, nil
}

// key is the keyset position of r in f's sort.
func (f Filter) key(r gen.DeploymentTaskListRow) []int64 {
	if f.Sort == SortPlannedDate {
		return []int64{dayNumber(r.PlannedProductionDate), int64(r.TaskID)}
	}
	return []int64{0, int64(r.TaskID)}
}

// listPage runs the page query of sort: DeploymentTaskList, or DeploymentTaskListByPlannedDate
// after (afterDate, p.AfterID) — the same filters and columns.
func listPage(ctx context.Context, q *gen.Queries, sort string, p gen.DeploymentTaskListParams, afterDate time.Time) ([]gen.DeploymentTaskListRow, error) {
	if sort != SortPlannedDate {
		return q.DeploymentTaskList(ctx, p)
	}
	rows, err := q.DeploymentTaskListByPlannedDate(ctx, gen.DeploymentTaskListByPlannedDateParams{
		AsOf: p.AsOf, AfterDate: afterDate, AfterID: p.AfterID, Status: p.Status, AssignedToID: p.AssignedToID,
		ModelID: p.ModelID, Mine: p.Mine, UserID: p.UserID, Due: p.Due, DueFromDays: p.DueFromDays,
		DueToDays: p.DueToDays, SeeAll: p.SeeAll, PageLimit: p.PageLimit,
	})
	out := make([]gen.DeploymentTaskListRow, len(rows))
	for i, r := range rows {
		out[i] = gen.DeploymentTaskListRow(r)
	}
	return out, err
}

// Export sends every task the actor may see that f matches to each, in f's sort, from one
// snapshot (export.Run): the CSV answer of GET /deployment-tasks. Over maxRows tasks it is
// export_too_large.
func (s *Service) Export(ctx context.Context, actor domain.Actor, f Filter, maxRows int64, each func(ListedTask) error) error {
	params, err := f.params(actor, domain.KeyPage{})
	if err != nil {
		return err
	}
	src := export.Source[gen.DeploymentTaskListRow]{
		Count: func(ctx context.Context, q *gen.Queries) (int64, error) {
			return q.DeploymentTaskCount(ctx, gen.DeploymentTaskCountParams{
				Status: params.Status, AssignedToID: params.AssignedToID, ModelID: params.ModelID, Mine: params.Mine,
				UserID: params.UserID, Due: params.Due, AsOf: params.AsOf, DueFromDays: params.DueFromDays,
				DueToDays: params.DueToDays, SeeAll: params.SeeAll,
			})
		},
		Page: func(ctx context.Context, q *gen.Queries, last *gen.DeploymentTaskListRow, limit int32) ([]gen.DeploymentTaskListRow, error) {
			p := params
			p.PageLimit = limit
			var after time.Time
			if last != nil {
				p.AfterID, after = last.TaskID, last.PlannedProductionDate
			}
			return listPage(ctx, q, f.Sort, p, after)
		},
	}
	return export.Run(ctx, s.db.Pool, maxRows, src, func(r gen.DeploymentTaskListRow) error { return each(listedFromRow(r)) })
}

func listedFromRow(r gen.DeploymentTaskListRow) ListedTask {
	return ListedTask{
		TaskID: r.TaskID, VersionID: r.VersionID, ModelID: r.ModelID, RegionID: r.RegionID,
		Status:                           string(r.Status),
		PlannedProductionDate:            domain.NewDate(r.PlannedProductionDate),
		ActualProductionDate:             domain.DatePtr(r.ActualProductionDate),
		AssignedToID:                     r.AssignedToID,
		ConfirmationNotes:                r.ConfirmationNotes,
		ConfirmedAt:                      domain.TimePtr(r.ConfirmedAt),
		ConfirmedByID:                    r.ConfirmedByID,
		DeployedBeforeValidationApproved: r.DeployedBeforeValidationApproved,
		ValidationOverrideReason:         r.ValidationOverrideReason,
		CreatedAt:                        r.CreatedAt.UTC(),
		ModelName:                        r.ModelName,
		VersionNumber:                    r.VersionNumber,
		RegionCode:                       r.RegionCode,
		DaysUntilDue:                     r.DaysUntilDue,
		ValidationStatus:                 r.ValidationStatus,
		RequiresRegionalApproval:         r.RequiresRegionalApproval,
	}
}
