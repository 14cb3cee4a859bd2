package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/validation"
)

// tieredModel is a model answer with its risk tier.
type tieredModel struct {
	ModelID  int32   `json:"model_id"`
	OwnerID  int32   `json:"owner_id"`
	RiskTier *string `json:"risk_tier"`
}

func tierOf(m tieredModel) string {
	if m.RiskTier == nil {
		return "null"
	}
	return *m.RiskTier
}

// fromTo is an audit row's change of one setting.
type fromTo[T any] struct {
	From T `json:"from"`
	To   T `json:"to"`
}

// A model's risk tier: set on create and with PATCH by ADMIN and VALIDATOR only, shown on every
// model answer (create, get, list), cleared with null, audited with from and to; anyone else
// sending it is 403, a bad tier 400 naming risk_tier, and none of the refusals writes.
func TestModelRiskTier(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	validator, owner := e.user(domain.RoleValidator), e.user(domain.RoleUser)

	var m tieredModel
	e.call(http.MethodPost, "/api/v1/models", validator.Token, map[string]any{"model_name": "PD", "risk_tier": "TIER_2"}).
		want(http.StatusCreated).decode(&m)
	if tierOf(m) != "TIER_2" || m.OwnerID != validator.ID {
		t.Fatalf("created by a VALIDATOR: %+v", m)
	}
	var adm tieredModel
	e.call(http.MethodPost, "/api/v1/models", e.admin.Token, map[string]any{"model_name": "LGD", "owner_id": owner.ID, "risk_tier": "TIER_4"}).
		want(http.StatusCreated).decode(&adm)
	if tierOf(adm) != "TIER_4" {
		t.Fatalf("created by ADMIN: %+v", adm)
	}
	wantCreateAudit := e.wantAudit("MODEL_CREATED", "model", adm.ModelID, e.admin.ID)
	if !strings.Contains(string(wantCreateAudit.Changes), `"risk_tier": "TIER_4"`) && !strings.Contains(string(wantCreateAudit.Changes), `"risk_tier":"TIER_4"`) {
		t.Fatalf("MODEL_CREATED changes %s lack the tier", wantCreateAudit.Changes)
	}
	// A USER still creates a model without a tier: not assessed.
	var plain tieredModel
	e.call(http.MethodPost, "/api/v1/models", owner.Token, map[string]any{"model_name": "EAD"}).want(http.StatusCreated).decode(&plain)
	if plain.RiskTier != nil {
		t.Fatalf("a model created without a tier has %q", *plain.RiskTier)
	}

	before := e.rowCounts()
	for _, role := range []domain.Role{domain.RoleUser, domain.RoleGlobalApprover, domain.RoleRegionalApprover} {
		u := e.user(role)
		before = e.rowCounts()
		e.call(http.MethodPost, "/api/v1/models", u.Token, map[string]any{"model_name": "X", "risk_tier": "TIER_1"}).
			wantProblem(http.StatusForbidden, "forbidden")
		e.wantUnchanged(before)
	}
	for _, bad := range []any{"TIER_9", "tier_1", ""} {
		p := e.call(http.MethodPost, "/api/v1/models", e.admin.Token, map[string]any{"model_name": "X", "risk_tier": bad}).
			wantProblem(http.StatusBadRequest, "invalid_request")
		wantField(t, p, "risk_tier")
	}
	p := e.call(http.MethodPost, "/api/v1/models", e.admin.Token, `{"model_name": "X", "risk_tier": 1}`).
		wantProblem(http.StatusBadRequest, "invalid_request")
	wantField(t, p, "risk_tier")
	e.wantUnchanged(before)

	// Shown by get and list.
	var got tieredModel
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/models/%d", m.ModelID), owner.Token, nil).want(http.StatusOK).decode(&got)
	if tierOf(got) != "TIER_2" {
		t.Fatalf("get: %+v", got)
	}
	var listed page[tieredModel]
	e.call(http.MethodGet, "/api/v1/models?limit=500", owner.Token, nil).want(http.StatusOK).decode(&listed)
	tiers := map[int32]string{}
	for _, it := range listed.Items {
		tiers[it.ModelID] = tierOf(it)
	}
	if tiers[m.ModelID] != "TIER_2" || tiers[adm.ModelID] != "TIER_4" || tiers[plain.ModelID] != "null" {
		t.Fatalf("list tiers: %v", tiers)
	}

	// PATCH: a VALIDATOR sets it, an ADMIN clears it; each audited with from and to.
	path := fmt.Sprintf("/api/v1/models/%d", plain.ModelID)
	var patched tieredModel
	e.call(http.MethodPatch, path, validator.Token, map[string]any{"risk_tier": "TIER_1"}).want(http.StatusOK).decode(&patched)
	if tierOf(patched) != "TIER_1" || patched.ModelID != plain.ModelID || patched.OwnerID != owner.ID {
		t.Fatalf("patched: %+v", patched)
	}
	var set struct {
		RiskTier fromTo[*string] `json:"risk_tier"`
	}
	if err := json.Unmarshal(e.wantAudit("MODEL_UPDATED", "model", plain.ModelID, validator.ID).Changes, &set); err != nil {
		t.Fatal(err)
	}
	if set.RiskTier.From != nil || set.RiskTier.To == nil || *set.RiskTier.To != "TIER_1" {
		t.Fatalf("MODEL_UPDATED by the VALIDATOR: %+v", set)
	}
	e.call(http.MethodPatch, path, e.admin.Token, map[string]any{"risk_tier": nil}).want(http.StatusOK).decode(&patched)
	if patched.RiskTier != nil {
		t.Fatalf("null did not clear the tier: %+v", patched)
	}
	if err := json.Unmarshal(e.wantAudit("MODEL_UPDATED", "model", plain.ModelID, e.admin.ID).Changes, &set); err != nil {
		t.Fatal(err)
	}
	if set.RiskTier.From == nil || *set.RiskTier.From != "TIER_1" || set.RiskTier.To != nil {
		t.Fatalf("MODEL_UPDATED by the ADMIN: %+v", set)
	}

	// Refusals write nothing: the owner and approvers (403), bad bodies (400), a missing model (404).
	others := []fixtureUser{owner, e.user(domain.RoleGlobalApprover), e.user(domain.RoleRegionalApprover)}
	before = e.rowCounts()
	for _, u := range others {
		e.call(http.MethodPatch, path, u.Token, map[string]any{"risk_tier": "TIER_3"}).wantProblem(http.StatusForbidden, "forbidden")
	}
	for body, field := range map[string]string{
		`{}`:                              "risk_tier",
		`{"risk_tier": "TIER_5"}`:         "risk_tier",
		`{"risk_tier": 3}`:                "risk_tier",
		`{"risk_tier": ["TIER_1"]}`:       "risk_tier",
		`{"risk_tier": "TIER_1", "x": 1}`: "x",
		`{"model_name": "renamed"}`:       "model_name",
	} {
		p := e.call(http.MethodPatch, path, e.admin.Token, body).wantProblem(http.StatusBadRequest, "invalid_request")
		wantField(t, p, field)
	}
	e.call(http.MethodPatch, "/api/v1/models/2147483647", e.admin.Token, map[string]any{"risk_tier": "TIER_1"}).
		wantProblem(http.StatusNotFound, "not_found")
	e.wantUnchanged(before)
	e.call(http.MethodGet, path, owner.Token, nil).want(http.StatusOK).decode(&got)
	if got.RiskTier != nil {
		t.Fatalf("a refused PATCH changed the tier: %+v", got)
	}
}

