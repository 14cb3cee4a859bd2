package validation_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"mrmflow/internal/domain"
	"mrmflow/internal/validation"
)

// TestEnteringPendingApprovalCreatesTheRound: one GLOBAL approval, and one REGIONAL approval per
// region of the scope that requires one. The scope is the request's regions plus its REGIONAL
// versions' target regions, or, when both are empty, the regions its models run in.
func TestEnteringPendingApprovalCreatesTheRound(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 4)
	eu, us, apac, uk := f.region(true), f.region(false), f.region(true), f.region(true)
	models := f.models(2)
	f.runsIn(models[0], eu, us, apac)
	f.runsIn(models[1], uk)

	// Scope from the models: EU and APAC (of model 0) and the UK (of model 1) require approval.
	byModels := f.toPendingApproval(input(validation.TypeTargeted, models...))
	want := []string{"GLOBAL/-/PENDING", fmt.Sprintf("REGIONAL/%d/PENDING", eu), fmt.Sprintf("REGIONAL/%d/PENDING", apac), fmt.Sprintf("REGIONAL/%d/PENDING", uk)}
	if got := kinds(f.approvals(byModels)); !slices.Equal(got, want) {
		t.Errorf("scope from the models: approvals %v, want %v", got, want)
	}

	// Scope from the request's regions (US needs none) and a REGIONAL version's target regions.
	in := input(validation.TypeTargeted, models[0])
	in.RegionIDs = []int32{us}
	v := f.version(models[0], "2.0")
	f.exec(`UPDATE model_versions SET scope = 'REGIONAL' WHERE version_id = $1`, v)
	f.exec(`INSERT INTO model_version_regions (version_id, region_id) VALUES ($1, $2)`, v, uk)
	in.ModelVersions = map[int32]int32{models[0]: v}
	listed := f.toPendingApproval(in)
	want = []string{"GLOBAL/-/PENDING", fmt.Sprintf("REGIONAL/%d/PENDING", uk)}
	if got := kinds(f.approvals(listed)); !slices.Equal(got, want) {
		t.Errorf("scope from regions and versions: approvals %v, want %v", got, want)
	}
}

// TestGlobalVersionWidensTheApprovalScope: a request covering a GLOBAL version is approved for
// every region its models run in ("global wins", v1.1's amendments), whatever regions it lists:
// a model running in the EU (which requires regional approval) and the US, requested for the US
// only, gets a REGIONAL approval for the EU. The same request covering a REGIONAL version that
// targets the US does not.
func TestGlobalVersionWidensTheApprovalScope(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 4)
	eu, us := f.region(true), f.region(false)
	for _, c := range []struct {
		scope string
		want  []string
	}{
		{"GLOBAL", []string{"GLOBAL/-/PENDING", fmt.Sprintf("REGIONAL/%d/PENDING", eu)}},
		{"REGIONAL", []string{"GLOBAL/-/PENDING"}},
	} {
		model := f.models(1)[0]
		f.runsIn(model, eu, us)
		v := f.version(model, "2.0")
		if c.scope == "REGIONAL" {
			f.exec(`UPDATE model_versions SET scope = 'REGIONAL' WHERE version_id = $1`, v)
			f.exec(`INSERT INTO model_version_regions (version_id, region_id) VALUES ($1, $2)`, v, us)
		}
		in := input(validation.TypeChange, model)
		in.RegionIDs = []int32{us}
		in.ModelVersions = map[int32]int32{model: v}
		req := f.toPendingApproval(in)
		if got := kinds(f.approvals(req)); !slices.Equal(got, c.want) {
			t.Errorf("a %s version, regions [US]: approvals %v, want %v", c.scope, got, c.want)
		}
	}
}

