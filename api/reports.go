package api

import (
	"net/http"

	"mrmflow/internal/validation"
)

// listRuleExceptions answers GET /reports/rule-exceptions: the existing data that breaks the
// rules on model changes and region scope (README, "Upgrading: data the new rules refuse"). Its
// rows are keyed by (request_id, kind, model_id, region_id), so its cursor is a composite one.
func (s *Server) listRuleExceptions(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r, "kind", "limit", "cursor")
	var f validation.RuleExceptionFilter
	f.Kind = q.text("kind")
	page := validation.RuleExceptionPage{Limit: q.limit(), After: q.keyCursor(validation.RuleExceptionKeyParts)}
	if err := q.Err(); err != nil {
		return err
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
