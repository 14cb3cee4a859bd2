package api

import (
	"net/http"

	"github.com/gorilla/mux"

	"mrmflow/internal/policy"
)

func (s *Server) listValidationPolicies(w http.ResponseWriter, r *http.Request) error {
	if err := readQuery(r).Err(); err != nil {
		return err
	}
	items, err := s.policies.List(r.Context())
	if err != nil {
		return err
	}
	// Four rows, never paged: {items} only.
	s.writeJSON(w, r, http.StatusOK, struct {
		Items []policy.Policy `json:"items"`
	}{items})
	return nil
}

type updatePolicyRequest struct {
	FrequencyMonths         *int64 `json:"frequency_months"`
	GracePeriodMonths       *int64 `json:"grace_period_months"`
	ModelChangeLeadTimeDays *int64 `json:"model_change_lead_time_days"`
}

func (s *Server) updateValidationPolicy(w http.ResponseWriter, r *http.Request) error {
	var req updatePolicyRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	var f fields
	in := policy.PolicyInput{
		FrequencyMonths:         f.number("frequency_months", req.FrequencyMonths),
		GracePeriodMonths:       f.number("grace_period_months", req.GracePeriodMonths),
		ModelChangeLeadTimeDays: f.number("model_change_lead_time_days", req.ModelChangeLeadTimeDays),
	}
	if err := f.Err(); err != nil {
		return err
	}
	p, err := s.policies.Update(r.Context(), actorOf(r), mux.Vars(r)["risk_tier"], in)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, p)
	return nil
}

func (s *Server) getWorkflowSLA(w http.ResponseWriter, r *http.Request) error {
	if err := readQuery(r).Err(); err != nil {
		return err
	}
	sla, err := s.policies.SLA(r.Context())
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, sla)
	return nil
}

type updateSLARequest struct {
	AssignmentDays *int64 `json:"assignment_days"`
	BeginWorkDays  *int64 `json:"begin_work_days"`
	ApprovalDays   *int64 `json:"approval_days"`
}

func (s *Server) updateWorkflowSLA(w http.ResponseWriter, r *http.Request) error {
	var req updateSLARequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	var f fields
	in := policy.SLAInput{
		AssignmentDays: f.number("assignment_days", req.AssignmentDays),
		BeginWorkDays:  f.number("begin_work_days", req.BeginWorkDays),
		ApprovalDays:   f.number("approval_days", req.ApprovalDays),
	}
	if err := f.Err(); err != nil {
		return err
	}
	sla, err := s.policies.UpdateSLA(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, sla)
	return nil
}
