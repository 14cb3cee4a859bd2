package deployment

import (
	"context"
	"fmt"
	"math"
	"time"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/export"
	"mrmflow/internal/pgtx"
)

// ReadyOwner is the owner of a ready row's model.
type ReadyOwner struct {
	UserID   int32  `json:"user_id"`
	FullName string `json:"full_name"`
}

// Ready is one row of "ready to deploy": a version whose validation is APPROVED, in a region
// where its model runs (a REGIONAL version: one of its target regions), with no CONFIRMED task
// for that version and region (a confirmed global task covers every region).
type Ready struct {
	VersionID            int32      `json:"version_id"`
	VersionNumber        string     `json:"version_number"`
	Scope                string     `json:"scope"`
	ModelID              int32      `json:"model_id"`
	ModelName            string     `json:"model_name"`
	Owner                ReadyOwner `json:"owner"`
	RegionID             int32      `json:"region_id"`
	RegionCode           string     `json:"region_code"`
	ValidationRequestID  int32      `json:"validation_request_id"`
	ValidationApprovedAt time.Time  `json:"validation_approved_at"`
	// DaysSinceApproval is as_of minus the UTC day the request became APPROVED.
	DaysSinceApproval int32 `json:"days_since_approval"`
	// PendingTaskID is an open (PENDING or ADJUSTED) task for the version and region, or the
	// version's open global task; nil when there is none.
	PendingTaskID *int32 `json:"pending_task_id"`
}

// ReadyFilter narrows the list; nil fields do not filter.
type ReadyFilter struct {
	ModelID *int32
	// Mine keeps the models the caller owns or actively delegates for ("what I may act on").
	Mine           bool
	HasPendingTask *bool
	// AsOf is the day the day counts are taken on (nil: today in UTC); it does not move the data.
	AsOf *domain.Date
}

// ReadyKeyParts is the number of values of a ready list position (a domain.KeyPage's After): in
// the list's order, the approved day as YYYYMMDD, validation_request_id, version_id, region_id.
const ReadyKeyParts = 4

// readyKey is the position of row r in the list's order, as a domain.KeyPage's After takes it.
func readyKey(r gen.DeploymentReadyListRow) []int64 {
	d := r.ApprovedDay
	return []int64{int64(d.Year()*10000 + int(d.Month())*100 + d.Day()), int64(r.ValidationRequestID), int64(r.VersionID), int64(r.RegionID)}
}

// params checks f and returns the list query's filters (no position, no limit), and the user
// whose models the list keeps, nil for none: a USER sees the rows of the models it owns or
// delegates for, as mine=true asks of anyone.
func (f ReadyFilter) params(actor domain.Actor) (gen.DeploymentReadyListParams, *int32) {
	p := gen.DeploymentReadyListParams{ModelID: f.ModelID, HasPendingTask: f.HasPendingTask}
	p.AsOf = f.AsOf.TimePtr()
	if f.Mine || !actor.SeesAll() {
		return p, &actor.UserID
	}
	return p, nil
}

// keepCallerModels reads the models user may act on into p.ModelIds, so the list is planned
// knowing them (DeploymentReadyCallerModels, sql/deployments_ready.sql). None is an empty array,
// never nil: a nil model array would not filter at all.
func keepCallerModels(ctx context.Context, q *gen.Queries, user *int32, p *gen.DeploymentReadyListParams) error {
	if user == nil {
		return nil
	}
	models, err := q.DeploymentReadyCallerModels(ctx, *user)
	if err != nil {
		return fmt.Errorf("read the caller's models: %w", err)
	}
	p.ModelIds = models
	if p.ModelIds == nil {
		p.ModelIds = []int32{}
	}
	return nil
}

// setAfter puts the keyset position after into p; false when it is not a position the list
// could have returned.
func setAfter(p *gen.DeploymentReadyListParams, after []int64) bool {
	if len(after) != ReadyKeyParts {
		return false
	}
	day, err := time.Parse("20060102", fmt.Sprintf("%08d", after[0]))
	if err != nil {
		return false
	}
	for _, id := range after[1:] {
		if id < 1 || id > math.MaxInt32 {
			return false
		}
	}
	p.AfterDay, p.AfterRequestID, p.AfterVersionID, p.AfterRegionID = &day, int32(after[1]), int32(after[2]), int32(after[3])
	return true
}

