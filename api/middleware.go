package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"mrmflow/internal/auth"
	"mrmflow/internal/domain"
)

type ctxKey int

const (
	ctxRequestInfo ctxKey = iota
	ctxActor
	ctxCredentials
)

// requestInfo is filled in as a request passes through the layers and read by the access log.
type requestInfo struct {
	id     string
	route  string // the route template; "unmatched" for 404/405
	userID int32
}

func info(ctx context.Context) *requestInfo {
	if ri, ok := ctx.Value(ctxRequestInfo).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{}
}

func requestID(ctx context.Context) string { return info(ctx).id }

// actorOf is the authenticated caller; authenticate guarantees it on every /api/v1 route but
// those behind authenticateLater, whose handlers ask credentialsOf first.
func actorOf(r *http.Request) domain.Actor {
	a, _ := r.Context().Value(ctxActor).(domain.Actor)
	return a
}

// credentialsOf is the bearer token authenticateLater left for the handler's service to check
// in its own transaction; ok is false when the caller was authenticated already.
func credentialsOf(r *http.Request) (c auth.Credentials, ok bool) {
	c, ok = r.Context().Value(ctxCredentials).(auth.Credentials)
	return c, ok
}

// statusRecorder remembers the status a handler wrote, for the log and metrics.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// observe is the outermost layer: it assigns the request id, recovers panics, and writes the
// access log and the latency metric for every request, matched or not.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &requestInfo{id: r.Header.Get("X-Request-ID"), route: "unmatched"}
		if !validRequestID.MatchString(ri.id) {
			ri.id = newRequestID()
		}
		w.Header().Set("X-Request-ID", ri.id)
		r = r.WithContext(context.WithValue(r.Context(), ctxRequestInfo, ri))
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(p)
				}
				s.log.ErrorContext(r.Context(), "panic", "request_id", ri.id, "panic", fmt.Sprint(p))
				if rec.status == 0 {
					s.writeProblem(rec, r, fmt.Errorf("panic: %v", p))
				}
			}
			elapsed := time.Since(start)
			s.metrics.HTTPDuration.WithLabelValues(ri.route, methodLabel(r.Method), strconv.Itoa(rec.status)).Observe(elapsed.Seconds())
			s.log.InfoContext(r.Context(), "request",
				"request_id", ri.id, "method", r.Method, "path", r.URL.Path, "route", ri.route,
				"status", rec.status, "duration_ms", float64(elapsed.Microseconds())/1000, "user_id", ri.userID)
		}()
		next.ServeHTTP(rec, r)
	})
}

// knownMethods are the methods that get their own metrics label. The label set must stay bounded:
// a client can send any token as a method, and each new label value would be a new series kept
// in memory for the life of the process.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
	http.MethodConnect: true, http.MethodTrace: true,
}

// methodLabel is the request's method for the metrics: a standard method as it is, anything
// else "OTHER". The route label is bounded the same way (a route template, or "unmatched").
func methodLabel(method string) string {
	if knownMethods[method] {
		return method
	}
	return "OTHER"
}

// limit bounds each request's time (its context, so database work is cancelled too) and body.
func (s *Server) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.requestTimeout)
		defer cancel()
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// routeName records the matched route template (mux middleware: runs only for matched routes).
func routeName(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if route := mux.CurrentRoute(r); route != nil {
			if tpl, err := route.GetPathTemplate(); err == nil {
				info(r.Context()).route = tpl
			}
		}
		next.ServeHTTP(w, r)
	})
}

var errNoBearer = domain.Errorf(domain.CodeUnauthenticated, "send Authorization: Bearer <token>")

// bearerToken is the request's bearer token, or "" when it sent none.
func bearerToken(r *http.Request) string {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// authenticateLater is authenticate for a route whose service checks the token itself, at the
// head of its transaction's first round trip (validation.Service.CreateAuthenticating), to save
// the round trip authentication takes on its own. It refuses only what needs no database — no
// bearer token, or one not of a token's shape — and leaves the token's credentials for fn, which
// records the caller (info's userID) once its service has checked them. When fn fails without
// having recorded a caller, the token is checked then (settleCaller). A request with an
// Idempotency-Key is authenticated first as on any route (its caller is known before fn runs):
// its key is the user's, claimed before the service's first statement.
func (s *Server) authenticateLater(fn handlerFunc) http.Handler {
	settled := s.handle(func(w http.ResponseWriter, r *http.Request) error {
		err := fn(w, r)
		if err != nil && info(r.Context()).userID == 0 {
			return s.settleCaller(r, err)
		}
		return err
	})
	now := s.authenticate(s.handle(fn))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Idempotency-Key") != "" {
			now.ServeHTTP(w, r)
			return
		}
		token := bearerToken(r)
		if token == "" {
			s.writeProblem(w, r, errNoBearer)
			return
		}
		c, ok := auth.ParseCredentials(token)
		if !ok {
			s.writeProblem(w, r, auth.ErrBadToken)
			return
		}
		settled.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxCredentials, c)))
	})
}

// settleCaller answers a request behind authenticateLater that failed before its service checked
// the token — a body that does not decode, say: the token is checked now, so that a bad token is
// unauthenticated before anything else, as on every other route. An error that is already the
// token's verdict (unauthenticated, forbidden) is answered as it is, and so is unavailable: the
// database was lost under the service, which has already retried, and a check now would only
// try it again for the same 503.
func (s *Server) settleCaller(r *http.Request, err error) error {
	switch domain.CodeOf(err) {
	case domain.CodeUnauthenticated, domain.CodeForbidden, domain.CodeUnavailable:
		return err
	}
	if _, authErr := s.identify(r, bearerToken(r)); authErr != nil {
		return authErr
	}
	return err
}

// identify authenticates token and records its user for the access log. Authentication reads the
// token and at most touches its last use (idempotent), so a connection that died idle in the pool
// costs one more try, for any method.
func (s *Server) identify(r *http.Request, token string) (domain.Actor, error) {
	var actor domain.Actor
	err := s.withReadRetry(r, func() (err error) {
		actor, err = s.auth.Authenticate(r.Context(), token)
		return err
	})
	if err == nil {
		info(r.Context()).userID = actor.UserID
	}
	return actor, err
}

// authenticate requires a valid bearer token on every /api/v1 route.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := bearerToken(r)
		if token == "" {
			s.writeProblem(w, r, errNoBearer)
			return
		}
		actor, err := s.identify(r, token)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxActor, actor)))
	})
}

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
