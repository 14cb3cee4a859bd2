package api

import (
	"net/http"

	"mrmflow/internal/validation"
)

type createAssignmentRequest struct {
	ValidatorID             *int64   `json:"validator_id"`
	IsPrimary               *bool    `json:"is_primary"`
	IsReviewer              *bool    `json:"is_reviewer"`
	EstimatedHours          *float64 `json:"estimated_hours"`
	IndependenceAttestation *bool    `json:"independence_attestation"`
}

func (s *Server) createAssignment(w http.ResponseWriter, r *http.Request) error {
	requestID, err := pathID(r, "request_id")
	if err != nil {
		return err
	}
	var req createAssignmentRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	var f fields
	in := validation.AssignInput{
		ValidatorID: f.id("validator_id", req.ValidatorID, true), IsPrimary: req.IsPrimary,
		IsReviewer: req.IsReviewer != nil && *req.IsReviewer, EstimatedHours: req.EstimatedHours,
	}
	if req.IndependenceAttestation == nil {
		f.Add("independence_attestation", "is required")
	} else {
		in.IndependenceAttestation = *req.IndependenceAttestation
	}
	if err := f.Err(); err != nil {
		return err
	}
	a, err := s.validations.Assign(r.Context(), actorOf(r), requestID, in)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusCreated, a)
	return nil
}

type updateAssignmentRequest struct {
	IsPrimary      *bool    `json:"is_primary"`
	IsReviewer     *bool    `json:"is_reviewer"`
	EstimatedHours *float64 `json:"estimated_hours"`
	ActualHours    *float64 `json:"actual_hours"`
}

func (s *Server) updateAssignment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "assignment_id")
	if err != nil {
		return err
	}
	var req updateAssignmentRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	a, err := s.validations.UpdateAssignment(r.Context(), actorOf(r), id, validation.AssignmentChange(req))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, a)
	return nil
}

func (s *Server) deleteAssignment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "assignment_id")
	if err != nil {
		return err
	}
	if err := s.validations.DeleteAssignment(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type commentsRequest struct {
	Comments *string `json:"comments"`
}

// decodeComments reads {comments} of a sign-off or send-back.
func decodeComments(r *http.Request, required bool) (string, error) {
	var req commentsRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return "", err
	}
	var f fields
	comments := f.str("comments", req.Comments, required)
	return comments, f.Err()
}

func (s *Server) signOffAssignment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "assignment_id")
	if err != nil {
		return err
	}
	comments, err := decodeComments(r, false)
	if err != nil {
		return err
	}
	a, err := s.validations.SignOff(r.Context(), actorOf(r), id, comments)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, a)
	return nil
}

func (s *Server) sendBackAssignment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "assignment_id")
	if err != nil {
		return err
	}
	comments, err := decodeComments(r, true)
	if err != nil {
		return err
	}
	v, err := s.validations.SendBack(r.Context(), actorOf(r), id, comments)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, v)
	return nil
}

type outcomeRequest struct {
	OverallRating    *string `json:"overall_rating"`
	ExecutiveSummary *string `json:"executive_summary"`
	EffectiveDate    *string `json:"effective_date"`
	ExpirationDate   *string `json:"expiration_date"`
}

// outcomeInput converts an outcome body; create needs every field but expiration_date.
func outcomeInput(req outcomeRequest, create bool) (validation.OutcomeInput, error) {
	var f fields
	in := validation.OutcomeInput{
		EffectiveDate:  f.date("effective_date", req.EffectiveDate, create),
		ExpirationDate: f.date("expiration_date", req.ExpirationDate, false),
	}
	if req.OverallRating != nil || create {
		v := f.str("overall_rating", req.OverallRating, create)
		in.OverallRating = &v
	}
	if req.ExecutiveSummary != nil || create {
		v := f.str("executive_summary", req.ExecutiveSummary, create)
		in.ExecutiveSummary = &v
	}
	return in, f.Err()
}

func (s *Server) createOutcome(w http.ResponseWriter, r *http.Request) error {
	requestID, err := pathID(r, "request_id")
	if err != nil {
		return err
	}
	var req outcomeRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	in, err := outcomeInput(req, true)
	if err != nil {
		return err
	}
	o, err := s.validations.CreateOutcome(r.Context(), actorOf(r), requestID, in)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusCreated, o)
	return nil
}

func (s *Server) updateOutcome(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "outcome_id")
	if err != nil {
		return err
	}
	var req outcomeRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	in, err := outcomeInput(req, false)
	if err != nil {
		return err
	}
	o, err := s.validations.UpdateOutcome(r.Context(), actorOf(r), id, in)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, o)
	return nil
}

type resumeRequest struct {
	Reason *string `json:"reason"`
}

func (s *Server) resumeValidationRequest(w http.ResponseWriter, r *http.Request) error {
	requestID, err := pathID(r, "request_id")
	if err != nil {
		return err
	}
	var req resumeRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	var f fields
	reason := f.str("reason", req.Reason, false)
	if err := f.Err(); err != nil {
		return err
	}
	v, err := s.validations.Resume(r.Context(), actorOf(r), requestID, reason)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, v)
	return nil
}
