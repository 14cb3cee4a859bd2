package api

import (
	"net/http"

	"mrmflow/internal/domain"
	"mrmflow/internal/idempotency"
)

// idempotentCall is one call of an idempotent handler: the caller's Idempotency-Key (nil without
// the header) and the status a fresh answer gets. The handler names that status once, here: the
// key carries it to the store, which keeps it with the answer for a replay, and writeIdempotent
// answers a fresh value with it.
type idempotentCall struct {
	key    *idempotency.Key
	status int
}

// newIdempotentCall reads the optional Idempotency-Key header into a key scoped to the caller. The
// operation hashed with the body is the method and the concrete path, so the same key and body
// sent to another endpoint, or to another version's deployments, is another request (422), not a
// replay of the first.
func newIdempotentCall(r *http.Request, body []byte, status int) (idempotentCall, error) {
	call := idempotentCall{status: status}
	v := r.Header.Get("Idempotency-Key")
	if v == "" {
		return call, nil
	}
	if len(v) > idempotency.MaxKeyLength || !printableASCII(v) {
		return call, domain.Invalid("Idempotency-Key", "must be 1 to 200 printable ASCII characters")
	}
	call.key = idempotency.NewKey(actorOf(r).UserID, v, r.Method+" "+r.URL.Path, body, status)
	return call, nil
}

// writeIdempotent answers a fresh value with the call's status, or a replay byte for byte as
// first stored.
func writeIdempotent[T any](s *Server, w http.ResponseWriter, r *http.Request, call idempotentCall, res idempotency.Result[T]) {
	if res.Replay != nil {
		writeRawJSON(w, res.Replay.Status, res.Replay.Body)
		return
	}
	s.writeJSON(w, r, call.status, res.Value)
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
