package testdb

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"mrmflow/internal/database"
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
// The PgBouncer is TEST_PGBOUNCER_URL's if set; else the test binary starts one from a temporary
// directory on a free loopback port (as user postgres when root) that lives as long as the
// binary. Without pgbouncer installed the test is skipped, saying so; under CI it fails instead,
// because CI must run these tests.
func NewThroughPgBouncer(t testing.TB, maxConns int32) *DB {
	t.Helper()
	requireServer(t)
	bouncerOnce.Do(func() { bouncerURL, bouncerSkip, bouncerErr = setupPgBouncer() })
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
	d := &DB{Name: direct.Name, URL: withExecMode(withDatabase(bouncerURL, direct.Name), PgBouncerExecMode)}
	var err error
	d.Pool, err = database.Open(context.Background(), d.URL, database.PoolOptions{MaxConns: maxConns})
	if err != nil {
		t.Fatalf("open test database through PgBouncer: %v", err)
	}
	t.Cleanup(d.Pool.Close) // runs before New's cleanup drops the database
	return d
}

// setupPgBouncer finds or starts the PgBouncer of this test binary.
func setupPgBouncer() (url, skip string, err error) {
	if u := os.Getenv("TEST_PGBOUNCER_URL"); u != "" {
		return u, "", nil
	}
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if _, statErr := os.Stat("/usr/sbin/pgbouncer"); statErr != nil {
			return "", "pgbouncer is not installed (apt-get install pgbouncer) and TEST_PGBOUNCER_URL is not set: the PgBouncer tests did not run", nil
		}
		bin = "/usr/sbin/pgbouncer"
	}
	server, err := pgconn.ParseConfig(adminURL)
	if err != nil {
		return "", "", err
	}
	var lastErr error
	for range 5 { // a free port may be taken between the probe and PgBouncer's bind
		url, err := startPgBouncer(bin, server)
		if err == nil {
			return url, "", nil
		}
		lastErr = err
	}
	return "", "", lastErr
}

// startPgBouncer writes a configuration in a temporary directory and starts PgBouncer on it.
// Beyond what every deployment must say (where to listen, how to authenticate, the pool mode,
// where to log), only ignore_startup_parameters = extra_float_digits differs from the defaults.
func startPgBouncer(bin string, server *pgconn.Config) (string, error) {
	dir, err := serviceDir()
	if err != nil {
		return "", err
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%d

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
ignore_startup_parameters = extra_float_digits
logfile = %s
`, server.Host, server.Port, port, filepath.Join(dir, "userlist.txt"), filepath.Join(dir, "pgbouncer.log"))
	files := map[string]string{
		"pgbouncer.ini": ini,
		"userlist.txt":  strconv.Quote(server.User) + ` ""` + "\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	cmd, err := command(bin, filepath.Join(dir, "pgbouncer.ini"))
	if err != nil {
		return "", err
	}
	p, err := start(cmd)
	if err != nil {
		return "", err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	err = p.waitListening(addr, 5*time.Second)
	if err != nil {
		_ = cmd.Process.Kill()
		log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
		err = fmt.Errorf("%w; log: %s", err, log)
	}
	// PgBouncer has read its files and holds its log open; nothing is left behind in /tmp.
	_ = os.RemoveAll(dir)
	if err != nil {
		return "", err
	}
	u := &url.URL{Scheme: "postgres", User: url.User(server.User), Host: addr, Path: "/postgres", RawQuery: "sslmode=disable"}
	return u.String(), nil
}

// withExecMode sets pgx's default_query_exec_mode in a database URL.
func withExecMode(raw, mode string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set("default_query_exec_mode", mode)
	u.RawQuery = q.Encode()
	return u.String()
}
