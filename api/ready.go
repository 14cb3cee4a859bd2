package api

import (
	"net/http"

	"mrmflow/internal/deployment"
	"mrmflow/internal/domain"
)

// listReadyDeployments answers GET /deployments/ready: the versions whose validation is approved
// and that are not yet confirmed in a region they run in, oldest approval first. Its rows are
// keyed by (approved day, version_id, region_id), so its cursor is a composite one.
func (s *Server) listReadyDeployments(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r, "limit", "cursor", "format", "model_id", "mine", "has_pending_task", "as_of")
	page := domain.KeyPage{Limit: q.limit(), After: q.keyCursor(deployment.ReadyKeyParts)}
	f := deployment.ReadyFilter{ModelID: q.id("model_id"), HasPendingTask: q.boolean("has_pending_task"), AsOf: q.date("as_of")}
	if mine := q.boolean("mine"); mine != nil {
		f.Mine = *mine
	}
	csv := wantsCSV(r, q)
	if err := q.Err(); err != nil {
		return err
	}
	if csv {
		return writeCSV(s, w, r, csvFilename("deployments-ready", f.AsOf), func(each func(deployment.Ready) error) error {
			return s.deployments.ExportReady(r.Context(), actorOf(r), f, s.exportCap(), each)
		})
	}
	items, next, err := s.deployments.ListReady(r.Context(), actorOf(r), f, page)
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