// policyAnswer is a validation policy as the API shows it.
type policyAnswer struct {
	RiskTier                string    `json:"risk_tier"`
	FrequencyMonths         int32     `json:"frequency_months"`
	GracePeriodMonths       int32     `json:"grace_period_months"`
	ModelChangeLeadTimeDays int32     `json:"model_change_lead_time_days"`
	UpdatedAt               time.Time `json:"updated_at"`
}

func (p policyAnswer) figures() string {
	return fmt.Sprintf("%s %d/%d/%d", p.RiskTier, p.FrequencyMonths, p.GracePeriodMonths, p.ModelChangeLeadTimeDays)
}

func (e *testEnv) policies(u fixtureUser) []string {
	e.t.Helper()
	var l struct {
		Items []policyAnswer `json:"items"`
	}
	e.call(http.MethodGet, "/api/v1/validation-policies", u.Token, nil).want(http.StatusOK).decode(&l)
	out := make([]string, len(l.Items))
	for i, p := range l.Items {
		out[i] = p.figures()
	}
	return out
}

// The validation policies: anyone reads the four in tier order, seeded with MRM3's figures; only
// ADMIN replaces one, every figure required and within the table's ranges (both sides of each
// bound), an unknown tier 404; the change is audited on the tier's rank with from and to.
func TestValidationPolicies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user(domain.RoleUser)
	seeded := "[TIER_1 12/2/120 TIER_2 18/3/90 TIER_3 24/3/60 TIER_4 36/4/45]"
	if got := fmt.Sprint(e.policies(owner)); got != seeded {
		t.Fatalf("policies = %s, want %s", got, seeded)
	}
	if e.call(http.MethodGet, "/api/v1/validation-policies?x=1", owner.Token, nil).Status != http.StatusBadRequest {
		t.Fatal("an unknown parameter was accepted")
	}

	body := map[string]any{"frequency_months": 6, "grace_period_months": 1, "model_change_lead_time_days": 30}
	others := []fixtureUser{e.user(domain.RoleValidator), owner, e.user(domain.RoleGlobalApprover)}
	before := e.rowCounts()
	for _, u := range others {
		e.call(http.MethodPut, "/api/v1/validation-policies/TIER_1", u.Token, body).wantProblem(http.StatusForbidden, "forbidden")
	}
	for _, tier := range []string{"TIER_5", "tier_1", "X"} {
		e.call(http.MethodPut, "/api/v1/validation-policies/"+tier, e.admin.Token, body).wantProblem(http.StatusNotFound, "not_found")
	}
	bad := []struct {
		field string
		value any
	}{
		{"frequency_months", 0}, {"frequency_months", 121}, {"frequency_months", nil}, {"frequency_months", 1 << 40},
		{"grace_period_months", -1}, {"grace_period_months", 61}, {"grace_period_months", nil},
		{"model_change_lead_time_days", -1}, {"model_change_lead_time_days", 3651}, {"model_change_lead_time_days", nil},
		{"model_change_lead_time_days", "30"},
	}
	for _, b := range bad {
		in := map[string]any{"frequency_months": 6, "grace_period_months": 1, "model_change_lead_time_days": 30}
		if b.value == nil {
			delete(in, b.field)
		} else {
			in[b.field] = b.value
		}
		p := e.call(http.MethodPut, "/api/v1/validation-policies/TIER_2", e.admin.Token, in).wantProblem(http.StatusBadRequest, "invalid_request")
		wantField(t, p, b.field)
	}
	p := e.call(http.MethodPut, "/api/v1/validation-policies/TIER_2", e.admin.Token,
		`{"frequency_months": 6, "grace_period_months": 1, "model_change_lead_time_days": 30, "tier_rank": 9}`).
		wantProblem(http.StatusBadRequest, "invalid_request")
	wantField(t, p, "tier_rank")
	e.wantUnchanged(before)
	if got := fmt.Sprint(e.policies(owner)); got != seeded {
		t.Fatalf("refused changes changed the policies: %s", got)
	}

	// The bounds themselves are accepted: 1 and 120, 0 and 60, 0 and 3650.
	var pol policyAnswer
	e.call(http.MethodPut, "/api/v1/validation-policies/TIER_3", e.admin.Token,
		map[string]any{"frequency_months": 120, "grace_period_months": 60, "model_change_lead_time_days": 3650}).
		want(http.StatusOK).decode(&pol)
	if pol.figures() != "TIER_3 120/60/3650" || pol.UpdatedAt.IsZero() {
		t.Fatalf("policy = %+v", pol)
	}
	e.call(http.MethodPut, "/api/v1/validation-policies/TIER_3", e.admin.Token,
		map[string]any{"frequency_months": 1, "grace_period_months": 0, "model_change_lead_time_days": 0}).
		want(http.StatusOK).decode(&pol)
	if pol.figures() != "TIER_3 1/0/0" {
		t.Fatalf("policy = %+v", pol)
	}
	if got := fmt.Sprint(e.policies(owner)); got != "[TIER_1 12/2/120 TIER_2 18/3/90 TIER_3 1/0/0 TIER_4 36/4/45]" {
		t.Fatalf("policies after the change = %s", got)
	}
	rows := e.audits(url.Values{"entity_type": {"validation_policy"}, "entity_id": {"3"}, "action": {"VALIDATION_POLICY_UPDATED"}})
	if len(rows) != 2 {
		t.Fatalf("%d audit rows for TIER_3 (rank 3), want 2", len(rows))
	}
	var ch struct {
		RiskTier  string        `json:"risk_tier"`
		Frequency fromTo[int32] `json:"frequency_months"`
		Grace     fromTo[int32] `json:"grace_period_months"`
		Lead      fromTo[int32] `json:"model_change_lead_time_days"`
	}
	if err := json.Unmarshal(rows[0].Changes, &ch); err != nil { // newest first
		t.Fatal(err)
	}
	if ch.RiskTier != "TIER_3" || ch.Frequency != (fromTo[int32]{120, 1}) || ch.Grace != (fromTo[int32]{60, 0}) || ch.Lead != (fromTo[int32]{3650, 0}) ||
		rows[0].UserID == nil || *rows[0].UserID != e.admin.ID {
		t.Fatalf("audit row = %+v (%s)", ch, rows[0].Changes)
	}
	if err := json.Unmarshal(rows[1].Changes, &ch); err != nil {
		t.Fatal(err)
	}
	if ch.Frequency != (fromTo[int32]{24, 120}) || ch.Grace != (fromTo[int32]{3, 60}) || ch.Lead != (fromTo[int32]{60, 3650}) {
		t.Fatalf("first audit row = %+v", ch)
	}
}

