package api

import (
	"net/http"
	"strconv"

	"mrmflow/internal/validation"
)

type createValidationRequest struct {
	ModelIDs             []int64          `json:"model_ids"`
	ValidationType       *string          `json:"validation_type"`
	Priority             *string          `json:"priority"`
	TargetCompletionDate *string          `json:"target_completion_date"`
	TriggerReason        *string          `json:"trigger_reason"`
	RegionIDs            []int64          `json:"region_ids"`
	ModelVersions        map[string]int64 `json:"model_versions"`
	AcknowledgeWarnings  *bool            `json:"acknowledge_warnings"`
}

// createValidationRequest is behind authenticateLater: without an Idempotency-Key, the service
// checks the token in the create's first round trip and says whose it is.
func (s *Server) createValidationRequest(w http.ResponseWriter, r *http.Request) error {
	var req createValidationRequest
	raw, err := decodeJSON(r, &req)
	if err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	if creds, ok := credentialsOf(r); ok {
		created, actor, err := s.validations.CreateAuthenticating(r.Context(), creds, in)
		info(r.Context()).userID = actor.UserID // zero when the token was refused or not reached
		if err != nil {
			return err
		}
		s.writeJSON(w, r, http.StatusCreated, created)
		return nil
	}
	call, err := newIdempotentCall(r, raw, http.StatusCreated)
	if err != nil {
		return err
	}
	res, err := s.validations.Create(r.Context(), actorOf(r), in, call.key)
	if err != nil {
		return err
	}
	writeIdempotent(s, w, r, call, res)
	return nil
}

// checkValidationRequest judges a create body without creating anything (docs/rules.md,
// "Checking a request before creating it"): the same decoding, then 200 with what a create would
// meet.
func (s *Server) checkValidationRequest(w http.ResponseWriter, r *http.Request) error {
	var req createValidationRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	res, err := s.validations.Check(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, res)
	return nil
}

// input decodes a create body's fields, naming each bad one; create and check share it.
func (req createValidationRequest) input() (validation.CreateInput, error) {
	var f fields
	in := validation.CreateInput{
		ModelIDs:             narrowIDs(req.ModelIDs),
		ValidationType:       f.str("validation_type", req.ValidationType, true),
		Priority:             f.str("priority", req.Priority, true),
		TargetCompletionDate: f.date("target_completion_date", req.TargetCompletionDate, true),
		TriggerReason:        f.str("trigger_reason", req.TriggerReason, false),
		RegionIDs:            narrowIDs(req.RegionIDs),
		ModelVersions:        f.modelVersions("model_versions", req.ModelVersions),
		AcknowledgeWarnings:  req.AcknowledgeWarnings != nil && *req.AcknowledgeWarnings,
	}
	return in, f.Err()
}

// modelVersions converts {"<model_id>": version_id}, naming each bad key. A version id is
// narrowed like any id in a list (narrowID); the service's check judges it.
func (f *fields) modelVersions(name string, v map[string]int64) map[int32]int32 {
	if len(v) == 0 {
		return nil
	}
	if len(v) > validation.MaxModels {
		// A request names at most MaxModels models, so it cannot name more versions; the keys of
		// an oversized map are not checked one by one.
		f.Add(name, "must name at most %d models", validation.MaxModels)
		return nil
	}
	out := make(map[int32]int32, len(v))
	for k, version := range v {
		field := name + "." + k
		m, err := strconv.ParseInt(k, 10, 64)
		if err != nil || narrowID(m) == 0 || strconv.FormatInt(m, 10) != k {
			f.Add(field, "keys must be model ids between 1 and 2147483647")
			continue
		}
		out[int32(m)] = narrowID(version)
	}
	return out
}

// listValidationRequests is the request list (docs/lists.md, "The validation request list"); Aging
// is this list with active=true&sort=-days_in_status.
func (s *Server) listValidationRequests(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r, "limit", "cursor", "format", "sort", "as_of", "status", "validation_type", "priority",
		"requestor_id", "region_id", "model_id", "active", "overdue", "assigned_to", "assignment_role", "unassigned", "q")
	actor := actorOf(r)
	filter := validation.Filter{
		Statuses:       q.texts("status"),
		ValidationType: q.text("validation_type"),
		Priority:       q.text("priority"),
		RequestorID:    q.id("requestor_id"),
		RegionID:       q.id("region_id"),
		ModelID:        q.id("model_id"),
		Active:         q.boolean("active"),
		Overdue:        q.boolean("overdue"),
		AssignedTo:     q.idOrMe("assigned_to", actor.UserID),
		AssignmentRole: q.text("assignment_role"),
		Unassigned:     q.boolean("unassigned"),
		Q:              q.text("q"),
		AsOf:           q.date("as_of"),
	}
	page := validation.ListPage{Limit: q.limit()}
	if sort := q.text("sort"); sort != nil {
		page.Sort = *sort
	}
	page.After = q.keyCursor(validation.ListKeyParts(page.Sort))
	csv := wantsCSV(r, q)
	if err := q.Err(); err != nil {
		return err
	}
	if csv {
		return writeCSV(s, w, r, csvFilename("validation-requests", filter.AsOf), func(each func(validation.ListedRequest) error) error {
			return s.validations.Export(r.Context(), actor, filter, page.Sort, s.exportCap(), each)
		})
	}
	items, next, err := s.validations.List(r.Context(), actor, filter, page)
	if err != nil {
		return err
	}
	answer := listOf(items, nil)
	if next != nil {
		c := encodeKeyCursor(next)
		answer.NextCursor = &c
	}
	s.writeJSON(w, r, http.StatusOK, answer)
	return nil
}

