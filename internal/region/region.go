// Package region manages the regions models run in.
package region

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/export"
	"mrmflow/internal/idempotency"
	"mrmflow/internal/pgtx"
)

// uniqueRegionsCode makes region codes unique.
const uniqueRegionsCode = "regions_code_key"

// Region is a jurisdiction or market a model runs in.
type Region struct {
	RegionID                 int32     `json:"region_id"`
	Code                     string    `json:"code"`
	Name                     string    `json:"name"`
	RequiresRegionalApproval bool      `json:"requires_regional_approval"`
	CreatedAt                time.Time `json:"created_at"`
}

// CreateInput is a new region.
type CreateInput struct {
	Code                     string
	Name                     string
	RequiresRegionalApproval bool
}

// Service manages regions.
type Service struct {
	db pgtx.DB
}

// NewService returns a Service on pool. lockTimeout bounds every lock wait of its transactions
// (0 = pgtx.DefaultLockTimeout).
func NewService(pool *pgxpool.Pool, limits pgtx.Limits) *Service {
	return &Service{db: pgtx.NewDB(pool, limits.Bounded())}
}

// Create adds a region. Only ADMIN may. With an Idempotency-Key a retry replays the first answer.
func (s *Service) Create(ctx context.Context, actor domain.Actor, in CreateInput, key *idempotency.Key) (idempotency.Result[Region], error) {
	if !actor.IsAdmin() {
		return idempotency.Result[Region]{}, domain.Forbidden("only ADMIN users may create regions")
	}
	var c domain.Check
	c.Name("code", in.Code)
	c.Name("name", in.Name)
	if err := c.Err(); err != nil {
		return idempotency.Result[Region]{}, err
	}
	return idempotency.InTx(ctx, s.db, key, func(tx pgx.Tx) (Region, error) {
		q := gen.New(tx)
		row, err := q.RegionCreate(ctx, gen.RegionCreateParams{
			Code: in.Code, Name: in.Name, RequiresRegionalApproval: in.RequiresRegionalApproval,
		})
		if pgtx.IsConstraintViolation(err, pgtx.UniqueViolation, uniqueRegionsCode) {
			return Region{}, domain.Errorf(domain.CodeConflict, "a region with code %q already exists", in.Code)
		}
		if err != nil {
			return Region{}, fmt.Errorf("create region: %w", err)
		}
		r := fromRow(row)
		return r, audit.Record(ctx, q, audit.Entry{
			EntityType: audit.EntityRegion, EntityID: r.RegionID, Action: audit.ActionRegionCreated, UserID: audit.By(actor.UserID),
			Changes: map[string]any{"code": r.Code, "name": r.Name, "requires_regional_approval": r.RequiresRegionalApproval},
		})
	})
}

// List returns regions in id order.
func (s *Service) List(ctx context.Context, page domain.Page) ([]Region, *int64, error) {
	rows, err := gen.New(s.db.Pool).RegionList(ctx, gen.RegionListParams{AfterID: int32(page.After), PageLimit: page.Limit + 1})
	if err != nil {
		return nil, nil, fmt.Errorf("list regions: %w", err)
	}
	rows, next := domain.PageOf(rows, page.Limit, func(r gen.Region) int64 { return int64(r.RegionID) })
	out := make([]Region, len(rows))
	for i, row := range rows {
		out[i] = fromRow(row)
	}
	return out, next, nil
}

// Export sends every region to each, in region_id order, from one snapshot (export.Run): the CSV
// answer of GET /regions.
func (s *Service) Export(ctx context.Context, maxRows int64, each func(Region) error) error {
	src := export.Source[gen.Region]{
		Count: func(ctx context.Context, q *gen.Queries) (int64, error) { return q.RegionCount(ctx) },
		Page: func(ctx context.Context, q *gen.Queries, last *gen.Region, limit int32) ([]gen.Region, error) {
			var after int32
			if last != nil {
				after = last.RegionID
			}
			return q.RegionList(ctx, gen.RegionListParams{AfterID: after, PageLimit: limit})
		},
	}
	return export.Run(ctx, s.db.Pool, maxRows, src, func(r gen.Region) error { return each(fromRow(r)) })
}

// RequireAll checks that every id in ids names a region, with q bound to the caller's
// transaction, and returns those regions; the error names the missing ids.
func RequireAll(ctx context.Context, q *gen.Queries, field string, ids []int32) ([]Region, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := q.RegionListByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("find regions: %w", err)
	}
	return (&Lookup{ids: ids, rows: rows}).Require(field)
}

// Lookup is RequireAll for a caller that reads in pipelines: QueueLookup queues the read in the
// caller's pipeline (it rides with the caller's locks, with no round trip of its own) and, once
// the pipeline is sent, Require judges the answer. The rows of the regions table stay in this
// package; only Region crosses its line.
type Lookup struct {
	ids  []int32
	rows []gen.Region
}

// QueueLookup queues on p the read of the regions ids name (nothing for no ids).
func QueueLookup(ctx context.Context, p *pgtx.Pipeline, ids []int32) *Lookup {
	l := &Lookup{ids: ids}
	if len(ids) > 0 {
		pgtx.Many(p, &l.rows, func(q *gen.Queries) ([]gen.Region, error) { return q.RegionListByIDs(ctx, ids) },
			pgtx.Wrap("find regions"))
	}
	return l
}

// Require returns the regions found, or not_found under field naming the ids that name none.
func (l *Lookup) Require(field string) ([]Region, error) {
	out := make([]Region, len(l.rows))
	for i, r := range l.rows {
		out[i] = fromRow(r)
	}
	if len(out) == len(l.ids) {
		return out, nil
	}
	found := make(map[int32]bool, len(out))
	for _, r := range out {
		found[r.RegionID] = true
	}
	missing := domain.MissingIDs(l.ids, func(id int32) bool { return found[id] })
	return nil, domain.NotFoundIDs("regions", field, missing)
}

func fromRow(r gen.Region) Region {
	return Region{
		RegionID: r.RegionID, Code: r.Code, Name: r.Name,
		RequiresRegionalApproval: r.RequiresRegionalApproval, CreatedAt: r.CreatedAt.UTC(),
	}
}
