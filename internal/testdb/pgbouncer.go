package testdb

import (
	"context"
	"errors"
	"net/url"
	"os"
	"sync"
	"testing"

	"mrmflow/internal/database"
	"mrmflow/internal/pgproc"
)

// PgBouncerExecMode is the statement mode the tests use behind PgBouncer, set the way a user
// sets it: pgx's own parameter in the database URL. It is what the README recommends there.
const PgBouncerExecMode = "cache_describe"

var (
	bouncerOnce sync.Once
	bouncerURL  string
	bouncerSkip string
	bouncerErr  error
)

// NewThroughPgBouncer is New with the pool, and URL, going through a PgBouncer in transaction
// pooling mode with PgBouncer's default settings (plus ignore_startup_parameters =
// extra_float_digits), with default_query_exec_mode=cache_describe in the URL. The database
// itself is created directly on the test server.
//
// The PgBouncer is TEST_PGBOUNCER_URL's if set; else the test binary starts one
// (pgproc.StartPgBouncer) that lives as long as the binary. Without pgbouncer installed the test
// is skipped, saying so; under CI it fails instead, because CI must run these tests.
func NewThroughPgBouncer(t testing.TB, maxConns int32) *DB {
	t.Helper()
	requireServer(t)
	bouncerOnce.Do(setupPgBouncer)
	if bouncerSkip != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must run the PgBouncer tests: %s", bouncerSkip)
		}
		t.Skip(bouncerSkip)
	}
	if bouncerErr != nil {
		t.Fatalf("start PgBouncer: %v", bouncerErr)
	}
	direct := New(t, 1)
	direct.Pool.Close()
	d := &DB{Name: direct.Name, URL: WithExecMode(withDatabase(bouncerURL, direct.Name), PgBouncerExecMode)}
	var err error
	d.Pool, err = database.Open(context.Background(), d.URL, database.PoolOptions{MaxConns: maxConns})
	if err != nil {
		t.Fatalf("open test database through PgBouncer: %v", err)
	}
	t.Cleanup(d.Pool.Close) // runs before New's cleanup drops the database
	return d
}

// setupPgBouncer finds or starts the PgBouncer of this test binary.
func setupPgBouncer() {
	if bouncerURL = os.Getenv("TEST_PGBOUNCER_URL"); bouncerURL != "" {
		return
	}
	b, err := pgproc.StartPgBouncer(adminURL)
	switch {
	case errors.Is(err, pgproc.ErrNoPgBouncer):
		bouncerSkip = err.Error() + " and TEST_PGBOUNCER_URL is not set: the PgBouncer tests did not run"
	case err != nil:
		bouncerErr = err
	default:
		bouncerURL = b.URL
	}
}

// WithExecMode returns the database URL raw with pgx's default_query_exec_mode set to mode.
func WithExecMode(raw, mode string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set("default_query_exec_mode", mode)
	u.RawQuery = q.Encode()
	return u.String()
}
