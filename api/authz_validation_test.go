package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/validation"
)

// Relations of the caller to the models of the request a call is about.
const (
	relOwner       = "owner"       // owns the request's model
	relDelegate    = "delegate"    // is an active delegate of the request's model
	relIndependent = "independent" // neither
)

// authzScene is one cell's request and its model, built through the service (the call under
// test goes through HTTP).
type authzScene struct {
	e         *testEnv
	svc       *validation.Service
	admin     domain.Actor
	requestID int32
	modelID   int32
}

func (s *authzScene) must(err error) {
	s.e.t.Helper()
	if err != nil {
		s.e.t.Fatal(err)
	}
}

// assign assigns a fresh VALIDATOR and returns the assignment and the validator.
func (s *authzScene) assign(primary, reviewer bool) (validation.Assignment, fixtureUser) {
	s.e.t.Helper()
	v := s.e.user(domain.RoleValidator)
	a, err := s.svc.Assign(context.Background(), s.admin, s.requestID, validation.AssignInput{
		ValidatorID: v.ID, IsPrimary: &primary, IsReviewer: reviewer, IndependenceAttestation: true,
	})
	s.must(err)
	return a, v
}

func (s *authzScene) status(statuses ...string) {
	s.e.t.Helper()
	for _, st := range statuses {
		_, err := s.svc.ChangeStatus(context.Background(), s.admin, s.requestID, st, "authorization matrix")
		s.must(err)
	}
}

func (s *authzScene) outcome() validation.Outcome {
	s.e.t.Helper()
	rating, summary := validation.RatingPass, "Fit for purpose."
	effective, _ := domain.ParseDate("2027-01-01")
	o, err := s.svc.CreateOutcome(context.Background(), s.admin, s.requestID, validation.OutcomeInput{
		OverallRating: &rating, ExecutiveSummary: &summary, EffectiveDate: &effective,
	})
	s.must(err)
	return o
}

// authzEndpoint is one endpoint of the matrix: prepare puts the scene in the state the call
// needs and returns the call (and, for the reviewer- or primary-only endpoints, the one user who
// may make it besides the roles); want is the status each role and relation must get.
type authzEndpoint struct {
	name    string
	prepare func(s *authzScene) (method, path string, body any, special *fixtureUser)
	want    func(role domain.Role, rel string) int
}

// writers: VALIDATOR and ADMIN may, whatever their relation to the models; approvers and a USER
// never.
func writers(ok int) func(domain.Role, string) int {
	return func(role domain.Role, _ string) int {
		if role != domain.RoleAdmin && role != domain.RoleValidator {
			return http.StatusForbidden
		}
		return ok
	}
}

// readers: every role but USER sees every request; a USER sees the requests of models they own
// or delegate for, and gets 404 for the others.
func readers(role domain.Role, rel string) int {
	if role == domain.RoleUser && rel == relIndependent {
		return http.StatusNotFound
	}
	return http.StatusOK
}

var authzEndpoints = []authzEndpoint{
	{"GET request", func(s *authzScene) (string, string, any, *fixtureUser) {
		return http.MethodGet, fmt.Sprintf("/api/v1/validation-requests/%d", s.requestID), nil, nil
	}, readers},
	{"GET list (404 = not listed)", func(s *authzScene) (string, string, any, *fixtureUser) {
		return http.MethodGet, fmt.Sprintf("/api/v1/validation-requests?model_id=%d", s.modelID), nil, nil
	}, readers},
	{"PATCH request", func(s *authzScene) (string, string, any, *fixtureUser) {
		return http.MethodPatch, fmt.Sprintf("/api/v1/validation-requests/%d", s.requestID), map[string]any{"priority": "URGENT"}, nil
	}, writers(http.StatusOK)},
	{"POST models", func(s *authzScene) (string, string, any, *fixtureUser) {
		other := s.e.model(s.e.user(domain.RoleUser))
		return http.MethodPost, fmt.Sprintf("/api/v1/validation-requests/%d/models", s.requestID), map[string]any{"add": []int32{other.ModelID}}, nil
	}, writers(http.StatusOK)},
	{"POST status", func(s *authzScene) (string, string, any, *fixtureUser) {
		return http.MethodPost, fmt.Sprintf("/api/v1/validation-requests/%d/status", s.requestID),
			map[string]any{"status": "ON_HOLD", "reason": "waiting for data"}, nil
	}, writers(http.StatusOK)},
	{"POST resume", func(s *authzScene) (string, string, any, *fixtureUser) {
		s.status(validation.StatusOnHold)
		return http.MethodPost, fmt.Sprintf("/api/v1/validation-requests/%d/resume", s.requestID), map[string]any{}, nil
	}, writers(http.StatusOK)},
	{"POST assignments", func(s *authzScene) (string, string, any, *fixtureUser) {
		v := s.e.user(domain.RoleValidator)
		return http.MethodPost, fmt.Sprintf("/api/v1/validation-requests/%d/assignments", s.requestID),
			map[string]any{"validator_id": v.ID, "independence_attestation": true}, nil
	}, writers(http.StatusCreated)},
	{"PATCH assignment", func(s *authzScene) (string, string, any, *fixtureUser) {
		s.assign(true, false)
		a, _ := s.assign(false, false)
		return http.MethodPatch, fmt.Sprintf("/api/v1/assignments/%d", a.AssignmentID), map[string]any{"estimated_hours": 40}, nil
	}, writers(http.StatusOK)},
	{"DELETE assignment", func(s *authzScene) (string, string, any, *fixtureUser) {
		s.assign(true, false)
		a, _ := s.assign(false, false)
		return http.MethodDelete, fmt.Sprintf("/api/v1/assignments/%d", a.AssignmentID), nil, nil
	}, writers(http.StatusNoContent)},
	{"POST sign-off (the reviewer alone)", func(s *authzScene) (string, string, any, *fixtureUser) {
		s.assign(true, false)
		a, reviewer := s.assign(false, true)
		s.status(validation.StatusInProgress, validation.StatusReview)
		return http.MethodPost, fmt.Sprintf("/api/v1/assignments/%d/sign-off", a.AssignmentID), map[string]any{}, &reviewer
	}, func(domain.Role, string) int { return http.StatusForbidden }},
	{"POST send-back (the reviewer alone)", func(s *authzScene) (string, string, any, *fixtureUser) {
		s.assign(true, false)
		a, reviewer := s.assign(false, true)
		s.status(validation.StatusInProgress, validation.StatusReview)
		return http.MethodPost, fmt.Sprintf("/api/v1/assignments/%d/send-back", a.AssignmentID), map[string]any{"comments": "redo"}, &reviewer
	}, func(domain.Role, string) int { return http.StatusForbidden }},
	{"POST outcome (primary, ADMIN)", func(s *authzScene) (string, string, any, *fixtureUser) {
		_, primary := s.assign(true, false)
		s.status(validation.StatusInProgress)
		return http.MethodPost, fmt.Sprintf("/api/v1/validation-requests/%d/outcome", s.requestID), map[string]any{
			"overall_rating": "PASS", "executive_summary": "Fine.", "effective_date": "2027-01-01",
		}, &primary
	}, adminOnly(http.StatusCreated)},
	{"PATCH outcome (primary, ADMIN)", func(s *authzScene) (string, string, any, *fixtureUser) {
		_, primary := s.assign(true, false)
		s.status(validation.StatusInProgress)
		o := s.outcome()
		return http.MethodPatch, fmt.Sprintf("/api/v1/outcomes/%d", o.OutcomeID), map[string]any{"overall_rating": "FAIL"}, &primary
	}, adminOnly(http.StatusOK)},
	{"POST submission (an assigned validator, ADMIN)", func(s *authzScene) (string, string, any, *fixtureUser) {
		_, primary := s.assign(true, false)
		return http.MethodPost, fmt.Sprintf("/api/v1/validation-requests/%d/submission", s.requestID), map[string]any{
			"received_date": "2026-01-15",
		}, &primary
	}, adminOnly(http.StatusOK)},
}