// TestLastApprovalApprovesTheRequest: the request stays PENDING_APPROVAL until its last required
// approval is approved, then becomes APPROVED in that decision's transaction, with one history
// row and one audit row for the move, both by the last decider.
func TestLastApprovalApprovesTheRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 4)
	eu := f.region(true)
	model := f.models(1)[0]
	f.runsIn(model, eu)
	req := f.toPendingApproval(input(validation.TypeComprehensive, model))
	global, regional := f.approver(domain.RoleGlobalApprover), f.approver(domain.RoleRegionalApprover, eu)
	list := f.approvals(req)

	a, err := f.svc.Decide(context.Background(), global, list[0].ApprovalID, validation.DecisionInput{Decision: validation.ApprovalApproved, Comments: "sound"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != validation.ApprovalApproved || a.DecidedByID == nil || *a.DecidedByID != global.UserID || a.DecidedAt == nil || a.Comments == nil || *a.Comments != "sound" {
		t.Errorf("decided approval %+v", a)
	}
	if s := f.status(req); s != validation.StatusPendingApproval {
		t.Fatalf("after the first of two approvals the request is %s", s)
	}
	if _, err := f.svc.Decide(context.Background(), regional, list[1].ApprovalID, validation.DecisionInput{Decision: validation.ApprovalApproved}); err != nil {
		t.Fatal(err)
	}
	if s := f.status(req); s != validation.StatusApproved {
		t.Fatalf("after the last approval the request is %s", s)
	}
	if n := f.count(`SELECT count(*) FROM validation_status_history WHERE request_id = $1 AND to_status = 'APPROVED' AND changed_by = $2`, req, regional.UserID); n != 1 {
		t.Errorf("%d history rows for the approval by the last decider, want 1", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_logs WHERE entity_type = 'validation_request' AND entity_id = $1 AND changes->>'to_status' = 'APPROVED'`, req); n != 1 {
		t.Errorf("%d audit rows for the move to APPROVED, want 1", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_logs WHERE entity_type = 'validation_approval' AND action = 'APPROVAL_DECIDED' AND (changes->>'request_id')::int = $1`, req); n != 2 {
		t.Errorf("%d APPROVAL_DECIDED audit rows, want 2", n)
	}
	// The model is free again: a new non-targeted request for it is accepted.
	if _, err := f.svc.Create(context.Background(), f.validator, input(validation.TypeComprehensive, model), nil); err != nil {
		t.Errorf("create after approval: %v", err)
	}
}

// TestSendBackRevisesTheRequest: a send-back needs comments, moves the request to REVISION and
// voids the round's other pending approvals; the next PENDING_APPROVAL starts a fresh round.
func TestSendBackRevisesTheRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 4)
	eu := f.region(true)
	model := f.models(1)[0]
	f.runsIn(model, eu)
	req := f.toPendingApproval(input(validation.TypeComprehensive, model))
	regional := f.approver(domain.RoleRegionalApprover, eu)
	list := f.approvals(req)

	_, err := f.svc.Decide(context.Background(), regional, list[1].ApprovalID, validation.DecisionInput{Decision: validation.ApprovalSentBack})
	if domain.CodeOf(err) != domain.CodeInvalidRequest {
		t.Fatalf("send-back without comments: %v, want invalid_request", err)
	}
	if _, err := f.svc.Decide(context.Background(), regional, list[1].ApprovalID, validation.DecisionInput{Decision: validation.ApprovalSentBack, Comments: "EU back-testing missing"}); err != nil {
		t.Fatal(err)
	}
	if s := f.status(req); s != validation.StatusRevision {
		t.Fatalf("after a send-back the request is %s", s)
	}
	want := []string{"GLOBAL/-/VOIDED", fmt.Sprintf("REGIONAL/%d/SENT_BACK", eu)}
	if got := kinds(f.approvals(req)); !slices.Equal(got, want) {
		t.Errorf("after the send-back: %v, want %v", got, want)
	}
	if _, err := f.svc.ChangeStatus(context.Background(), f.validator, req, validation.StatusPendingApproval, "revised"); err != nil {
		t.Fatal(err)
	}
	want = append(want, "GLOBAL/-/PENDING", fmt.Sprintf("REGIONAL/%d/PENDING", eu))
	if got := kinds(f.approvals(req)); !slices.Equal(got, want) {
		t.Errorf("after resubmission: %v, want %v", got, want)
	}
	// Stepping back out of PENDING_APPROVAL voids the round as well.
	if _, err := f.svc.ChangeStatus(context.Background(), f.validator, req, validation.StatusReview, "one more look"); err != nil {
		t.Fatal(err)
	}
	if got := kinds(f.approvals(req))[2:]; !slices.Equal(got, []string{"GLOBAL/-/VOIDED", fmt.Sprintf("REGIONAL/%d/VOIDED", eu)}) {
		t.Errorf("after stepping back: %v", got)
	}
}

