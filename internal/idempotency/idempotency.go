// Package idempotency makes a create or bulk POST safe to retry: the same Idempotency-Key with
// the same body replays the first answer; the same key with another body is refused.
//
// The key is claimed at the start of the transaction that does the work and its answer stored in
// that same transaction, so a key exists exactly when its work committed, on every replica.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/gen"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
)

// MaxKeyLength bounds an Idempotency-Key header.
const MaxKeyLength = 200

// Key identifies one guarded request: the caller's key and a hash of what was asked, and the
// status its fresh answer is sent with, stored beside that answer so a replay sends it again.
// The status is the HTTP layer's to decide; this package only keeps it.
type Key struct {
	UserID      int32
	Key         string
	RequestHash []byte
	Status      int
}

// NewKey builds a Key for a request; operation names the endpoint (a key reused on another
// endpoint is "another body"), body is the raw request body and status is what the handler
// answers a fresh value with.
func NewKey(userID int32, key, operation string, body []byte, status int) *Key {
	h := sha256.New()
	h.Write([]byte(operation))
	h.Write([]byte{0})
	h.Write(body)
	return &Key{UserID: userID, Key: key, RequestHash: h.Sum(nil), Status: status}
}

// Replay is a stored answer to send again instead of doing the work.
type Replay struct {
	Status int
	Body   []byte
}

// Result is what a guarded operation produced: either a fresh value or a replay.
type Result[T any] struct {
	Value  T
	Replay *Replay
}

var errReused = domain.Errorf(domain.CodeIdempotencyKeyReused,
	"this Idempotency-Key was already used with a different request")

var errInProgress = domain.Errorf(domain.CodeLockTimeout,
	"a request with this Idempotency-Key is still being processed; retry it shortly")

// Do runs work inside tx under key. With a nil key it just runs work. Otherwise it claims the key
// first: if the key already holds a committed answer, that answer is returned as a Replay (or
// idempotency_key_reused if the request differs) and work does not run; if not, work runs and its
// value is stored, encoded as JSON with the key's status, before the caller commits.
func Do[T any](ctx context.Context, tx pgx.Tx, key *Key, work func() (T, error)) (Result[T], error) {
	if key == nil {
		v, err := work()
		return Result[T]{Value: v}, err
	}
	q := gen.New(tx)
	claimed, err := q.IdempotencyKeyClaim(ctx, gen.IdempotencyKeyClaimParams{
		UserID: key.UserID, IdempotencyKey: key.Key, RequestHash: key.RequestHash,
	})
	if err != nil && !pgtx.IsNoRows(err) {
		// The claim waits while another transaction holds the same key; a lock_timeout or
		// statement_timeout then means the first request is still running, which the client
		// may retry (503), not an internal error.
		if f := pgtx.Classify(err); ctx.Err() == nil && (f == pgtx.LockTimeout || f == pgtx.StatementTimeout) {
			return Result[T]{}, errInProgress
		}
		return Result[T]{}, fmt.Errorf("claim idempotency key: %w", err)
	}
	if !claimed {
		stored, err := q.IdempotencyKeyGet(ctx, gen.IdempotencyKeyGetParams{UserID: key.UserID, IdempotencyKey: key.Key})
		if err != nil {
			return Result[T]{}, fmt.Errorf("read idempotency key: %w", err)
		}
		if string(stored.RequestHash) != string(key.RequestHash) {
			return Result[T]{}, errReused
		}
		return Result[T]{Replay: &Replay{Status: int(stored.ResponseStatus), Body: stored.ResponseBody}}, nil
	}
	v, err := work()
	if err != nil {
		return Result[T]{}, err
	}
	body, err := json.Marshal(v)
	if err != nil {
		return Result[T]{}, fmt.Errorf("encode idempotent answer: %w", err)
	}
	err = q.IdempotencyKeyComplete(ctx, gen.IdempotencyKeyCompleteParams{
		UserID: key.UserID, IdempotencyKey: key.Key, ResponseStatus: int32(key.Status), ResponseBody: body,
	})
	if err != nil {
		return Result[T]{}, fmt.Errorf("store idempotent answer: %w", err)
	}
	return Result[T]{Value: v}, nil
}

// PurgeExpired deletes keys older than 24 hours; the service calls it periodically.
func PurgeExpired(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	return gen.New(pool).IdempotencyKeyDeleteExpired(ctx)
}

// InTx runs work in a transaction of db (a service's: READ COMMITTED, bounded by its limits),
// under key as Do describes: the usual shape of a create or bulk endpoint that accepts an
// Idempotency-Key. The limits are set before the key is claimed, so a claim waiting on a request
// still in flight is bounded too.
func InTx[T any](ctx context.Context, db pgtx.DB, key *Key, work func(tx pgx.Tx) (T, error)) (Result[T], error) {
	return pgtx.WithTxV(ctx, db, func(tx pgx.Tx) (Result[T], error) {
		return Do(ctx, tx, key, func() (T, error) { return work(tx) })
	})
}
