package api

import (
	"net/http"

	"mrmflow/internal/domain"
	"mrmflow/internal/validation"
)

// listRuleExceptions answers GET /reports/rule-exceptions: the existing data that breaks the
// rules on model changes and region scope (README, "Upgrading: data the new rules refuse"). Its
// rows are keyed by (request_id, kind, model_id, region_id), so its cursor is a composite one.
func (s *Server) listRuleExceptions(w http.ResponseWriter, r *http.Request) error {
	if err := strictQuery(r, "kind", "limit", "cursor"); err != nil {
		return err
	}
	limit, err := pageLimit(r)
	if err != nil {
		return err
	}
	page := validation.RuleExceptionPage{Limit: limit}
	if v := r.URL.Query().Get("cursor"); v != "" {
		after, ok := decodeKeyCursor(v, validation.RuleExceptionKeyParts)
		if !ok {
			return domain.Invalid("cursor", "is not a cursor this API returned")
		}
		page.After = after
	}
	// A kind given empty is a bad value, not an absent filter: the service names it.
	var f validation.RuleExceptionFilter
	if q := r.URL.Query(); q.Has("kind") {
		kind := q.Get("kind")
		f.Kind = &kind
	}
	items, next, err := s.validations.RuleExceptions(r.Context(), actorOf(r), f, page)
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
