// Package user manages users and their API tokens.
package user

import (
	"strings"
	"time"

	"mrmflow/gen"
	"mrmflow/internal/domain"
)

// User is a person who calls the API.
type User struct {
	UserID   int32       `json:"user_id"`
	Email    string      `json:"email"`
	FullName string      `json:"full_name"`
	Role     domain.Role `json:"role"`
	// RegionIDs are the regions a REGIONAL_APPROVER decides for (empty for every other role).
	RegionIDs []int32 `json:"region_ids"`
	// Disabled is true while an ADMIN has disabled the user (none of its tokens authenticate).
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

// Token is a newly created API token. Token, the plaintext, exists only in this value: the
// database keeps its hash.
type Token struct {
	TokenID   int32     `json:"token_id"`
	Name      string    `json:"name"`
	Token     string    `json:"token"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// TokenInput is a new token. ExpiresAt nil takes the service's TokenTTL from now, capped at the
// expiry of the token the request came with.
type TokenInput struct {
	Name      string
	ExpiresAt *time.Time
}

// MaxRegions bounds the regions of a regional approver (docs/limits.md, "Ids and lists").
const MaxRegions = 200

// CreateInput is a new user. RegionIDs is required for, and only for, a REGIONAL_APPROVER.
type CreateInput struct {
	Email     string
	FullName  string
	Role      domain.Role
	RegionIDs []int32
}

func (in CreateInput) check() error {
	var c domain.Check
	c.Name("email", in.Email)
	if in.Email != "" && (!strings.Contains(in.Email, "@") || strings.ContainsAny(in.Email, " \t\r\n")) {
		c.Add("email", "must be an email address")
	}
	c.Name("full_name", in.FullName)
	if !in.Role.Valid() {
		c.Add("role", "must be one of %v", domain.Roles)
	}
	c.IDs("region_ids", in.RegionIDs, 0, MaxRegions)
	switch {
	case in.Role == domain.RoleRegionalApprover && len(in.RegionIDs) == 0:
		c.Add("region_ids", "is required for a REGIONAL_APPROVER (at least 1 id)")
	case in.Role != domain.RoleRegionalApprover && len(in.RegionIDs) > 0:
		c.Add("region_ids", "is only for a REGIONAL_APPROVER")
	}
	return c.Err()
}

// fromRow converts a user row; regionIDs are its user_regions (nil = none). It is used for users
// just created or found to act for, never disabled ones.
func fromRow(r gen.User, regionIDs []int32) User {
	if regionIDs == nil {
		regionIDs = []int32{}
	}
	return User{
		UserID: r.UserID, Email: r.Email, FullName: r.FullName, Role: domain.Role(r.Role),
		RegionIDs: regionIDs, CreatedAt: r.CreatedAt.UTC(),
	}
}
