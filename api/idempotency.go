package api

import (
	"net/http"

	"mrmflow/internal/domain"
	"mrmflow/internal/idempotency"
)

// idempotencyKey reads the optional Idempotency-Key header into a key scoped to the caller. The
// operation hashed with the body is the method and the concrete path, so the same key and body
// sent to another endpoint, or to another version's deployments, is another request (422), not a
// replay of the first. status is what the handler answers a fresh value with: the key carries it
// to the store, which keeps it with the answer for a replay.
func idempotencyKey(r *http.Request, body []byte, status int) (*idempotency.Key, error) {
	v := r.Header.Get("Idempotency-Key")
	if v == "" {
		return nil, nil
	}
	if len(v) > idempotency.MaxKeyLength || !printableASCII(v) {
		return nil, domain.Invalid("Idempotency-Key", "must be 1 to 200 printable ASCII characters")
	}
	return idempotency.NewKey(actorOf(r).UserID, v, r.Method+" "+r.URL.Path, body, status), nil
}

// writeIdempotent answers a fresh value with status, or a replay byte for byte as first stored.
func writeIdempotent[T any](s *Server, w http.ResponseWriter, r *http.Request, status int, res idempotency.Result[T]) {
	if res.Replay != nil {
		writeRawJSON(w, res.Replay.Status, res.Replay.Body)
		return
	}
	s.writeJSON(w, r, status, res.Value)
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