// Concurrent edits of one policy are judged one after the other under its row lock: their audit
// rows form one chain, each "from" the "to" of the edit before it, ending at what the policy holds.
func TestValidationPolicyEditsChain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const editors = 8
	var wg sync.WaitGroup
	start := make(chan struct{})
	statuses := make([]int, editors)
	for i := range editors {
		wg.Go(func() {
			<-start
			statuses[i] = e.call(http.MethodPut, "/api/v1/validation-policies/TIER_1", e.admin.Token,
				map[string]any{"frequency_months": 20 + i, "grace_period_months": 2, "model_change_lead_time_days": 120}).Status
		})
	}
	close(start)
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusOK {
			t.Fatalf("edit %d: status %d", i, s)
		}
	}
	rows := e.audits(url.Values{"entity_type": {"validation_policy"}, "entity_id": {"1"}})
	if len(rows) != editors {
		t.Fatalf("%d audit rows, want %d", len(rows), editors)
	}
	prev := int32(12) // the seeded frequency; rows are newest first
	for i := len(rows) - 1; i >= 0; i-- {
		var ch struct {
			Frequency fromTo[int32] `json:"frequency_months"`
		}
		if err := json.Unmarshal(rows[i].Changes, &ch); err != nil {
			t.Fatal(err)
		}
		if ch.Frequency.From != prev {
			t.Fatalf("audit row %d: from %d, want %d (the edit before it)", rows[i].AuditID, ch.Frequency.From, prev)
		}
		prev = ch.Frequency.To
	}
	var freq int32
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT frequency_months FROM validation_policies WHERE risk_tier = 'TIER_1'`).Scan(&freq); err != nil {
		t.Fatal(err)
	}
	if freq != prev {
		t.Fatalf("policy holds %d, the last audit row says %d", freq, prev)
	}
}

// slaAnswer is the workflow SLA as the API shows it.
type slaAnswer struct {
	AssignmentDays int32     `json:"assignment_days"`
	BeginWorkDays  int32     `json:"begin_work_days"`
	ApprovalDays   int32     `json:"approval_days"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// The workflow SLA: anyone reads it (seeded 10/5/10); only ADMIN replaces it, every figure
