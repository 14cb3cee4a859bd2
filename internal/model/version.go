package model

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"mrmflow/gen"
	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
	"mrmflow/internal/export"
	"mrmflow/internal/idempotency"
	"mrmflow/internal/pgtx"
)

// uniqueVersionNumber makes version numbers unique within a model.
const uniqueVersionNumber = "model_versions_model_id_version_number_key"

// Version scopes.
const (
	ScopeGlobal   = "GLOBAL"
	ScopeRegional = "REGIONAL"
)

// Version is one version of a model.
type Version struct {
	VersionID             int32        `json:"version_id"`
	ModelID               int32        `json:"model_id"`
	VersionNumber         string       `json:"version_number"`
	ChangeDescription     string       `json:"change_description"`
	Scope                 string       `json:"scope"`
	RegionIDs             []int32      `json:"region_ids"`
	ValidationRequestID   *int32       `json:"validation_request_id"`
	PlannedProductionDate *domain.Date `json:"planned_production_date"`
	ActualProductionDate  *domain.Date `json:"actual_production_date"`
	CreatedAt             time.Time    `json:"created_at"`
}

// CreateVersionInput is a new version. RegionIDs are the target regions of a REGIONAL version.
type CreateVersionInput struct {
	VersionNumber         string
	ChangeDescription     string
	Scope                 string
	RegionIDs             []int32
	PlannedProductionDate *domain.Date
}

func (in CreateVersionInput) check() error {
	var c domain.Check
	c.Name("version_number", in.VersionNumber)
	c.Text("change_description", in.ChangeDescription, true)
	c.IDs("region_ids", in.RegionIDs, 0, MaxRegions)
	switch in.Scope {
	case ScopeGlobal:
		if len(in.RegionIDs) > 0 {
			c.Add("region_ids", "must be empty for a GLOBAL version")
		}
	case ScopeRegional:
		if len(in.RegionIDs) == 0 {
			c.Add("region_ids", "must name at least one region for a REGIONAL version")
		}
	default:
		c.Add("scope", "must be GLOBAL or REGIONAL")
	}
	return c.Err()
}

// CreateVersion adds a version to a model. The owner, an active delegate or ADMIN may; the target
// regions of a REGIONAL version must be regions the model runs in. With an Idempotency-Key a retry
// replays the first answer.
func (s *Service) CreateVersion(ctx context.Context, actor domain.Actor, modelID int32, in CreateVersionInput, key *idempotency.Key) (idempotency.Result[Version], error) {
	if err := in.check(); err != nil {
		return idempotency.Result[Version]{}, err
	}
	regionIDs := slices.Clone(in.RegionIDs)
	slices.Sort(regionIDs)
	return idempotency.InTx(ctx, s.db, key, func(tx pgx.Tx) (Version, error) {
		q := gen.New(tx)
		access, err := AccessOf(ctx, q, actor, modelID)
		if err != nil {
			return Version{}, err
		}
		if !access.CanActForOwner(actor) {
			return Version{}, domain.Forbidden("only the model's owner, its delegates and ADMIN users may add versions")
		}
		if err := requireModelRegions(ctx, q, modelID, regionIDs); err != nil {
			return Version{}, err
		}
		var planned *time.Time
		if in.PlannedProductionDate != nil {
			planned = &in.PlannedProductionDate.Time
		}
		versionID, err := q.ModelVersionCreate(ctx, gen.ModelVersionCreateParams{
			ModelID: modelID, VersionNumber: in.VersionNumber, ChangeDescription: in.ChangeDescription,
			Scope: gen.VersionScope(in.Scope), PlannedProductionDate: planned, CreatedBy: actor.UserID,
		})
		if pgtx.IsConstraintViolation(err, pgtx.UniqueViolation, uniqueVersionNumber) {
			return Version{}, domain.Errorf(domain.CodeConflict, "model %d already has a version %q", modelID, in.VersionNumber)
		}
		if err != nil {
			return Version{}, fmt.Errorf("create version: %w", err)
		}
		if len(regionIDs) > 0 {
			if err := q.ModelVersionRegionsAdd(ctx, gen.ModelVersionRegionsAddParams{VersionID: versionID, RegionIds: regionIDs}); err != nil {
				return Version{}, fmt.Errorf("add version regions: %w", err)
			}
		}
		v, err := getVersion(ctx, q, versionID)
		if err != nil {
			return Version{}, err
		}
		return v, audit.Record(ctx, q, audit.Entry{
			EntityType: audit.EntityModelVersion, EntityID: versionID, Action: audit.ActionVersionCreated, UserID: audit.By(actor.UserID),
			Changes: map[string]any{"model_id": modelID, "version_number": v.VersionNumber, "scope": v.Scope, "region_ids": v.RegionIDs},
		})
	})
}

