package model

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/export"
	"mrmflow/internal/idempotency"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/policy"
	"mrmflow/internal/region"
)

// Service manages models, their delegates and versions.
type Service struct {
	db pgtx.DB
}

// NewService returns a Service on pool. lockTimeout bounds every lock wait of its transactions
// (0 = pgtx.DefaultLockTimeout).
func NewService(pool *pgxpool.Pool, limits pgtx.Limits) *Service {
	return &Service{db: pgtx.NewDB(pool, limits.Bounded())}
}

// Create adds a model in the given regions. Anyone may register a model they own; only ADMIN may
// name another owner. With an Idempotency-Key a retry replays the first answer.
func (s *Service) Create(ctx context.Context, actor domain.Actor, in CreateInput, key *idempotency.Key) (idempotency.Result[Model], error) {
	if in.OwnerID == 0 {
		in.OwnerID = actor.UserID
	}
	if in.OwnerID != actor.UserID && !actor.IsAdmin() {
		return idempotency.Result[Model]{}, domain.Forbidden("only ADMIN users may create a model owned by someone else")
	}
	if in.RiskTier != nil && !mayAssessTier(actor) {
		return idempotency.Result[Model]{}, domain.Forbidden("only ADMIN and VALIDATOR users may set a model's risk_tier")
	}
	var c domain.Check
	if in.RiskTier != nil {
		policy.CheckRiskTier(&c, "risk_tier", *in.RiskTier)
	}
	c.Name("model_name", in.ModelName)
	c.Text("description", in.Description, false)
	c.IDs("region_ids", in.RegionIDs, 0, MaxRegions)
	if err := c.Err(); err != nil {
		return idempotency.Result[Model]{}, err
	}
	regionIDs := slices.Clone(in.RegionIDs)
	slices.Sort(regionIDs)
	return idempotency.InTx(ctx, s.db, key, func(tx pgx.Tx) (Model, error) {
		q := gen.New(tx)
		exists, err := q.UserExists(ctx, in.OwnerID)
		if err != nil {
			return Model{}, fmt.Errorf("find owner: %w", err)
		}
		if !exists {
			return Model{}, domain.NotFound("owner %d does not exist", in.OwnerID)
		}
		regions, err := region.RequireAll(ctx, q, "region_ids", regionIDs)
		if err != nil {
			return Model{}, err
		}
		row, err := q.ModelCreate(ctx, gen.ModelCreateParams{
			ModelName: in.ModelName, Description: in.Description, OwnerID: in.OwnerID, RiskTier: in.RiskTier,
		})
		if err != nil {
			return Model{}, fmt.Errorf("create model: %w", err)
		}
		if len(regionIDs) > 0 {
			if err := q.ModelRegionsAdd(ctx, gen.ModelRegionsAddParams{ModelID: row.ModelID, RegionIds: regionIDs}); err != nil {
				return Model{}, fmt.Errorf("add model regions: %w", err)
			}
		}
		modelRegions := make([]ModelRegion, len(regions))
		for i, r := range regions {
			modelRegions[i] = ModelRegion{RegionID: r.RegionID, Code: r.Code}
		}
		m := modelFromRow(row, modelRegions)
		return m, audit.Record(ctx, q, audit.Entry{
			EntityType: audit.EntityModel, EntityID: m.ModelID, Action: audit.ActionModelCreated, UserID: audit.By(actor.UserID),
			Changes: map[string]any{"model_name": m.ModelName, "owner_id": m.OwnerID, "region_ids": regionIDs, "risk_tier": m.RiskTier},
		})
	})
}

// mayAssessTier: the MRM function (ADMIN, VALIDATOR) assesses a model's risk tier.
func mayAssessTier(actor domain.Actor) bool {
	return actor.IsMRM()
}

