package api

import (
	"fmt"
	"net/http"

	"mrmflow/internal/validation"
)

func (s *Server) listRequestApprovals(w http.ResponseWriter, r *http.Request) error {
	requestID, err := pathID(r, "request_id")
	if err != nil {
		return err
	}
	// Every approval of the request in one answer (a few rows a round): no paging, no filters,
	// and its CSV is that one read written out.
	q := readQuery(r, "as_of", "format")
	asOf := q.date("as_of")
	csv := wantsCSV(r, q)
	if err := q.Err(); err != nil {
		return err
	}
	items, err := s.validations.RequestApprovals(r.Context(), actorOf(r), requestID, asOf)
	if err != nil {
		return err
	}
	if csv {
		return writeCSV(s, w, r, csvFilename(fmt.Sprintf("validation-request-%d-approvals", requestID), asOf), func(each func(validation.ApprovalItem) error) error {
			for _, it := range items {
				if err := each(it); err != nil {
					return err
				}
			}
			return nil
		})
	}
	s.writeJSON(w, r, http.StatusOK, listOf(items, nil))
	return nil
}

// listApprovals is GET /approvals, and with mine=true the approver's queue (README, "Approvals").
func (s *Server) listApprovals(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r, "limit", "cursor", "format", "status", "approval_type", "request_id", "mine", "sort", "as_of")
	page := q.page()
	filter := validation.ApprovalFilter{
		Status:       q.text("status"),
		ApprovalType: q.text("approval_type"),
		RequestID:    q.id("request_id"),
		AsOf:         q.date("as_of"),
	}
	if sort := q.text("sort"); sort != nil {
		filter.Sort = *sort
	}
	mine := q.boolean("mine")
	filter.Mine = mine != nil && *mine
	csv := wantsCSV(r, q)
	if err := q.Err(); err != nil {
		return err
	}
	if csv {
		return writeCSV(s, w, r, csvFilename("approvals", filter.AsOf), func(each func(validation.ApprovalItem) error) error {
			return s.validations.ExportApprovals(r.Context(), actorOf(r), filter, s.exportCap(), each)
		})
	}
	items, next, err := s.validations.ListApprovals(r.Context(), actorOf(r), filter, page)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, listOf(items, next))
	return nil
}

type decideApprovalRequest struct {
	Decision *string `json:"decision"`
	Comments *string `json:"comments"`
}

func (s *Server) decideApproval(w http.ResponseWriter, r *http.Request) error {
	approvalID, err := pathID(r, "approval_id")
	if err != nil {
		return err
	}
	var req decideApprovalRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	var f fields
	in := validation.DecisionInput{
		Decision: f.str("decision", req.Decision, true),
		Comments: f.str("comments", req.Comments, false),
	}
	if err := f.Err(); err != nil {
		return err
	}
	a, err := s.validations.Decide(r.Context(), actorOf(r), approvalID, in)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, a)
	return nil
}
