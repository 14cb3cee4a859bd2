package domain

import (
	"slices"
	"time"
)

// Role is what a user may do across the inventory.
type Role string

// The roles; they match the user_role enum of the schema.
const (
	RoleAdmin     Role = "ADMIN"
	RoleValidator Role = "VALIDATOR"
	// RoleGlobalApprover decides the GLOBAL approval of a validation request.
	RoleGlobalApprover Role = "GLOBAL_APPROVER"
	// RoleRegionalApprover decides the REGIONAL and DEPLOYMENT approvals of the regions the user
	// belongs to.
	RoleRegionalApprover Role = "REGIONAL_APPROVER"
	RoleUser             Role = "USER"
)

// Roles lists every role, in the order the API documents them.
var Roles = []Role{RoleAdmin, RoleValidator, RoleGlobalApprover, RoleRegionalApprover, RoleUser}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	for _, known := range Roles {
		if r == known {
			return true
		}
	}
	return false
}

// Actor is the authenticated user a service call acts for. Authorization decisions are made in
// the service layer from it, never in handlers.
type Actor struct {
	UserID int32
	Role   Role
	// TokenExpiresAt is when the token the request came with expires (zero for the command
	// line): the tokens it creates may not outlive it.
	TokenExpiresAt time.Time
}

// DefaultTokenTTL is how long an API token lives when its creator does not say: TOKEN_TTL's
// default (internal/config) and the user service's for a zero lifetime. It is here, below both,
// so that the settings package imports no service.
const DefaultTokenTTL = 90 * 24 * time.Hour

// SeesAll reports whether the actor sees every validation request and deployment task. Only a
// USER is limited to the models they own or delegate for: validators and approvers work across
// the inventory.
func (a Actor) SeesAll() bool { return a.Role != RoleUser }

// IsAdmin reports whether the actor has the ADMIN role.
func (a Actor) IsAdmin() bool { return a.Role == RoleAdmin }

// IsMRM says whether the actor is of the model risk management function (ADMIN or VALIDATOR):
// who staffs and oversees validations, assesses risk tiers and reads the audit log, the users
// directory and the oversight reports.
func (a Actor) IsMRM() bool { return slices.Contains(MRMRoles, a.Role) }

// MRMRoles are the roles IsMRM admits, for a check the database makes (api_token_authorize).
var MRMRoles = []Role{RoleAdmin, RoleValidator}

// RoleNames is roles as the strings the database's user_role values are written as.
func RoleNames(roles []Role) []string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return names
}

// PersonRef names a user in a list item or a report row: the one {user_id, full_name} shape
// every list answers with (the PersonRef and OversightUser schemas of api/openapi.yaml).
type PersonRef struct {
	UserID   int32  `json:"user_id"`
	FullName string `json:"full_name"`
}