// ListReady returns one page of the versions ready to deploy, oldest approval first
// (days_since_approval descending), and the position the next page starts after (nil on the
// last page). One query: unfiltered, DeploymentReadyListAll; otherwise DeploymentReadyList
// (sql/deployments_ready.sql), after the caller's models for a USER or mine=true.
func (s *Service) ListReady(ctx context.Context, actor domain.Actor, f ReadyFilter, page domain.KeyPage) ([]Ready, []int64, error) {
	p, user := f.params(actor)
	if page.After != nil && !setAfter(&p, page.After) {
		return nil, nil, domain.BadCursor()
	}
	p.PageLimit = page.Limit + 1
	var rows []gen.DeploymentReadyListRow
	var err error
	if user == nil && p.ModelID == nil && p.HasPendingTask == nil {
		rows, err = s.listAllReady(ctx, p)
	} else {
		// The caller's models in the pool's statement mode: no optional condition, so its
		// generic plan, made once per connection, is the plan for any caller
		// (sql/deployments_ready.sql). The list is planned for the array it reads.
		if err := keepCallerModels(ctx, gen.New(s.db.Pool), user, &p); err != nil {
			return nil, nil, err
		}
		rows, err = gen.New(pgtx.CustomPlans(s.db.Pool)).DeploymentReadyList(ctx, p)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("list ready deployments: %w", err)
	}
	rows, next := domain.PageOfKeys(rows, page.Limit, readyKey)
	out := make([]Ready, len(rows))
	for i, r := range rows {
		out[i] = readyFromRow(r)
	}
	return out, next, nil
}

// firstReadyDay is the keyset's day before any approval: DeploymentReadyListAll's first page
// starts after it.
var firstReadyDay = time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)

// listAllReady is a page of the unfiltered list (DeploymentReadyListAll), in the pool's statement
// mode: it has no optional condition to fold (docs/lists.md, "Plans").
func (s *Service) listAllReady(ctx context.Context, p gen.DeploymentReadyListParams) ([]gen.DeploymentReadyListRow, error) {
	all := gen.DeploymentReadyListAllParams{
		AsOf: p.AsOf, AfterDay: firstReadyDay, AfterRequestID: p.AfterRequestID,
		AfterVersionID: p.AfterVersionID, AfterRegionID: p.AfterRegionID, PageLimit: p.PageLimit,
	}
	if p.AfterDay != nil {
		all.AfterDay = *p.AfterDay
	}
	rows, err := gen.New(s.db.Pool).DeploymentReadyListAll(ctx, all)
	out := make([]gen.DeploymentReadyListRow, len(rows))
	for i, r := range rows {
		out[i] = gen.DeploymentReadyListRow(r)
	}
	return out, err
}

// ExportReady sends every row of the list f matches to each, in the list's order, from one
// snapshot (export.Run): the CSV answer of GET /deployments/ready.
func (s *Service) ExportReady(ctx context.Context, actor domain.Actor, f ReadyFilter, maxRows int64, each func(Ready) error) error {
	params, user := f.params(actor)
	src := export.Source[gen.DeploymentReadyListRow]{
		// Count runs first, in the export's snapshot: the caller's models are read there once.
		Count: func(ctx context.Context, q *gen.Queries) (int64, error) {
			if err := keepCallerModels(ctx, q, user, &params); err != nil {
				return 0, err
			}
			return q.DeploymentReadyCount(ctx, gen.DeploymentReadyCountParams{
				ModelID: params.ModelID, HasPendingTask: params.HasPendingTask, ModelIds: params.ModelIds,
			})
		},
		Page: func(ctx context.Context, q *gen.Queries, last *gen.DeploymentReadyListRow, limit int32) ([]gen.DeploymentReadyListRow, error) {
			p := params
			if last != nil {
				setAfter(&p, readyKey(*last))
			}
			p.PageLimit = limit
			return q.DeploymentReadyList(ctx, p)
		},
	}
	return export.Run(ctx, s.db.Pool, maxRows, src, func(r gen.DeploymentReadyListRow) error {
		return each(readyFromRow(r))
	})
}

func readyFromRow(r gen.DeploymentReadyListRow) Ready {
	out := Ready{
		VersionID: r.VersionID, VersionNumber: r.VersionNumber, Scope: string(r.Scope),
		ModelID: r.ModelID, ModelName: r.ModelName, Owner: ReadyOwner{UserID: r.OwnerID, FullName: r.OwnerFullName},
		RegionID: r.RegionID, RegionCode: r.RegionCode, ValidationRequestID: r.ValidationRequestID,
		ValidationApprovedAt: r.ValidationApprovedAt.UTC(), DaysSinceApproval: r.DaysSinceApproval,
	}
	// pending_task_id is a coalesce of two subqueries, which sqlc cannot type: pgx reads an int4.
	if id, ok := r.PendingTaskID.(int32); ok {
		out.PendingTaskID = &id
	}
	return out
}