func (s *Server) getValidationRequest(w http.ResponseWriter, r *http.Request) error {
	requestID, err := pathID(r, "request_id")
	if err != nil {
		return err
	}
	v, err := s.validations.Get(r.Context(), actorOf(r), requestID)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, v)
	return nil
}

type changeValidationStatusRequest struct {
	Status *string `json:"status"`
	Reason *string `json:"reason"`
}

func (s *Server) changeValidationStatus(w http.ResponseWriter, r *http.Request) error {
	requestID, err := pathID(r, "request_id")
	if err != nil {
		return err
	}
	var req changeValidationStatusRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	var f fields
	status := f.str("status", req.Status, true)
	reason := f.str("reason", req.Reason, false)
	if err := f.Err(); err != nil {
		return err
	}
	v, err := s.validations.ChangeStatus(r.Context(), actorOf(r), requestID, status, reason)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, v)
	return nil
}

type updateValidationRequest struct {
	Priority             *string `json:"priority"`
	TargetCompletionDate *string `json:"target_completion_date"`
	TriggerReason        *string `json:"trigger_reason"`
	RegionIDs            []int64 `json:"region_ids"`
	AcknowledgeWarnings  *bool   `json:"acknowledge_warnings"`
}

func (s *Server) updateValidationRequest(w http.ResponseWriter, r *http.Request) error {
	requestID, err := pathID(r, "request_id")
	if err != nil {
		return err
	}
	var req updateValidationRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	var f fields
	var ch validation.RequestChange
	if req.Priority != nil {
		v := f.str("priority", req.Priority, true)
		ch.Priority = &v
	}
	ch.TargetCompletionDate = f.date("target_completion_date", req.TargetCompletionDate, false)
	if req.TriggerReason != nil {
		v := f.str("trigger_reason", req.TriggerReason, false)
		ch.TriggerReason = &v
	}
	if req.RegionIDs != nil {
		regionIDs := narrowIDs(req.RegionIDs)
		ch.RegionIDs = &regionIDs
	}
	ch.AcknowledgeWarnings = req.AcknowledgeWarnings != nil && *req.AcknowledgeWarnings
	if err := f.Err(); err != nil {
		return err
	}
	v, err := s.validations.UpdateRequest(r.Context(), actorOf(r), requestID, ch)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, v)
	return nil
}

type changeValidationModelsRequest struct {
	Add           []int64          `json:"add"`
	Remove        []int64          `json:"remove"`
	ModelVersions map[string]int64 `json:"model_versions"`
}

func (s *Server) changeValidationModels(w http.ResponseWriter, r *http.Request) error {
	requestID, err := pathID(r, "request_id")
	if err != nil {
		return err
	}
	var req changeValidationModelsRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	var f fields
	in := validation.ModelsChange{
		Add:           narrowIDs(req.Add),
		Remove:        narrowIDs(req.Remove),
		ModelVersions: f.modelVersions("model_versions", req.ModelVersions),
	}
	if err := f.Err(); err != nil {
		return err
	}
	v, err := s.validations.ChangeModels(r.Context(), actorOf(r), requestID, in)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, v)
	return nil
}

type submissionRequest struct {
	ReceivedDate *string `json:"received_date"`
	Notes        *string `json:"notes"`
}

func (s *Server) recordSubmission(w http.ResponseWriter, r *http.Request) error {
	requestID, err := pathID(r, "request_id")
	if err != nil {
		return err
	}
	var req submissionRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	var f fields
	received := f.date("received_date", req.ReceivedDate, true)
	notes := f.str("notes", req.Notes, false)
	if err := f.Err(); err != nil {
		return err
	}
	v, err := s.validations.Submit(r.Context(), actorOf(r), requestID, validation.SubmissionInput{ReceivedDate: *received, Notes: notes})
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, v)
	return nil
}