// required, 1..365 (both sides of each bound); audited on workflow_sla 1 with from and to.
func TestWorkflowSLA(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.user(domain.RoleUser)
	var sla slaAnswer
	e.call(http.MethodGet, "/api/v1/workflow-sla", owner.Token, nil).want(http.StatusOK).decode(&sla)
	if sla.AssignmentDays != 10 || sla.BeginWorkDays != 5 || sla.ApprovalDays != 10 || sla.UpdatedAt.IsZero() {
		t.Fatalf("sla = %+v", sla)
	}
	ok := map[string]any{"assignment_days": 7, "begin_work_days": 3, "approval_days": 14}
	others := []fixtureUser{e.user(domain.RoleValidator), owner, e.user(domain.RoleRegionalApprover)}
	before := e.rowCounts()
	for _, u := range others {
		e.call(http.MethodPut, "/api/v1/workflow-sla", u.Token, ok).wantProblem(http.StatusForbidden, "forbidden")
	}
	for _, field := range []string{"assignment_days", "begin_work_days", "approval_days"} {
		for _, v := range []any{0, 366, nil, -5} {
			in := map[string]any{"assignment_days": 7, "begin_work_days": 3, "approval_days": 14}
			if v == nil {
				delete(in, field)
			} else {
				in[field] = v
			}
			p := e.call(http.MethodPut, "/api/v1/workflow-sla", e.admin.Token, in).wantProblem(http.StatusBadRequest, "invalid_request")
			wantField(t, p, field)
		}
	}
	e.wantUnchanged(before)
	e.call(http.MethodGet, "/api/v1/workflow-sla", owner.Token, nil).want(http.StatusOK).decode(&sla)
	if sla.AssignmentDays != 10 || sla.BeginWorkDays != 5 || sla.ApprovalDays != 10 {
		t.Fatalf("refused changes changed the SLA: %+v", sla)
	}

	e.call(http.MethodPut, "/api/v1/workflow-sla", e.admin.Token, map[string]any{"assignment_days": 1, "begin_work_days": 365, "approval_days": 14}).
		want(http.StatusOK).decode(&sla)
	if sla.AssignmentDays != 1 || sla.BeginWorkDays != 365 || sla.ApprovalDays != 14 {
		t.Fatalf("sla = %+v", sla)
	}
	e.call(http.MethodGet, "/api/v1/workflow-sla", owner.Token, nil).want(http.StatusOK).decode(&sla)
	if sla.AssignmentDays != 1 || sla.BeginWorkDays != 365 || sla.ApprovalDays != 14 {
		t.Fatalf("sla read back = %+v", sla)
	}
	var ch struct {
		Assignment fromTo[int32] `json:"assignment_days"`
		BeginWork  fromTo[int32] `json:"begin_work_days"`
		Approval   fromTo[int32] `json:"approval_days"`
	}
	if err := json.Unmarshal(e.wantAudit("WORKFLOW_SLA_UPDATED", "workflow_sla", 1, e.admin.ID).Changes, &ch); err != nil {
		t.Fatal(err)
	}
	if ch.Assignment != (fromTo[int32]{10, 1}) || ch.BeginWork != (fromTo[int32]{5, 365}) || ch.Approval != (fromTo[int32]{10, 14}) {
		t.Fatalf("audit = %+v", ch)
	}
}