// adminOnly: an ADMIN may (besides the special user); nobody else.
func adminOnly(ok int) func(domain.Role, string) int {
	return func(role domain.Role, _ string) int {
		if role == domain.RoleAdmin {
			return ok
		}
		return http.StatusForbidden
	}
}

// TestValidationAuthorizationMatrix calls every endpoint of the inside of a validation as each
// role (the approvers included) in each relation to the request's model (owner, active delegate, independent), on a
// request prepared for the call, and checks the status; the reviewer- and primary-only endpoints
// are also called by that one user, who must succeed.
func TestValidationAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svc := validation.NewService(e.db.Pool, pgtx.Limits{LockTimeout: 5 * time.Second}, nil)
	admin := domain.Actor{UserID: e.admin.ID, Role: domain.RoleAdmin}
	requestor := e.user(domain.RoleValidator)
	scene := func(owner fixtureUser) *authzScene {
		t.Helper()
		m := e.model(owner)
		r, err := svc.Create(context.Background(), domain.Actor{UserID: requestor.ID, Role: domain.RoleValidator},
			validation.CreateInput{ModelIDs: []int32{m.ModelID}, ValidationType: validation.TypeTargeted, Priority: validation.PriorityLow,
				TargetCompletionDate: ptrDate("2027-06-30")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return &authzScene{e: e, svc: svc, admin: admin, requestID: r.Value.RequestID, modelID: m.ModelID}
	}
	call := func(method, path string, body any, u fixtureUser, list bool, requestID int32) int {
		t.Helper()
		res := e.call(method, path, u.Token, body)
		if !list || res.Status != http.StatusOK {
			return res.Status
		}
		var page struct {
			Items []vrAnswer `json:"items"`
		}
		res.decode(&page)
		for _, it := range page.Items {
			if it.RequestID == requestID {
				return http.StatusOK
			}
		}
		return http.StatusNotFound
	}
	cells := 0
	for _, ep := range authzEndpoints {
		list := ep.name == "GET list (404 = not listed)"
		for _, role := range domain.Roles {
			for _, rel := range []string{relOwner, relDelegate, relIndependent} {
				actor := e.user(role)
				owner := e.user(domain.RoleUser)
				if rel == relOwner {
					owner = actor
				}
				s := scene(owner)
				if rel == relDelegate {
					e.delegate(s.modelID, actor)
				}
				method, path, body, _ := ep.prepare(s)
				cells++
				if got, want := call(method, path, body, actor, list, s.requestID), ep.want(role, rel); got != want {
					t.Errorf("%s as %s %s: status %d, want %d", ep.name, role, rel, got, want)
				}
			}
		}
		s := scene(e.user(domain.RoleUser))
		if method, path, body, special := ep.prepare(s); special != nil {
			if got := call(method, path, body, *special, false, s.requestID); got >= 300 {
				t.Errorf("%s as the one user allowed: status %d", ep.name, got)
			}
		}
	}
	if want := 14 * 5 * 3; cells != want { // 14 endpoints x 5 roles x owner, delegate, independent
		t.Fatalf("%d cells checked, want %d", cells, want)
	}
}

func ptrDate(s string) *domain.Date {
	d, err := domain.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &d
}
