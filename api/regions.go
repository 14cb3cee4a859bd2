package api

import (
	"net/http"

	"mrmflow/internal/region"
)

type createRegionRequest struct {
	Code                     *string `json:"code"`
	Name                     *string `json:"name"`
	RequiresRegionalApproval *bool   `json:"requires_regional_approval"`
}

func (s *Server) createRegion(w http.ResponseWriter, r *http.Request) error {
	var req createRegionRequest
	raw, err := decodeJSON(r, &req)
	if err != nil {
		return err
	}
	var f fields
	in := region.CreateInput{
		Code: f.str("code", req.Code, true),
		Name: f.str("name", req.Name, true),
	}
	if req.RequiresRegionalApproval != nil {
		in.RequiresRegionalApproval = *req.RequiresRegionalApproval
	}
	if err := f.Err(); err != nil {
		return err
	}
	call, err := newIdempotentCall(r, raw, http.StatusCreated)
	if err != nil {
		return err
	}
	res, err := s.regions.Create(r.Context(), actorOf(r), in, call.key)
	if err != nil {
		return err
	}
	writeIdempotent(s, w, r, call, res)
	return nil
}

func (s *Server) listRegions(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r, "limit", "cursor", "format", "as_of")
	page := q.page()
	asOf := q.date("as_of") // names the CSV's day: regions have no day counts
	csv := wantsCSV(r, q)
	if err := q.Err(); err != nil {
		return err
	}
	if csv {
		return writeCSV(s, w, r, csvFilename("regions", asOf), func(each func(region.Region) error) error {
			return s.regions.Export(r.Context(), s.exportCap(), each)
		})
	}
	items, next, err := s.regions.List(r.Context(), page)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, listOf(items, next))
	return nil
}
