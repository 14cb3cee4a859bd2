package api

import "net/http"

// getMySummary answers GET /me/summary: the caller's counts at as_of (any role).
func (s *Server) getMySummary(w http.ResponseWriter, r *http.Request) error {
	q := readQuery(r, "as_of")
	asOf := q.date("as_of")
	if err := q.Err(); err != nil {
		return err
	}
	sum, err := s.summaries.For(r.Context(), actorOf(r), asOf)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, sum)
	return nil
}
