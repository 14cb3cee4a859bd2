package validation_test

import (
	"context"
	"fmt"

	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/user"
	"mrmflow/internal/validation"
)

// approver creates a user with an approver role (or ADMIN); a REGIONAL_APPROVER belongs to regions.
func (f *fixture) approver(role domain.Role, regions ...int32) domain.Actor {
	f.t.Helper()
	n := userSeq.Add(1)
	u, _, err := user.NewService(f.db.Pool, pgtx.Limits{}, 0).Bootstrap(context.Background(), user.CreateInput{
		Email: fmt.Sprintf("a%d-%s@bank.test", n, role), FullName: fmt.Sprintf("Approver %d", n), Role: role, RegionIDs: regions,
	}, "test")
	if err != nil {
		f.t.Fatalf("create approver: %v", err)
	}
	return domain.Actor{UserID: u.UserID, Role: role}
}

// region inserts a region and returns its id.
func (f *fixture) region(requiresApproval bool) int32 {
	f.t.Helper()
	var id int32
	n := userSeq.Add(1)
	err := f.db.Pool.QueryRow(context.Background(), `
		INSERT INTO regions (code, name, requires_regional_approval) VALUES ($1, $1, $2) RETURNING region_id`,
		fmt.Sprintf("R%d", n), requiresApproval).Scan(&id)
	if err != nil {
		f.t.Fatalf("insert region: %v", err)
	}
	return id
}

// runsIn makes model run in regions.
func (f *fixture) runsIn(model int32, regions ...int32) {
	f.t.Helper()
	for _, r := range regions {
		f.exec(`INSERT INTO model_regions (model_id, region_id) VALUES ($1, $2)`, model, r)
	}
}

func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.db.Pool.Exec(context.Background(), sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

// toPendingApproval creates a request from in as the fixture's validator and works it to
// PENDING_APPROVAL the way a validation team does: an independent primary validator (which moves
// it to PLANNING), IN_PROGRESS, an outcome, then PENDING_APPROVAL (no reviewer, so straight from
// IN_PROGRESS).
func (f *fixture) toPendingApproval(in validation.CreateInput) int32 {
	f.t.Helper()
	r, err := f.svc.Create(context.Background(), f.validator, in, nil)
	if err != nil {
		f.t.Fatalf("create request: %v", err)
	}
	id := r.Value.RequestID
	f.assign(id, true, false)
	f.step(id, validation.StatusInProgress)
	f.outcome(id)
	f.step(id, validation.StatusPendingApproval)
	return id
}

// approvals returns the approvals of request, oldest first, as an ADMIN sees them.
func (f *fixture) approvals(request int32) []validation.ApprovalItem {
	f.t.Helper()
	list, err := f.svc.RequestApprovals(context.Background(), domain.Actor{Role: domain.RoleAdmin}, request, nil)
	if err != nil {
		f.t.Fatalf("list approvals: %v", err)
	}
	return list
}

// status returns the request's status.
func (f *fixture) status(request int32) string {
	f.t.Helper()
	var s string
	if err := f.db.Pool.QueryRow(context.Background(), `SELECT status FROM validation_requests WHERE request_id = $1`, request).Scan(&s); err != nil {
		f.t.Fatalf("read status: %v", err)
	}
	return s
}

// count runs a count(*) query.
func (f *fixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// kinds summarises approvals as "TYPE/region/STATUS" strings, in order.
func kinds(list []validation.ApprovalItem) []string {
	out := make([]string, len(list))
	for i, a := range list {
		region := "-"
		if a.RegionID != nil {
			region = fmt.Sprint(*a.RegionID)
		}
		out[i] = a.ApprovalType + "/" + region + "/" + a.Status
	}
	return out
}