// submissionAnswer is a request answer with what a submission changes.
type submissionAnswer struct {
	RequestID              int32   `json:"request_id"`
	Status                 string  `json:"status"`
	SubmissionReceivedDate *string `json:"submission_received_date"`
	History                []struct {
		FromStatus *string `json:"from_status"`
		ToStatus   string  `json:"to_status"`
		Reason     *string `json:"reason"`
	} `json:"history"`
}

// submissionScene is a request of a model owned by a USER, created by a VALIDATOR, with its
// primary validator.
type submissionScene struct {
	e         *testEnv
	svc       *validation.Service
	owner     fixtureUser
	primary   fixtureUser
	requestID int32
	path      string
}

func (e *testEnv) submissionScene(svc *validation.Service, withPrimary bool) *submissionScene {
	e.t.Helper()
	owner, requestor := e.user(domain.RoleUser), e.user(domain.RoleValidator)
	m := e.model(owner)
	r, err := svc.Create(context.Background(), domain.Actor{UserID: requestor.ID, Role: domain.RoleValidator},
		validation.CreateInput{ModelIDs: []int32{m.ModelID}, ValidationType: validation.TypeTargeted, Priority: validation.PriorityLow,
			TargetCompletionDate: ptrDate("2027-06-30")}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	s := &submissionScene{e: e, svc: svc, owner: owner, requestID: r.Value.RequestID,
		path: fmt.Sprintf("/api/v1/validation-requests/%d/submission", r.Value.RequestID)}
	if withPrimary {
		s.primary = e.user(domain.RoleValidator)
		yes := true
		if _, err := svc.Assign(context.Background(), domain.Actor{UserID: e.admin.ID, Role: domain.RoleAdmin}, s.requestID,
			validation.AssignInput{ValidatorID: s.primary.ID, IsPrimary: &yes, IndependenceAttestation: true}); err != nil {
			e.t.Fatal(err)
		}
	}
	return s
}

// submissionState is what a submission writes, read straight from the database.
func (s *submissionScene) state() string {
	s.e.t.Helper()
	var st string
	err := s.e.db.Pool.QueryRow(context.Background(), `
		SELECT vr.status || ' ' || coalesce(vr.submission_received_date::text, '-') || ' ' || coalesce(vr.submission_notes, '-') || ' ' ||
		       (SELECT count(*) FROM validation_status_history h WHERE h.request_id = vr.request_id) || ' ' ||
		       (SELECT count(*) FROM audit_logs a WHERE a.entity_type = 'validation_request' AND a.entity_id = vr.request_id)
		FROM validation_requests vr WHERE vr.request_id = $1`, s.requestID).Scan(&st)
	if err != nil {
		s.e.t.Fatal(err)
	}
	return st
}

// dbToday is the database's day in UTC and the days around it.
func (e *testEnv) dbToday() (yesterday, today, tomorrow string) {
	e.t.Helper()
	err := e.db.Pool.QueryRow(context.Background(), `
		SELECT (d - 1)::text, d::text, (d + 1)::text FROM (SELECT (now() AT TIME ZONE 'UTC')::date AS d) t`).Scan(&yesterday, &today, &tomorrow)
	if err != nil {
		e.t.Fatal(err)
	}
	return yesterday, today, tomorrow
}

// Submission received: an assigned validator records it once, not after today; a PLANNING
// request moves to IN_PROGRESS with its history and audit rows; the date shows on the request
// (one and listed). Everyone else is 403, bad bodies 400 naming the field, a second submission
// 409 conflict, and none of the refusals writes.
func TestSubmissionReceived(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svc := validation.NewService(e.db.Pool, pgtx.Limits{LockTimeout: 5 * time.Second}, nil)
	yesterday, today, tomorrow := e.dbToday()
	s := e.submissionScene(svc, true)
	planning := s.state()
	if !strings.HasPrefix(planning, "PLANNING - - ") {
		t.Fatalf("scene = %s", planning)
	}

	// Not assigned, not ADMIN: 403, whatever the role, the model's owner included.
	for _, u := range []fixtureUser{s.owner, e.user(domain.RoleValidator), e.user(domain.RoleGlobalApprover), e.user(domain.RoleRegionalApprover)} {
		e.call(http.MethodPost, s.path, u.Token, map[string]any{"received_date": yesterday}).wantProblem(http.StatusForbidden, "forbidden")
	}
	// Bad bodies: 400 naming the field; a day after today in UTC is refused, today is not.
	for body, field := range map[string]string{
		`{}`:                                    "received_date",
		`{"received_date": "2026-02-30"}`:       "received_date",
		`{"received_date": "31/01/2026"}`:       "received_date",
		`{"received_date": "` + tomorrow + `"}`: "received_date",
		`{"received_date": "` + yesterday + `", "notes": "` + strings.Repeat("n", 4001) + `"}`: "notes",
		`{"received_date": "` + yesterday + `", "status": "IN_PROGRESS"}`:                      "status",
	} {
		p := e.call(http.MethodPost, s.path, s.primary.Token, body).wantProblem(http.StatusBadRequest, "invalid_request")
		wantField(t, p, field)
	}
	e.call(http.MethodPost, "/api/v1/validation-requests/2147483647/submission", e.admin.Token, map[string]any{"received_date": yesterday}).
		wantProblem(http.StatusNotFound, "not_found")
	if got := s.state(); got != planning {
		t.Fatalf("refused submissions wrote: %s, was %s", got, planning)
	}

	var v submissionAnswer
	e.call(http.MethodPost, s.path, s.primary.Token, map[string]any{"received_date": today, "notes": "model documentation v3"}).
		want(http.StatusOK).decode(&v)
	last := v.History[len(v.History)-1]
	if v.Status != validation.StatusInProgress || v.SubmissionReceivedDate == nil || *v.SubmissionReceivedDate != today ||
		last.FromStatus == nil || *last.FromStatus != validation.StatusPlanning || last.ToStatus != validation.StatusInProgress ||
		last.Reason == nil || *last.Reason != "submission received" {
		t.Fatalf("after the submission: %+v", v)
	}
	e.wantAudit("SUBMISSION_RECEIVED", "validation_request", s.requestID, s.primary.ID)
	moved := e.audits(url.Values{"entity_type": {"validation_request"}, "entity_id": {fmt.Sprint(s.requestID)}, "action": {"VALIDATION_STATUS_CHANGED"}, "user_id": {fmt.Sprint(s.primary.ID)}})
	if len(moved) != 1 || !strings.Contains(string(moved[0].Changes), `"to_status": "IN_PROGRESS"`) && !strings.Contains(string(moved[0].Changes), `"to_status":"IN_PROGRESS"`) {
		t.Fatalf("status change audit rows: %+v", moved)
	}
	submitted := s.state()

	// Once: a second submission is 409 conflict, by the same validator or an ADMIN, and writes nothing.
	for _, u := range []fixtureUser{s.primary, e.admin} {
		e.call(http.MethodPost, s.path, u.Token, map[string]any{"received_date": yesterday}).wantProblem(http.StatusConflict, "conflict")
	}
	if got := s.state(); got != submitted {
		t.Fatalf("a second submission wrote: %s, was %s", got, submitted)
	}

	// Shown on the request, one and listed (JSON and CSV).
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/validation-requests/%d", s.requestID), s.owner.Token, nil).want(http.StatusOK).decode(&v)
	if v.SubmissionReceivedDate == nil || *v.SubmissionReceivedDate != today {
		t.Fatalf("GET: %+v", v)
	}
	var listed page[submissionAnswer]
	e.call(http.MethodGet, "/api/v1/validation-requests?limit=500", e.admin.Token, nil).want(http.StatusOK).decode(&listed)
	if len(listed.Items) != 1 || listed.Items[0].SubmissionReceivedDate == nil || *listed.Items[0].SubmissionReceivedDate != today {
		t.Fatalf("list: %+v", listed.Items)
	}
	csv := e.call(http.MethodGet, "/api/v1/validation-requests?format=csv", e.admin.Token, nil).want(http.StatusOK)
	if !strings.Contains(strings.SplitN(string(csv.Body), "\n", 2)[0], "submission_received_date") || !strings.Contains(string(csv.Body), today) {
		t.Fatalf("CSV lacks the submission date:\n%s", csv.Body)
	}

	// A request not yet in PLANNING (no primary) only records the date; an ADMIN need not be assigned.
	intake := e.submissionScene(svc, false)
	e.call(http.MethodPost, intake.path, e.admin.Token, map[string]any{"received_date": yesterday}).want(http.StatusOK).decode(&v)
	if v.Status != validation.StatusIntake || v.SubmissionReceivedDate == nil || *v.SubmissionReceivedDate != yesterday {
		t.Fatalf("INTAKE request after the submission: %+v", v)
	}
	var fresh page[submissionAnswer]
	e.call(http.MethodGet, "/api/v1/validation-requests?limit=500", e.admin.Token, nil).want(http.StatusOK).decode(&fresh)
	for _, it := range fresh.Items {
		if it.RequestID != intake.requestID && it.RequestID != s.requestID && it.SubmissionReceivedDate != nil {
			t.Fatalf("request %d shows a submission it never had", it.RequestID)
		}
	}
}

// A PLANNING request whose submission would move it to IN_PROGRESS without a primary validator is
// refused with the gate's 409 and nothing is written, the date included; a closed request is 409
// invalid_status.
func TestSubmissionGatesAndClosedRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svc := validation.NewService(e.db.Pool, pgtx.Limits{LockTimeout: 5 * time.Second}, nil)
	yesterday, _, _ := e.dbToday()

	s := e.submissionScene(svc, true)
	// The primary steps down to a plain assignment while the request is in PLANNING (as a
	// reassignment in flight leaves it): the move to IN_PROGRESS lacks its primary.
	e.sql(`UPDATE validation_assignments SET is_primary = false WHERE request_id = $1`, s.requestID)
	before := s.state()
	p := e.call(http.MethodPost, s.path, s.primary.Token, map[string]any{"received_date": yesterday}).wantProblem(http.StatusConflict, "gate_not_met")
	if len(p.Unmet) != 1 || p.Unmet[0] != validation.GateNoPrimaryValidator {
		t.Fatalf("unmet = %v", p.Unmet)
	}
	if got := s.state(); got != before || !strings.HasPrefix(got, "PLANNING - - ") {
		t.Fatalf("a refused submission wrote: %s, was %s", got, before)
	}

	closed := e.submissionScene(svc, true)
	if _, err := svc.ChangeStatus(context.Background(), domain.Actor{UserID: e.admin.ID, Role: domain.RoleAdmin}, closed.requestID,
		validation.StatusCancelled, "the model was retired"); err != nil {
		t.Fatal(err)
	}
	before = closed.state()
	e.call(http.MethodPost, closed.path, closed.primary.Token, map[string]any{"received_date": yesterday}).
		wantProblem(http.StatusConflict, "invalid_status")
	if got := closed.state(); got != before {
		t.Fatalf("a closed request's submission wrote: %s, was %s", got, before)
	}
}