// RunsIn returns the set of regions model modelID runs in, with q bound to the caller's
// transaction.
func RunsIn(ctx context.Context, q *gen.Queries, modelID int32) (map[int32]bool, error) {
	rows, err := q.ModelRegionsForModels(ctx, []int32{modelID})
	if err != nil {
		return nil, fmt.Errorf("list model regions: %w", err)
	}
	runs := make(map[int32]bool, len(rows))
	for _, r := range rows {
		runs[r.RegionID] = true
	}
	return runs, nil
}

// requireModelRegions checks that every id in regionIDs is a region the model runs in.
func requireModelRegions(ctx context.Context, q *gen.Queries, modelID int32, regionIDs []int32) error {
	if len(regionIDs) == 0 {
		return nil
	}
	runs, err := RunsIn(ctx, q, modelID)
	if err != nil {
		return err
	}
	var c domain.Check
	for _, id := range regionIDs {
		if !runs[id] {
			c.Add("region_ids", "model %d does not run in region %d", modelID, id)
		}
	}
	return c.Err()
}

// GetVersion returns one version.
func (s *Service) GetVersion(ctx context.Context, versionID int32) (Version, error) {
	return getVersion(ctx, gen.New(s.db.Pool), versionID)
}

func getVersion(ctx context.Context, q *gen.Queries, versionID int32) (Version, error) {
	row, err := q.ModelVersionGet(ctx, versionID)
	if pgtx.IsNoRows(err) {
		return Version{}, domain.NotFound("version %d does not exist", versionID)
	}
	if err != nil {
		return Version{}, fmt.Errorf("get version: %w", err)
	}
	return versionFromRow(gen.ModelVersionListRow(row)), nil
}

// ListVersions returns a model's versions in id order.
func (s *Service) ListVersions(ctx context.Context, modelID int32, page domain.Page) ([]Version, *int64, error) {
	q := gen.New(s.db.Pool)
	if err := requireModel(ctx, q, modelID); err != nil {
		return nil, nil, err
	}
	rows, err := q.ModelVersionList(ctx, gen.ModelVersionListParams{ModelID: modelID, AfterID: int32(page.After), PageLimit: page.Limit + 1})
	if err != nil {
		return nil, nil, fmt.Errorf("list versions: %w", err)
	}
	rows, next := domain.PageOf(rows, page.Limit, func(r gen.ModelVersionListRow) int64 { return int64(r.VersionID) })
	out := make([]Version, len(rows))
	for i, r := range rows {
		out[i] = versionFromRow(r)
	}
	return out, next, nil
}

// ExportVersions sends every version of model modelID to each, in version_id order, from one
// snapshot (export.Run): the CSV answer of GET /models/{model_id}/versions; not_found for a
// missing model.
func (s *Service) ExportVersions(ctx context.Context, modelID int32, maxRows int64, each func(Version) error) error {
	if err := requireModel(ctx, gen.New(s.db.Pool), modelID); err != nil {
		return err
	}
	src := export.Source[gen.ModelVersionListRow]{
		Count: func(ctx context.Context, q *gen.Queries) (int64, error) { return q.ModelVersionCount(ctx, modelID) },
		Page: func(ctx context.Context, q *gen.Queries, last *gen.ModelVersionListRow, limit int32) ([]gen.ModelVersionListRow, error) {
			var after int32
			if last != nil {
				after = last.VersionID
			}
			return q.ModelVersionList(ctx, gen.ModelVersionListParams{ModelID: modelID, AfterID: after, PageLimit: limit})
		},
	}
	return export.Run(ctx, s.db.Pool, maxRows, src, func(r gen.ModelVersionListRow) error { return each(versionFromRow(r)) })
}

// requireModel is not_found unless model modelID exists.
func requireModel(ctx context.Context, q *gen.Queries, modelID int32) error {
	if _, err := q.ModelGet(ctx, modelID); pgtx.IsNoRows(err) {
		return domain.NotFound("model %d does not exist", modelID)
	} else if err != nil {
		return fmt.Errorf("get model: %w", err)
	}
	return nil
}

func versionFromRow(r gen.ModelVersionListRow) Version {
	regionIDs := r.RegionIds
	if regionIDs == nil {
		regionIDs = []int32{}
	}
	return Version{
		VersionID: r.VersionID, ModelID: r.ModelID, VersionNumber: r.VersionNumber,
		ChangeDescription: r.ChangeDescription, Scope: string(r.Scope), RegionIDs: regionIDs,
		ValidationRequestID:   r.ValidationRequestID,
		PlannedProductionDate: domain.DatePtr(r.PlannedProductionDate),
		ActualProductionDate:  domain.DatePtr(r.ActualProductionDate),
		CreatedAt:             r.CreatedAt.UTC(),
	}
}
