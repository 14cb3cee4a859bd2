package api

import (
	"net/http"

	"mrmflow/internal/domain"
	"mrmflow/internal/user"
)

type createUserRequest struct {
	Email     *string `json:"email"`
	FullName  *string `json:"full_name"`
	Role      *string `json:"role"`
	RegionIDs []int64 `json:"region_ids"`
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var req createUserRequest
	raw, err := decodeJSON(r, &req)
	if err != nil {
		return err
	}
	var f fields
	in := user.CreateInput{
		Email:     f.str("email", req.Email, true),
		FullName:  f.str("full_name", req.FullName, true),
		Role:      domain.Role(f.str("role", req.Role, true)),
		RegionIDs: narrowIDs(req.RegionIDs),
	}
	if err := f.Err(); err != nil {
		return err
	}
	call, err := newIdempotentCall(r, raw, http.StatusCreated)
	if err != nil {
		return err
	}
	res, err := s.users.Create(r.Context(), actorOf(r), in, call.key)
	if err != nil {
		return err
	}
	writeIdempotent(s, w, r, call, res)
	return nil
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) error {
	u, err := s.users.Get(r.Context(), actorOf(r).UserID)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, u)
	return nil
}

// listUsers is the users directory (ADMIN, VALIDATOR).
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	// as_of, taken by every list, names the CSV's day only: the directory has no day counts.
	q := readQuery(r, "limit", "cursor", "format", "as_of", "role", "region_id", "q", "disabled")
	page := q.page()
	asOf := q.date("as_of")
	filter := user.DirectoryFilter{
		RegionID: q.id("region_id"),
		Q:        q.text("q"),
		Disabled: q.boolean("disabled"),
	}
	if role := q.text("role"); role != nil {
		filter.Role = (*domain.Role)(role)
	}
	csv := wantsCSV(r, q)
	if err := q.Err(); err != nil {
		return err
	}
	if csv {
		return writeCSV(s, w, r, csvFilename("users", asOf), func(each func(user.User) error) error {
			return s.users.Export(r.Context(), actorOf(r), filter, s.exportCap(), each)
		})
	}
	items, next, err := s.users.List(r.Context(), actorOf(r), filter, page)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, listOf(items, next))
	return nil
}

// getUser is one user of the directory (ADMIN, VALIDATOR).
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	userID, err := pathID(r, "user_id")
	if err != nil {
		return err
	}
	u, err := s.users.Lookup(r.Context(), actorOf(r), userID)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, u)
	return nil
}

type createTokenRequest struct {
	Name      *string `json:"name"`
	ExpiresAt *string `json:"expires_at"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	userID, err := pathID(r, "user_id")
	if err != nil {
		return err
	}
	var req createTokenRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	var f fields
	in := user.TokenInput{Name: f.str("name", req.Name, true), ExpiresAt: f.timestamp("expires_at", req.ExpiresAt)}
	if err := f.Err(); err != nil {
		return err
	}
	t, err := s.users.CreateToken(r.Context(), actorOf(r), userID, in)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusCreated, t)
	return nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	tokenID, err := pathID(r, "token_id")
	if err != nil {
		return err
	}
	if err := s.users.RevokeToken(r.Context(), actorOf(r), tokenID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