// SetRiskTier sets model modelID's risk tier, or clears it (nil: not assessed); ADMIN and
// VALIDATOR may. The model row is locked first so the audit row's "from" is the tier this change
// replaced, also when two changes meet. The revalidation schedule follows at once: its dates are
// computed from the tier's policy, never stored (docs/revalidation.md).
func (s *Service) SetRiskTier(ctx context.Context, actor domain.Actor, modelID int32, tier *string) (Model, error) {
	if !mayAssessTier(actor) {
		return Model{}, domain.Forbidden("only ADMIN and VALIDATOR users may set a model's risk_tier")
	}
	var c domain.Check
	if tier != nil {
		policy.CheckRiskTier(&c, "risk_tier", *tier)
	}
	if err := c.Err(); err != nil {
		return Model{}, err
	}
	return pgtx.WithTxV(ctx, s.db, func(tx pgx.Tx) (Model, error) {
		q := gen.New(tx)
		cur, err := q.ModelLockForTierChange(ctx, modelID)
		if pgtx.IsNoRows(err) {
			return Model{}, domain.NotFound("model %d does not exist", modelID)
		}
		if err != nil {
			return Model{}, fmt.Errorf("lock model: %w", err)
		}
		row, err := q.ModelSetRiskTier(ctx, gen.ModelSetRiskTierParams{ModelID: modelID, RiskTier: tier})
		if err != nil {
			return Model{}, fmt.Errorf("set risk tier: %w", err)
		}
		models, err := withRegions(ctx, q, []gen.Model{row})
		if err != nil {
			return Model{}, err
		}
		out := models[0]
		return out, audit.Record(ctx, q, audit.Entry{
			EntityType: audit.EntityModel, EntityID: modelID, Action: audit.ActionModelUpdated, UserID: audit.By(actor.UserID),
			Changes: map[string]any{"risk_tier": map[string]*string{"from": cur.RiskTier, "to": tier}},
		})
	})
}

// Get returns one model with its regions.
func (s *Service) Get(ctx context.Context, modelID int32) (Model, error) {
	q := gen.New(s.db.Pool)
	row, err := q.ModelGet(ctx, modelID)
	if pgtx.IsNoRows(err) {
		return Model{}, domain.NotFound("model %d does not exist", modelID)
	}
	if err != nil {
		return Model{}, fmt.Errorf("get model: %w", err)
	}
	models, err := withRegions(ctx, q, []gen.Model{row})
	if err != nil {
		return Model{}, err
	}
	return models[0], nil
}

// List returns models in id order, each with its regions.
func (s *Service) List(ctx context.Context, page domain.Page) ([]Model, *int64, error) {
	q := gen.New(s.db.Pool)
	rows, err := q.ModelList(ctx, gen.ModelListParams{AfterID: int32(page.After), PageLimit: page.Limit + 1})
	if err != nil {
		return nil, nil, fmt.Errorf("list models: %w", err)
	}
	rows, next := domain.PageOf(rows, page.Limit, func(r gen.Model) int64 { return int64(r.ModelID) })
	models, err := withRegions(ctx, q, rows)
	return models, next, err
}

// Export sends every model, with its regions, to each in model_id order, from one snapshot
// (export.Run): the CSV answer of GET /models. Each chunk's regions are read with it.
func (s *Service) Export(ctx context.Context, maxRows int64, each func(Model) error) error {
	src := export.Source[Model]{
		Count: func(ctx context.Context, q *gen.Queries) (int64, error) { return q.ModelCount(ctx) },
		Page: func(ctx context.Context, q *gen.Queries, last *Model, limit int32) ([]Model, error) {
			var after int32
			if last != nil {
				after = last.ModelID
			}
			rows, err := q.ModelList(ctx, gen.ModelListParams{AfterID: after, PageLimit: limit})
			if err != nil {
				return nil, err
			}
			return withRegions(ctx, q, rows)
		},
	}
	return export.Run(ctx, s.db.Pool, maxRows, src, each)
}

// withRegions attaches regions to models with one query for the whole page.
func withRegions(ctx context.Context, q *gen.Queries, rows []gen.Model) ([]Model, error) {
	ids := make([]int32, len(rows))
	for i, r := range rows {
		ids[i] = r.ModelID
	}
	regionRows, err := q.ModelRegionsForModels(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("list model regions: %w", err)
	}
	byModel := make(map[int32][]ModelRegion, len(rows))
	for _, r := range regionRows {
		byModel[r.ModelID] = append(byModel[r.ModelID], ModelRegion{
			RegionID: r.RegionID, Code: r.Code, VersionID: r.VersionID, DeployedAt: domain.TimePtr(r.DeployedAt),
		})
	}
	out := make([]Model, len(rows))
	for i, r := range rows {
		out[i] = modelFromRow(r, byModel[r.ModelID])
	}
	return out, nil
}
