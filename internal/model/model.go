// Package model manages the model inventory: models, the regions they run in, the users who may
// act for their owners, and model versions.
package model

import (
	"time"

	"mrmflow/gen"
	"mrmflow/internal/domain"
)

// Model is an inventoried quantitative model.
type Model struct {
	ModelID     int32  `json:"model_id"`
	ModelName   string `json:"model_name"`
	Description string `json:"description"`
	OwnerID     int32  `json:"owner_id"`
	// RiskTier is the tier the MRM function assessed (policy.RiskTiers), nil until assessed.
	RiskTier  *string       `json:"risk_tier"`
	Regions   []ModelRegion `json:"regions"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// ModelRegion is a region a model runs in, with the version deployed there (if any) and since when.
type ModelRegion struct {
	RegionID   int32      `json:"region_id"`
	Code       string     `json:"code"`
	VersionID  *int32     `json:"version_id"`
	DeployedAt *time.Time `json:"deployed_at"`
}

// Delegate is a grant letting a user act for a model's owner.
type Delegate struct {
	DelegateID int32      `json:"delegate_id"`
	ModelID    int32      `json:"model_id"`
	UserID     int32      `json:"user_id"`
	GrantedBy  int32      `json:"granted_by"`
	GrantedAt  time.Time  `json:"granted_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// MaxRegions bounds the regions of a model, and the target regions of a version (a model runs in
// a handful of regions; docs/limits.md, "Ids and lists").
const MaxRegions = 500

// CreateInput is a new model. OwnerID zero means the caller; RiskTier nil means not assessed.
type CreateInput struct {
	ModelName   string
	Description string
	OwnerID     int32
	RegionIDs   []int32
	RiskTier    *string
}

func modelFromRow(r gen.Model, regions []ModelRegion) Model {
	if regions == nil {
		regions = []ModelRegion{}
	}
	return Model{
		ModelID: r.ModelID, ModelName: r.ModelName, Description: r.Description, OwnerID: r.OwnerID,
		RiskTier: r.RiskTier, Regions: regions, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func delegateFromRow(r gen.ModelDelegate) Delegate {
	return Delegate{
		DelegateID: r.DelegateID, ModelID: r.ModelID, UserID: r.UserID, GrantedBy: r.GrantedBy,
		GrantedAt: r.GrantedAt.UTC(), RevokedAt: domain.TimePtr(r.RevokedAt),
	}
}
