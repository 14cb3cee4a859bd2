package api

import (
	"math"
	"net/http"

	"mrmflow/internal/audit"
	"mrmflow/internal/domain"
)

func (s *Server) listAuditLogs(w http.ResponseWriter, r *http.Request) error {
	page, err := pageUpTo(r, math.MaxInt64) // audit ids are bigint
	if err != nil {
		return err
	}
	var f audit.Filter
	if f.EntityType, err = queryText(r, "entity_type"); err != nil {
		return err
	}
	if f.EntityID, err = queryID(r, "entity_id"); err != nil {
		return err
	}
	if f.Action, err = queryText(r, "action"); err != nil {
		return err
	}
	if f.UserID, err = queryID(r, "user_id"); err != nil {
		return err
	}
	if f.EntityID != nil && f.EntityType == nil {
		// Entity ids are per type; the index that serves this filter leads with entity_type.
		return domain.Invalid("entity_id", "needs entity_type: ids are only unique within an entity type")
	}
	items, next, err := s.audit.List(r.Context(), actorOf(r), f, page)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, listOf(items, next))
	return nil
}
