// Package testdb gives each test its own freshly migrated PostgreSQL database.
//
// With TEST_DATABASE_URL set (a server the tests may create databases on), the first test of a
// run builds one migrated template database, named by a hash of the migrations so a changed
// migration gets a new template, and every test gets a CREATE DATABASE ... TEMPLATE copy (about
// 10 ms). A passing test's database is dropped; a failing test's is kept and its URL logged.
// Without TEST_DATABASE_URL it starts PostgreSQL 15 in Docker with testcontainers-go, and where
// Docker is not available either, it skips the test saying how to run it.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/db"
	"mrmflow/internal/database"
)

// templateLockKey serialises template builds across the test binaries `go test ./...` runs in
// parallel (a session-level lock on a dedicated, unpooled connection, released on close).
const templateLockKey = 7_243_001

var (
	setupOnce  sync.Once
	setupErr   error
	skipReason string
	adminURL   string
	templateDB string
)

// DB is one test's database.
type DB struct {
	Name string
	URL  string
	Pool *pgxpool.Pool
}

// New returns a new migrated database for t, with a pool of maxConns connections (0 = pgx's
// default). It is dropped when t passes and kept, with its URL logged, when t fails.
func New(t testing.TB, maxConns int32) *DB {
	t.Helper()
	requireServer(t)
	ctx := context.Background()
	name := "mrmflow_test_" + randomSuffix()
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatalf("connect to admin database: %v", err)
	}
	defer func() { _ = admin.Close(ctx) }()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{templateDB}.Sanitize()); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	d := &DB{Name: name, URL: withDatabase(adminURL, name)}
	d.Pool, err = database.Open(ctx, d.URL, database.PoolOptions{MaxConns: maxConns})
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		d.Pool.Close()
		if t.Failed() {
			t.Logf("test database kept for inspection: %s", d.URL)
			return
		}
		drop(t, name)
	})
	return d
}

// URLFor returns a URL for a new, empty (unmigrated) database on the test server, dropped after
// the test; the migration tests use it.
func URLFor(t testing.TB) string {
	t.Helper()
	requireServer(t)
	name := "mrmflow_test_" + randomSuffix()
	t.Cleanup(func() {
		if !t.Failed() {
			drop(t, name)
		}
	})
	return withDatabase(adminURL, name)
}

// requireServer sets up the test server once per test binary, then skips t if there is none
// (no TEST_DATABASE_URL and no Docker) or fails it if setting up went wrong.
func requireServer(t testing.TB) {
	t.Helper()
	setupOnce.Do(setup)
	if skipReason != "" {
		t.Skip(skipReason)
	}
	if setupErr != nil {
		t.Fatalf("test database setup: %v", setupErr)
	}
}

func drop(t testing.TB, name string) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Logf("drop test database %s: %v", name, err)
		return
	}
	defer func() { _ = admin.Close(ctx) }()
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Logf("drop test database %s: %v", name, err)
	}
}

func setup() {
	adminURL = os.Getenv("TEST_DATABASE_URL")
	if adminURL == "" {
		adminURL, skipReason, setupErr = startContainer()
		if skipReason != "" || setupErr != nil {
			return
		}
	}
	hash, err := migrationsHash()
	if err != nil {
		setupErr = err
		return
	}
	templateDB = "mrmflow_template_" + hash[:16]
	setupErr = ensureTemplate(context.Background())
}

// ensureTemplate builds the template database unless a complete one exists. It is built under
// another name and renamed when complete, so a crashed build never leaves a broken template.
func ensureTemplate(ctx context.Context) error {
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", redact(adminURL), err)
	}
	defer func() { _ = admin.Close(ctx) }()
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLockKey); err != nil {
		return fmt.Errorf("lock template build: %w", err)
	}
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", templateDB).Scan(&exists); err != nil {
		return fmt.Errorf("look for template: %w", err)
	}
	if exists {
		return nil
	}
	building := templateDB + "_building"
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{building}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop stale template build: %w", err)
	}
	if err := database.Migrate(withDatabase(adminURL, building), io.Discard); err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{building}.Sanitize()+" RENAME TO "+pgx.Identifier{templateDB}.Sanitize()); err != nil {
		return fmt.Errorf("finish template: %w", err)
	}
	return nil
}

// migrationsHash names the template after the migrations' contents.
func migrationsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(db.Migrations, db.MigrationsDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(db.Migrations, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102150405") + "_" + hex.EncodeToString(b)
}
