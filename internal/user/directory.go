package user

import (
	"context"
	"fmt"
	"unicode/utf8"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/export"
	"mrmflow/internal/pgtx"
)

// MinSearchLength is the shortest search text of the directory: one character matches nearly
// every email.
const MinSearchLength = 2

// DirectoryFilter narrows the users directory; a nil field does not filter.
type DirectoryFilter struct {
	Role *domain.Role
	// RegionID keeps the users who belong to the region (the regions of a REGIONAL_APPROVER).
	RegionID *int32
	// Q is a case-insensitive substring of the email or the full name.
	Q        *string
	Disabled *bool
}

func (f DirectoryFilter) check() error {
	var c domain.Check
	if f.Role != nil && !f.Role.Valid() {
		c.Add("role", "must be one of %v", domain.Roles)
	}
	if f.Q != nil {
		if n := utf8.RuneCountInString(*f.Q); n < MinSearchLength || n > domain.MaxNameLength {
			c.Add("q", "must be %d to %d characters", MinSearchLength, domain.MaxNameLength)
		}
	}
	return c.Err()
}

// mayReadDirectory reports whether actor may read the users directory: the MRM function (ADMIN,
// VALIDATOR) staffs and oversees the work; a USER and the approvers have no need of it.
func mayReadDirectory(actor domain.Actor) bool {
	return actor.IsMRM()
}

// List returns one page of the users directory in user_id order (ADMIN and VALIDATOR).
func (s *Service) List(ctx context.Context, actor domain.Actor, f DirectoryFilter, page domain.Page) ([]User, *int64, error) {
	params, err := f.params(actor)
	if err != nil {
		return nil, nil, err
	}
	params.AfterID, params.PageLimit = int32(page.After), page.Limit+1
	rows, err := gen.New(pgtx.CustomPlans(s.db.Pool)).UserDirectoryList(ctx, params)
	if err != nil {
		return nil, nil, fmt.Errorf("list users: %w", err)
	}
	rows, next := domain.PageOf(rows, page.Limit, func(r gen.UserDirectoryListRow) int64 { return int64(r.UserID) })
	return fromDirectoryRows(rows), next, nil
}

// Export sends every user of the directory that f matches to each, in user_id order, from one
// snapshot (export.Run): the CSV answer of GET /users. Over maxRows users it is export_too_large.
func (s *Service) Export(ctx context.Context, actor domain.Actor, f DirectoryFilter, maxRows int64, each func(User) error) error {
	params, err := f.params(actor)
	if err != nil {
		return err
	}
	src := export.Source[gen.UserDirectoryListRow]{
		Count: func(ctx context.Context, q *gen.Queries) (int64, error) {
			return q.UserDirectoryCount(ctx, gen.UserDirectoryCountParams{Role: params.Role, RegionID: params.RegionID, Q: params.Q, Disabled: params.Disabled})
		},
		Page: func(ctx context.Context, q *gen.Queries, last *gen.UserDirectoryListRow, limit int32) ([]gen.UserDirectoryListRow, error) {
			p := params
			if last != nil {
				p.AfterID = last.UserID
			}
			p.PageLimit = limit
			return q.UserDirectoryList(ctx, p)
		},
	}
	return export.Run(ctx, s.db.Pool, maxRows, src, func(r gen.UserDirectoryListRow) error {
		return each(fromDirectoryRow(gen.UserDirectoryGetRow(r)))
	})
}

// params checks that actor may read the directory and f is valid, and returns the list query's
// filters (no position, no limit).
func (f DirectoryFilter) params(actor domain.Actor) (gen.UserDirectoryListParams, error) {
	if !mayReadDirectory(actor) {
		return gen.UserDirectoryListParams{}, domain.Forbidden("only ADMIN and VALIDATOR users may read the users directory")
	}
	if err := f.check(); err != nil {
		return gen.UserDirectoryListParams{}, err
	}
	var role *gen.UserRole
	if f.Role != nil {
		r := gen.UserRole(*f.Role)
		role = &r
	}
	return gen.UserDirectoryListParams{Role: role, RegionID: f.RegionID, Q: f.Q, Disabled: f.Disabled}, nil
}

func fromDirectoryRows(rows []gen.UserDirectoryListRow) []User {
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = fromDirectoryRow(gen.UserDirectoryGetRow(r))
	}
	return out
}

// Lookup returns one user of the directory (ADMIN and VALIDATOR); not_found when it does not exist.
func (s *Service) Lookup(ctx context.Context, actor domain.Actor, userID int32) (User, error) {
	if !mayReadDirectory(actor) {
		return User{}, domain.Forbidden("only ADMIN and VALIDATOR users may read the users directory")
	}
	return s.Get(ctx, userID)
}

// fromDirectoryRow converts a row of the directory's queries (UserDirectoryGet and, converted,
// UserDirectoryList: the same columns).
func fromDirectoryRow(r gen.UserDirectoryGetRow) User {
	u := fromRow(gen.User{UserID: r.UserID, Email: r.Email, FullName: r.FullName, Role: r.Role, CreatedAt: r.CreatedAt}, r.RegionIds)
	u.Disabled = r.Disabled
	return u
}
