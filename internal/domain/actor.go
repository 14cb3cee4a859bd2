package domain

import "time"

// Role is what a user may do across the inventory.
type Role string

// The roles; they match the user_role enum of the schema.
const (
	RoleAdmin     Role = "ADMIN"
	RoleValidator Role = "VALIDATOR"
	RoleUser      Role = "USER"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleValidator || r == RoleUser
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

// IsAdmin reports whether the actor has the ADMIN role.
func (a Actor) IsAdmin() bool { return a.Role == RoleAdmin }
