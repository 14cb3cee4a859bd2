package validation_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/validation"
)

func wantCode(t *testing.T, err error, code domain.Code) *domain.Error {
	t.Helper()
	if got := domain.CodeOf(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
	var e *domain.Error
	_ = errors.As(err, &e)
	return e
}

func TestCreateWritesRequestLinksHistoryAndAudit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	m := f.models(2)
	v := f.version(m[1], "2.0")
	in := input(validation.TypeChange, m[1], m[0])
	in.ModelVersions = map[int32]int32{m[0]: f.version(m[0], "1.1"), m[1]: v}
	in.TriggerReason = "new calibration"
	res, err := f.svc.Create(ctx, f.validator, in, nil)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	r := res.Value
	if r.Status != validation.StatusIntake || len(r.Models) != 2 || r.Models[0].ModelID != m[0] || *r.Models[1].VersionID != v {
		t.Fatalf("unexpected request %+v", r)
	}
	got, err := f.svc.Get(ctx, f.validator, r.RequestID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if len(got.History) != 1 || got.History[0].FromStatus != nil || got.History[0].ToStatus != validation.StatusIntake {
		t.Fatalf("history %+v", got.History)
	}
	var linked, audits int
	_ = f.db.Pool.QueryRow(ctx, "SELECT count(*) FROM model_versions WHERE validation_request_id = $1", r.RequestID).Scan(&linked)
	_ = f.db.Pool.QueryRow(ctx, "SELECT count(*) FROM audit_logs WHERE entity_id = $1 AND action = 'VALIDATION_REQUEST_CREATED'", r.RequestID).Scan(&audits)
	if linked != 2 || audits != 1 {
		t.Fatalf("versions linked %d, audit rows %d; want 2 and 1", linked, audits)
	}
}

func TestCreateRejectsBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	m := f.models(2)
	other := f.version(m[1], "1.0")
	cases := map[string]struct {
		in   func() validation.CreateInput
		code domain.Code
	}{
		"no models":           {func() validation.CreateInput { return input(validation.TypeInterim) }, domain.CodeInvalidRequest},
		"duplicate models":    {func() validation.CreateInput { return input(validation.TypeInterim, m[0], m[0]) }, domain.CodeInvalidRequest},
		"unknown type":        {func() validation.CreateInput { return input("WEEKLY", m[0]) }, domain.CodeInvalidRequest},
		"change w/o versions": {func() validation.CreateInput { return input(validation.TypeChange, m[0]) }, domain.CodeInvalidRequest},
		"version key not a model of the request": {func() validation.CreateInput {
			in := input(validation.TypeInterim, m[0])
			in.ModelVersions = map[int32]int32{m[1]: other}
			return in
		}, domain.CodeInvalidRequest},
		"version of another model": {func() validation.CreateInput {
			in := input(validation.TypeInterim, m[0])
			in.ModelVersions = map[int32]int32{m[0]: other}
			return in
		}, domain.CodeInvalidRequest},
		"missing model": {func() validation.CreateInput { return input(validation.TypeInterim, m[0], 999999) }, domain.CodeNotFound},
		"missing version": {func() validation.CreateInput {
			in := input(validation.TypeInterim, m[0])
			in.ModelVersions = map[int32]int32{m[0]: 999999}
			return in
		}, domain.CodeNotFound},
		"missing region": {func() validation.CreateInput {
			in := input(validation.TypeInterim, m[0])
			in.RegionIDs = []int32{999999}
			return in
		}, domain.CodeNotFound},
	}
	for name, c := range cases {
		_, err := f.svc.Create(ctx, f.validator, c.in(), nil)
		if got := domain.CodeOf(err); got != c.code {
			t.Errorf("%s: code %q (%v), want %q", name, got, err, c.code)
		}
	}
	if _, err := f.svc.Create(ctx, f.user(domain.RoleUser), input(validation.TypeInterim, m[0]), nil); domain.CodeOf(err) != domain.CodeForbidden {
		t.Errorf("USER create: %v, want forbidden", err)
	}
	if n := f.violations(); n != 0 {
		t.Fatalf("%d violations", n)
	}
}

func TestTargetedOverlapsAnything(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	m := f.models(1)
	for _, typ := range []string{validation.TypeComprehensive, validation.TypeTargeted, validation.TypeTargeted} {
		if _, err := f.svc.Create(ctx, f.validator, input(typ, m[0]), nil); err != nil {
			t.Fatalf("create %s: %v", typ, err)
		}
	}
	_, err := f.svc.Create(ctx, f.validator, input(validation.TypeInterim, m[0]), nil)
	e := wantCode(t, err, domain.CodeValidationConflict)
	conflicts := e.Extra["conflicts"].([]validation.Conflict)
	if len(conflicts) != 1 || len(conflicts[0].ActiveRequests) != 1 || conflicts[0].ActiveRequests[0].ValidationType != validation.TypeComprehensive {
		t.Fatalf("conflicts %+v", conflicts)
	}
}

// approve works request id to APPROVED through the workflow: a primary validator, IN_PROGRESS, an
// outcome, PENDING_APPROVAL, then every approval of its round approved by an independent ADMIN.
func (f *fixture) approve(id int32) {
	f.t.Helper()
	f.assign(id, true, false)
	f.step(id, validation.StatusInProgress)
	f.outcome(id)
	f.step(id, validation.StatusPendingApproval)
	admin := f.approver(domain.RoleAdmin)
	for _, a := range f.approvals(id) {
		if _, err := f.svc.Decide(context.Background(), admin, a.ApprovalID, validation.DecisionInput{Decision: validation.ApprovalApproved}); err != nil {
			f.t.Fatalf("approve approval %d: %v", a.ApprovalID, err)
		}
	}
	if s := f.status(id); s != validation.StatusApproved {
		f.t.Fatalf("request %d is %s after its approvals", id, s)
	}
}