// TestDecisionRules: who may decide what, separation of duties for everyone (ADMIN included),
// decided once, only while the request awaits approval; a refused decision changes nothing.
func TestDecisionRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 4)
	eu, us := f.region(true), f.region(true)
	model := f.models(1)[0]
	f.runsIn(model, eu)
	req := f.toPendingApproval(input(validation.TypeComprehensive, model))
	list := f.approvals(req)
	global, regional := list[0].ApprovalID, list[1].ApprovalID

	assignedAdmin := f.approver(domain.RoleAdmin)
	no := false
	if _, err := f.svc.Assign(context.Background(), f.validator, req, validation.AssignInput{
		ValidatorID: assignedAdmin.UserID, IsPrimary: &no, IndependenceAttestation: true,
	}); err != nil {
		t.Fatal(err)
	}
	delegateAdmin := f.approver(domain.RoleAdmin)
	f.exec(`INSERT INTO model_delegates (model_id, user_id, granted_by) VALUES ($1, $2, $2)`, model, delegateAdmin.UserID)
	approve := validation.DecisionInput{Decision: validation.ApprovalApproved}
	cases := []struct {
		name     string
		actor    domain.Actor
		approval int32
		in       validation.DecisionInput
		want     domain.Code
	}{
		{"a VALIDATOR", f.approver(domain.RoleValidator), global, approve, domain.CodeForbidden},
		{"a USER", f.approver(domain.RoleUser), global, approve, domain.CodeForbidden},
		{"a regional approver, global approval", f.approver(domain.RoleRegionalApprover, eu), global, approve, domain.CodeForbidden},
		{"a global approver, regional approval", f.approver(domain.RoleGlobalApprover), regional, approve, domain.CodeForbidden},
		{"a regional approver of another region", f.approver(domain.RoleRegionalApprover, us), regional, approve, domain.CodeForbidden},
		{"an ADMIN delegate of the model", delegateAdmin, global, approve, domain.CodeDeciderNotIndependent},
		{"an ADMIN assigned to validate it", assignedAdmin, regional, approve, domain.CodeDeciderNotIndependent},
		{"the requestor (as owner of the model too)", f.validator, global, approve, domain.CodeForbidden},
		{"no such approval", f.approver(domain.RoleAdmin), 999999, approve, domain.CodeNotFound},
		{"an unknown decision", f.approver(domain.RoleAdmin), global, validation.DecisionInput{Decision: "REJECTED"}, domain.CodeInvalidRequest},
	}
	for _, c := range cases {
		_, err := f.svc.Decide(context.Background(), c.actor, c.approval, c.in)
		if domain.CodeOf(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	if n := f.count(`SELECT count(*) FROM validation_approvals WHERE request_id = $1 AND status <> 'PENDING'`, req); n != 0 {
		t.Fatalf("refused decisions changed %d approvals", n)
	}

	// The requestor is never independent, whatever their role: an ADMIN's own request.
	admin := f.approver(domain.RoleAdmin)
	other := f.models(1)[0]
	r, err := f.svc.Create(context.Background(), admin, input(validation.TypeTargeted, other), nil)
	if err != nil {
		t.Fatal(err)
	}
	f.assign(r.Value.RequestID, true, false)
	if _, err := f.svc.ChangeStatus(context.Background(), admin, r.Value.RequestID, validation.StatusInProgress, "step"); err != nil {
		t.Fatal(err)
	}
	f.outcome(r.Value.RequestID)
	if _, err := f.svc.ChangeStatus(context.Background(), admin, r.Value.RequestID, validation.StatusPendingApproval, "step"); err != nil {
		t.Fatal(err)
	}
	own := f.approvals(r.Value.RequestID)[0].ApprovalID
	if _, err := f.svc.Decide(context.Background(), admin, own, approve); domain.CodeOf(err) != domain.CodeDeciderNotIndependent {
		t.Errorf("ADMIN deciding their own request: %v, want not independent", err)
	}

	// Decided once.
	independent := f.approver(domain.RoleAdmin)
	if _, err := f.svc.Decide(context.Background(), independent, global, approve); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Decide(context.Background(), independent, global, approve); domain.CodeOf(err) != domain.CodeInvalidStatus {
		t.Errorf("second decision: %v, want invalid_status", err)
	}
	// Only while the request awaits approval: once it steps back, the round is void.
	if _, err := f.svc.ChangeStatus(context.Background(), f.validator, req, validation.StatusReview, "more work"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Decide(context.Background(), independent, regional, approve); domain.CodeOf(err) != domain.CodeInvalidStatus {
		t.Errorf("decision on a voided approval: %v, want invalid_status", err)
	}
}

// TestApproverQueue: GET /approvals?mine=true lists what the caller may decide now, by the same
// rules as the decision; a USER sees only the approvals of requests of their models.
func TestApproverQueue(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 4)
	eu, us := f.region(true), f.region(true)
	models := f.models(2)
	f.runsIn(models[0], eu)
	f.runsIn(models[1], us)
	reqEU := f.toPendingApproval(input(validation.TypeComprehensive, models[0]))
	reqUS := f.toPendingApproval(input(validation.TypeComprehensive, models[1]))
	page := domain.Page{Limit: 50}
	mine := validation.ApprovalFilter{Mine: true}
	requestsOf := func(actor domain.Actor, filter validation.ApprovalFilter) []string {
		t.Helper()
		items, _, err := f.svc.ListApprovals(context.Background(), actor, filter, page)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(items))
		for i, a := range items {
			out[i] = fmt.Sprintf("%d:%s", a.RequestID, a.ApprovalType)
		}
		return out
	}
	g := func(r int32) string { return fmt.Sprintf("%d:GLOBAL", r) }
	rg := func(r int32) string { return fmt.Sprintf("%d:REGIONAL", r) }
	if got, want := requestsOf(f.approver(domain.RoleGlobalApprover), mine), []string{g(reqEU), g(reqUS)}; !slices.Equal(got, want) {
		t.Errorf("global approver's queue %v, want %v", got, want)
	}
	if got, want := requestsOf(f.approver(domain.RoleRegionalApprover, eu), mine), []string{rg(reqEU)}; !slices.Equal(got, want) {
		t.Errorf("EU approver's queue %v, want %v", got, want)
	}
	if got, want := requestsOf(f.approver(domain.RoleAdmin), mine), []string{g(reqEU), rg(reqEU), g(reqUS), rg(reqUS)}; !slices.Equal(got, want) {
		t.Errorf("admin's queue %v, want %v", got, want)
	}
	// The validator requested both and owns the models: nothing to decide, whatever the role.
	if got := requestsOf(f.validator, mine); len(got) != 0 {
		t.Errorf("involved validator's queue %v, want empty", got)
	}
	// A USER delegate of model 1 sees only that request's approvals.
	delegate := f.approver(domain.RoleUser)
	f.exec(`INSERT INTO model_delegates (model_id, user_id, granted_by) VALUES ($1, $2, $2)`, models[1], delegate.UserID)
	if got, want := requestsOf(delegate, validation.ApprovalFilter{}), []string{g(reqUS), rg(reqUS)}; !slices.Equal(got, want) {
		t.Errorf("USER delegate sees %v, want %v", got, want)
	}
	if _, err := f.svc.RequestApprovals(context.Background(), delegate, reqEU, nil); domain.CodeOf(err) != domain.CodeNotFound {
		t.Errorf("USER reading another model's request approvals: %v, want not_found", err)
	}
	// Paging: one at a time, in id order, with a cursor.
	items, next, err := f.svc.ListApprovals(context.Background(), f.approver(domain.RoleAdmin), validation.ApprovalFilter{Status: ptr(validation.ApprovalPending)}, domain.Page{Limit: 3})
	if err != nil || len(items) != 3 || next == nil {
		t.Fatalf("first page: %d items, next %v, %v", len(items), next, err)
	}
	rest, next, err := f.svc.ListApprovals(context.Background(), f.approver(domain.RoleAdmin), validation.ApprovalFilter{}, domain.Page{After: *next, Limit: 3})
	if err != nil || len(rest) != 1 || next != nil || rest[0].ApprovalID <= items[2].ApprovalID {
		t.Fatalf("second page: %+v, next %v, %v", rest, next, err)
	}
	if _, _, err := f.svc.ListApprovals(context.Background(), delegate, validation.ApprovalFilter{Status: ptr("DONE")}, page); domain.CodeOf(err) != domain.CodeInvalidRequest {
		t.Errorf("unknown status filter: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestConcurrentLastApprovalsApproveOnce: the GLOBAL and three REGIONAL approvals of a request,
// decided by four approvers released together by a barrier, leave the request APPROVED with
// exactly one history row and one audit row for that move — 50 times over. (MRM3 loses this: each
// concurrent approver sees the others still pending and nobody moves the request.)
func TestConcurrentLastApprovalsApproveOnce(t *testing.T) {
	t.Parallel()
	if stuck := lastApprovalRace(t, nil, 50); stuck != 0 {
		t.Fatalf("%d of 50 requests were left in PENDING_APPROVAL with every approval approved", stuck)
	}
}

// TestConcurrentLastApprovalsWithoutLocksStall is the negative control: without the decision's
// model and request locks, concurrent approvers each count the others' approvals as pending and
// no one approves the request.
func TestConcurrentLastApprovalsWithoutLocksStall(t *testing.T) {
	t.Parallel()
	stuck := lastApprovalRace(t, validation.SkipDecisionLocks, 50)
	if stuck == 0 {
		t.Fatal("every request was approved without the decision locks: the race test could not catch the stall")
	}
	t.Logf("without the locks %d of 50 fully approved requests stayed PENDING_APPROVAL", stuck)
}

// lastApprovalRace runs rounds rounds of four concurrent approvals of one request and returns how
// many requests ended still PENDING_APPROVAL. It fails t on anything else that went wrong: a
// refused decision, a request approved twice.
func lastApprovalRace(t *testing.T, tweak func(*validation.Service), rounds int) int {
	t.Helper()
	f := newFixture(t, 8)
	if tweak != nil {
		tweak(f.svc)
	}
	regions := []int32{f.region(true), f.region(true), f.region(true)}
	model := f.models(1)[0]
	f.runsIn(model, regions...)
	deciders := []domain.Actor{f.approver(domain.RoleGlobalApprover)}
	for _, r := range regions {
		deciders = append(deciders, f.approver(domain.RoleRegionalApprover, r))
	}
	warm(t, f.db.Pool, 5)
	stuck := 0
	for round := range rounds {
		req := f.toPendingApproval(input(validation.TypeComprehensive, model))
		list := f.approvals(req)
		if len(list) != 4 {
			t.Fatalf("round %d: %d approvals, want 4", round, len(list))
		}
		start := make(chan struct{})
		errs := make([]error, len(list))
		var wg sync.WaitGroup
		for i, a := range list {
			wg.Go(func() {
				<-start
				_, errs[i] = f.svc.Decide(context.Background(), deciders[i], a.ApprovalID, validation.DecisionInput{Decision: validation.ApprovalApproved})
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: decision %d: %v", round, i, err)
			}
		}
		moves := f.count(`SELECT count(*) FROM validation_status_history WHERE request_id = $1 AND to_status = 'APPROVED'`, req)
		audits := f.count(`SELECT count(*) FROM audit_logs WHERE entity_type = 'validation_request' AND entity_id = $1 AND changes->>'to_status' = 'APPROVED'`, req)
		switch status := f.status(req); {
		case status == validation.StatusPendingApproval && moves == 0 && audits == 0:
			stuck++
			// Free the model for the next round.
			if _, err := f.svc.ChangeStatus(context.Background(), f.validator, req, validation.StatusCancelled, "stalled round"); err != nil {
				t.Fatal(err)
			}
		case status == validation.StatusApproved && moves == 1 && audits == 1:
		default:
			t.Fatalf("round %d: request %s with %d history and %d audit rows for APPROVED", round, status, moves, audits)
		}
	}
	return stuck
}

// TestDeploymentApprovalsAreDecidedOutsideTheRound: a DEPLOYMENT approval (what a confirmation in
// a region outside the validation's scope creates) is decided by a regional approver of its region
// whatever the request's status, and deciding it leaves the request as it was.
func TestDeploymentApprovalsAreDecidedOutsideTheRound(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 4)
	eu := f.region(true)
	model := f.models(1)[0]
	r, err := f.svc.Create(context.Background(), f.validator, input(validation.TypeComprehensive, model), nil)
	if err != nil {
		t.Fatal(err)
	}
	req := r.Value.RequestID
	var approval int32
	if err := f.db.Pool.QueryRow(context.Background(), `
		INSERT INTO validation_approvals (request_id, region_id, approval_type) VALUES ($1, $2, 'DEPLOYMENT')
		RETURNING approval_id`, req, eu).Scan(&approval); err != nil {
		t.Fatal(err)
	}
	regional := f.approver(domain.RoleRegionalApprover, eu)
	items, _, err := f.svc.ListApprovals(context.Background(), regional, validation.ApprovalFilter{Mine: true}, domain.Page{Limit: 10})
	if err != nil || len(items) != 1 || items[0].ApprovalID != approval {
		t.Fatalf("regional queue %+v, %v", items, err)
	}
	if _, err := f.svc.Decide(context.Background(), f.approver(domain.RoleGlobalApprover), approval, validation.DecisionInput{Decision: validation.ApprovalApproved}); domain.CodeOf(err) != domain.CodeForbidden {
		t.Errorf("global approver deciding a DEPLOYMENT approval: %v, want forbidden", err)
	}
	a, err := f.svc.Decide(context.Background(), regional, approval, validation.DecisionInput{Decision: validation.ApprovalSentBack, Comments: "deployed without EU sign-off"})
	if err != nil || a.Status != validation.ApprovalSentBack {
		t.Fatalf("decide: %+v, %v", a, err)
	}
	if s := f.status(req); s != validation.StatusIntake {
		t.Errorf("deciding a DEPLOYMENT approval moved the request to %s", s)
	}
}
