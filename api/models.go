package api

import (
	"encoding/json"
	"fmt"
	"net/http"

	"mrmflow/internal/model"
)

type createModelRequest struct {
	ModelName   *string `json:"model_name"`
	Description *string `json:"description"`
	OwnerID     *int64  `json:"owner_id"`
	RegionIDs   []int64 `json:"region_ids"`
	RiskTier    *string `json:"risk_tier"`
}

func (s *Server) createModel(w http.ResponseWriter, r *http.Request) error {
	var req createModelRequest
	raw, err := decodeJSON(r, &req)
	if err != nil {
		return err
	}
	var f fields
	in := model.CreateInput{
		ModelName:   f.str("model_name", req.ModelName, true),
		Description: f.str("description", req.Description, false),
		OwnerID:     f.id("owner_id", req.OwnerID, false),
		RegionIDs:   narrowIDs(req.RegionIDs),
	}
	if req.RiskTier != nil {
		tier := f.str("risk_tier", req.RiskTier, true)
		in.RiskTier = &tier
	}
	if err := f.Err(); err != nil {
		return err
	}
	call, err := newIdempotentCall(r, raw, http.StatusCreated)
	if err != nil {
		return err
	}
	res, err := s.models.Create(r.Context(), actorOf(r), in, call.key)
	if err != nil {
		return err
	}
	writeIdempotent(s, w, r, call, res)
	return nil
}

func (s *Server) listModels(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r, "limit", "cursor", "format", "as_of")
	page := q.page()
	asOf := q.date("as_of") // names the CSV's day: the list has no day counts
	csv := wantsCSV(r, q)
	if err := q.Err(); err != nil {
		return err
	}
	if csv {
		return writeCSV(s, w, r, csvFilename("models", asOf), func(each func(model.Model) error) error {
			return s.models.Export(r.Context(), s.exportCap(), each)
		})
	}
	items, next, err := s.models.List(r.Context(), page)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, listOf(items, next))
	return nil
}

func (s *Server) getModel(w http.ResponseWriter, r *http.Request) error {
	modelID, err := pathID(r, "model_id")
	if err != nil {
		return err
	}
	m, err := s.models.Get(r.Context(), modelID)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, m)
	return nil
}

// updateModelRequest is PATCH /models/{model_id}: risk_tier is required, and null clears it, so
// it is read raw to tell null from absent.
type updateModelRequest struct {
	RiskTier json.RawMessage `json:"risk_tier"`
}

func (s *Server) updateModel(w http.ResponseWriter, r *http.Request) error {
	modelID, err := pathID(r, "model_id")
	if err != nil {
		return err
	}
	var req updateModelRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	var f fields
	tier := f.nullableStr("risk_tier", req.RiskTier)
	if err := f.Err(); err != nil {
		return err
	}
	m, err := s.models.SetRiskTier(r.Context(), actorOf(r), modelID, tier)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, m)
	return nil
}

type addDelegateRequest struct {
	UserID *int64 `json:"user_id"`
}

func (s *Server) addDelegate(w http.ResponseWriter, r *http.Request) error {
	modelID, err := pathID(r, "model_id")
	if err != nil {
		return err
	}
	var req addDelegateRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	var f fields
	userID := f.id("user_id", req.UserID, true)
	if err := f.Err(); err != nil {
		return err
	}
	d, created, err := s.models.AddDelegate(r.Context(), actorOf(r), modelID, userID)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	s.writeJSON(w, r, status, d)
	return nil
}

func (s *Server) revokeDelegate(w http.ResponseWriter, r *http.Request) error {
	modelID, err := pathID(r, "model_id")
	if err != nil {
		return err
	}
	userID, err := pathID(r, "user_id")
	if err != nil {
		return err
	}
	d, err := s.models.RevokeDelegate(r.Context(), actorOf(r), modelID, userID)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, d)
	return nil
}

type createVersionRequest struct {
	VersionNumber         *string `json:"version_number"`
	ChangeDescription     *string `json:"change_description"`
	Scope                 *string `json:"scope"`
	RegionIDs             []int64 `json:"region_ids"`
	PlannedProductionDate *string `json:"planned_production_date"`
}

func (s *Server) createVersion(w http.ResponseWriter, r *http.Request) error {
	modelID, err := pathID(r, "model_id")
	if err != nil {
		return err
	}
	var req createVersionRequest
	raw, err := decodeJSON(r, &req)
	if err != nil {
		return err
	}
	var f fields
	in := model.CreateVersionInput{
		VersionNumber:         f.str("version_number", req.VersionNumber, true),
		ChangeDescription:     f.str("change_description", req.ChangeDescription, true),
		Scope:                 f.str("scope", req.Scope, true),
		RegionIDs:             narrowIDs(req.RegionIDs),
		PlannedProductionDate: f.date("planned_production_date", req.PlannedProductionDate, false),
	}
	if err := f.Err(); err != nil {
		return err
	}
	call, err := newIdempotentCall(r, raw, http.StatusCreated)
	if err != nil {
		return err
	}
	res, err := s.models.CreateVersion(r.Context(), actorOf(r), modelID, in, call.key)
	if err != nil {
		return err
	}
	writeIdempotent(s, w, r, call, res)
	return nil
}

func (s *Server) listVersions(w http.ResponseWriter, r *http.Request) error {
	modelID, err := pathID(r, "model_id")
	if err != nil {
		return err
	}
	q := readQuery(r, "limit", "cursor", "format", "as_of")
	page := q.page()
	asOf := q.date("as_of") // names the CSV's day: the list has no day counts
	csv := wantsCSV(r, q)
	if err := q.Err(); err != nil {
		return err
	}
	if csv {
		return writeCSV(s, w, r, csvFilename(fmt.Sprintf("model-%d-versions", modelID), asOf), func(each func(model.Version) error) error {
			return s.models.ExportVersions(r.Context(), modelID, s.exportCap(), each)
		})
	}
	items, next, err := s.models.ListVersions(r.Context(), modelID, page)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, listOf(items, next))
	return nil
}

func (s *Server) getVersion(w http.ResponseWriter, r *http.Request) error {
	versionID, err := pathID(r, "version_id")
	if err != nil {
		return err
	}
	v, err := s.models.GetVersion(r.Context(), versionID)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, v)
	return nil
}
