package api

import "net/http"

// revokeAllTokens revokes every live token of a user (ADMIN, or the user themselves).
func (s *Server) revokeAllTokens(w http.ResponseWriter, r *http.Request) error {
	userID, err := pathID(r, "user_id")
	if err != nil {
		return err
	}
	if err := s.users.RevokeAllTokens(r.Context(), actorOf(r), userID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// disableUser makes every token of a user answer 401 from the next request on (ADMIN).
func (s *Server) disableUser(w http.ResponseWriter, r *http.Request) error {
	userID, err := pathID(r, "user_id")
	if err != nil {
		return err
	}
	if err := s.users.Disable(r.Context(), actorOf(r), userID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// enableUser lets a disabled user's live tokens authenticate again (ADMIN).
func (s *Server) enableUser(w http.ResponseWriter, r *http.Request) error {
	userID, err := pathID(r, "user_id")
	if err != nil {
		return err
	}
	if err := s.users.Enable(r.Context(), actorOf(r), userID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