func TestInitialRefusedAfterApproval(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	m := f.models(1)
	res, err := f.svc.Create(ctx, f.validator, input(validation.TypeInitial, m[0]), nil)
	if err != nil {
		t.Fatal(err)
	}
	f.approve(res.Value.RequestID)
	_, err = f.svc.Create(ctx, f.validator, input(validation.TypeInitial, m[0]), nil)
	e := wantCode(t, err, domain.CodeValidationConflict)
	c := e.Extra["conflicts"].([]validation.Conflict)
	if len(c) != 1 || len(c[0].ApprovedRequests) != 1 || c[0].ApprovedRequests[0].RequestID != res.Value.RequestID {
		t.Fatalf("conflicts %+v", c)
	}
	if _, err := f.svc.Create(ctx, f.validator, input(validation.TypeComprehensive, m[0]), nil); err != nil {
		t.Fatalf("COMPREHENSIVE after approval: %v", err)
	}
}

func TestClosedRequestFreesModels(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	m := f.models(2)
	res, err := f.svc.Create(ctx, f.validator, input(validation.TypeComprehensive, m[0], m[1]), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Create(ctx, f.validator, input(validation.TypeInterim, m[1]), nil); domain.CodeOf(err) != domain.CodeValidationConflict {
		t.Fatalf("while active: %v, want validation_conflict", err)
	}
	if _, err := f.svc.ChangeStatus(ctx, f.validator, res.Value.RequestID, validation.StatusCancelled, "duplicate request"); err != nil {
		t.Fatal(err)
	}
	var blocking int
	_ = f.db.Pool.QueryRow(ctx, "SELECT count(*) FROM validation_request_models WHERE request_id = $1 AND blocks_model", res.Value.RequestID).Scan(&blocking)
	if blocking != 0 {
		t.Fatalf("%d links still block after cancellation", blocking)
	}
	if _, err := f.svc.Create(ctx, f.validator, input(validation.TypeInterim, m[1]), nil); err != nil {
		t.Fatalf("after cancellation: %v", err)
	}
}

func TestChangeStatusRefusesForbiddenTransitions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	m := f.models(1)
	res, err := f.svc.Create(ctx, f.validator, input(validation.TypeTargeted, m[0]), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.ChangeStatus(ctx, f.validator, res.Value.RequestID, validation.StatusApproved, "")
	e := wantCode(t, err, domain.CodeInvalidTransition)
	if allowed := e.Extra["allowed"].([]string); len(allowed) != 3 {
		t.Fatalf("allowed %v", allowed)
	}
	if _, err := f.svc.ChangeStatus(ctx, f.user(domain.RoleUser), res.Value.RequestID, validation.StatusPlanning, ""); domain.CodeOf(err) != domain.CodeForbidden {
		t.Fatalf("USER change: %v", err)
	}
	if _, err := f.svc.ChangeStatus(ctx, f.validator, 999999, validation.StatusPlanning, ""); domain.CodeOf(err) != domain.CodeNotFound {
		t.Fatalf("missing: %v", err)
	}
	if _, err := f.svc.ChangeStatus(ctx, f.validator, res.Value.RequestID, "DONE", ""); domain.CodeOf(err) != domain.CodeInvalidRequest {
		t.Fatalf("unknown status: %v", err)
	}
}

// The table the trigger enforces holds exactly the Go map of the moves a user may ask for and the
// map of the moves only the service makes (PLANNING -> INTAKE, since v1.1's amendments), and no
// move is in both: a service-only move in the hand-set map would be offered by invalid_transition
// and made by POST .../status.
func TestTransitionsMatchTable(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	rows, err := f.db.Pool.Query(context.Background(), "SELECT from_status, to_status FROM validation_status_transitions")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	table := map[[2]string]bool{}
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		table[[2]string{a, b}] = true
	}
	n := 0
	byHand := validation.Transitions()
	for _, m := range []map[string][]string{byHand, validation.ServiceTransitions()} {
		for from, tos := range m {
			for _, to := range tos {
				n++
				if !table[[2]string{from, to}] {
					t.Errorf("%s -> %s is in Go but not in the table", from, to)
				}
			}
		}
	}
	if n != len(table) {
		t.Errorf("Go has %d transitions, the table %d", n, len(table))
	}
	for from, tos := range validation.ServiceTransitions() {
		for _, to := range tos {
			if slices.Contains(byHand[from], to) {
				t.Errorf("%s -> %s is made by the service only, but the hand-set map allows it", from, to)
			}
		}
	}
}

func TestLockTimeoutIsLockTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	m := f.models(1)
	holder := holdLock(t, f.db.Pool, m[0])
	defer func() { _ = holder.Rollback(context.Background()) }()
	svc := validation.NewService(f.db.Pool, pgtx.Limits{LockTimeout: 100 * time.Millisecond}, nil)
	start := time.Now()
	_, err := svc.Create(context.Background(), f.validator, input(validation.TypeInterim, m[0]), nil)
	_ = wantCode(t, err, domain.CodeLockTimeout)
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %v", d)
	}
}
