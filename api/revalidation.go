package api

import (
	"net/http"

	"mrmflow/internal/revalidation"
)

// getModelRevalidation answers GET /models/{model_id}/revalidation: the model's revalidation
// schedule and status at as_of (docs/revalidation.md).
func (s *Server) getModelRevalidation(w http.ResponseWriter, r *http.Request) error {
	modelID, err := pathID(r, "model_id")
	if err != nil {
		return err
	}
	q := readQuery(r, "as_of")
	asOf := q.date("as_of")
	if err := q.Err(); err != nil {
		return err
	}
	row, err := s.revalidations.ForModel(r.Context(), actorOf(r), modelID, asOf)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, row)
	return nil
}

// listRevalidationReport answers GET /reports/revalidation: every model's schedule at as_of, in
// model_id order (docs/revalidation.md).
func (s *Server) listRevalidationReport(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r, "as_of", "status", "risk_tier", "owner_id", "mine", "due_within_days", "limit", "cursor", "format")
	f := revalidation.Filter{
		Statuses: q.texts("status"), RiskTier: q.text("risk_tier"), OwnerID: q.id("owner_id"),
		Mine: q.boolean("mine"), DueWithinDays: q.wholeNumber("due_within_days"), AsOf: q.date("as_of"),
	}
	page := q.page()
	csv := wantsCSV(r, q)
	if err := q.Err(); err != nil {
		return err
	}
	if csv {
		return writeCSV(s, w, r, csvFilename("revalidation", f.AsOf), func(each func(revalidation.Schedule) error) error {
			return s.revalidations.Export(r.Context(), actorOf(r), f, s.exportCap(), each)
		})
	}
	items, next, err := s.revalidations.Report(r.Context(), actorOf(r), f, page)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, listOf(items, next))
	return nil
}