// The schedule's dates follow a policy edit and a tier change at once (they are computed, never
// stored): a model fully validated on 31 January 2026 has its dates from TIER_1's 12/2/120, then
// from the edited 1/1/0 (31 January plus one month is 28 February: clamped to the month's end),
// then from TIER_4's 36/4/45, and none once its tier is cleared.
func TestScheduleFollowsPolicyAndTier(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var m tieredModel
	e.call(http.MethodPost, "/api/v1/models", e.admin.Token, map[string]any{"model_name": "PD", "risk_tier": "TIER_1"}).
		want(http.StatusCreated).decode(&m)
	request := e.id(`INSERT INTO validation_requests (requestor_id, validation_type, is_targeted, priority, status, is_closed, target_completion_date)
		VALUES ($1, 'COMPREHENSIVE', false, 'MEDIUM', 'APPROVED', true, '2026-06-30') RETURNING request_id`, e.admin.ID)
	e.exec(`INSERT INTO validation_status_history (request_id, from_status, to_status, changed_by, changed_at)
		VALUES ($1, 'PENDING_APPROVAL', 'APPROVED', $2, '2026-01-31T23:30:00Z')`, request, e.admin.ID)
	e.exec(`INSERT INTO validation_request_models (request_id, model_id, blocks_model) VALUES ($1, $2, false)`, request, m.ModelID)
	dates := func() string {
		t.Helper()
		var s string
		err := e.db.Pool.QueryRow(context.Background(), `
			SELECT concat_ws(' ', last_validation_date, submission_due, grace_period_end, validation_due)
			FROM model_revalidation_schedule WHERE model_id = $1`, m.ModelID).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := dates(); got != "2026-01-31 2027-01-31 2027-03-31 2027-07-29" {
		t.Fatalf("TIER_1 as seeded: %s", got)
	}
	e.call(http.MethodPut, "/api/v1/validation-policies/TIER_1", e.admin.Token,
		map[string]any{"frequency_months": 1, "grace_period_months": 1, "model_change_lead_time_days": 0}).want(http.StatusOK)
	if got := dates(); got != "2026-01-31 2026-02-28 2026-03-28 2026-03-28" {
		t.Fatalf("TIER_1 edited to 1/1/0: %s", got)
	}
	e.call(http.MethodPatch, fmt.Sprintf("/api/v1/models/%d", m.ModelID), e.admin.Token, map[string]any{"risk_tier": "TIER_4"}).want(http.StatusOK)
	if got := dates(); got != "2026-01-31 2029-01-31 2029-05-31 2029-07-15" {
		t.Fatalf("TIER_4: %s", got)
	}
	e.call(http.MethodPatch, fmt.Sprintf("/api/v1/models/%d", m.ModelID), e.admin.Token, map[string]any{"risk_tier": nil}).want(http.StatusOK)
	if got := dates(); got != "2026-01-31" {
		t.Fatalf("no tier: %s", got)
	}
}
