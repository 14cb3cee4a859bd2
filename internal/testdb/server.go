package testdb

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"mrmflow/internal/pgproc"
)

// Server is a PostgreSQL server of one test's own, for tests that must stop and start it (a
// restart under load) without touching the shared test server.
type Server struct {
	t       testing.TB
	bin     string
	data    string
	port    int
	logFile string
	// URL is the postgres database of the server (trust authentication, user postgres).
	URL string
}

// StartServer initialises a data directory in a temporary folder and starts PostgreSQL on a free
// loopback port, as user postgres when the tests run as root (PostgreSQL refuses root). It is
// stopped and removed when t ends. Without PostgreSQL's server binaries the test is skipped
// (failed under CI). max_connections is small: the server serves one test.
func StartServer(t testing.TB) *Server {
	t.Helper()
	bin := serverBinDir()
	if bin == "" {
		msg := "PostgreSQL's server binaries (initdb, pg_ctl) are not installed: set TEST_PG_BINDIR or apt-get install postgresql-15"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir, err := pgproc.ServiceDir()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	port, err := pgproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, bin: bin, data: filepath.Join(dir, "data"), port: port, logFile: filepath.Join(dir, "server.log")}
	s.URL = (&url.URL{Scheme: "postgres", User: url.User("postgres"), Host: "127.0.0.1:" + strconv.Itoa(port),
		Path: "/postgres", RawQuery: "sslmode=disable"}).String()
	s.run("initdb", "-D", s.data, "--auth=trust", "--username=postgres", "--no-sync", "--no-instructions")
	conf := fmt.Sprintf("port = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nmax_connections = 30\nfsync = off\n", port, dir)
	f, err := os.OpenFile(filepath.Join(s.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(conf)
	_ = f.Close()
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(func() { _ = s.ctl("stop", "-m", "immediate") })
	return s
}

// Start starts the server and returns once it accepts connections.
func (s *Server) Start() {
	s.t.Helper()
	if err := s.ctl("start", "-w", "-t", "30", "-l", s.logFile); err != nil {
		log, _ := os.ReadFile(s.logFile)
		s.t.Fatalf("start PostgreSQL: %v; log: %s", err, log)
	}
}

// Stop shuts the server down the way a restart does (fast: sessions are terminated with 57P01,
// open transactions roll back) and returns once it is down.
func (s *Server) Stop() {
	s.t.Helper()
	if err := s.ctl("stop", "-w", "-m", "fast"); err != nil {
		s.t.Fatalf("stop PostgreSQL: %v", err)
	}
}

func (s *Server) ctl(args ...string) error {
	cmd, err := pgproc.Command(filepath.Join(s.bin, "pg_ctl"), append([]string{"-D", s.data}, args...)...)
	if err != nil {
		return err
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %v: %w: %s", args, err, out)
	}
	return nil
}

func (s *Server) run(name string, args ...string) {
	s.t.Helper()
	cmd, err := pgproc.Command(filepath.Join(s.bin, name), args...)
	if err != nil {
		s.t.Fatal(err)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("%s: %v: %s", name, err, out)
	}
}

// serverBinDir is TEST_PG_BINDIR, else the newest /usr/lib/postgresql/*/bin with initdb.
func serverBinDir() string {
	if d := os.Getenv("TEST_PG_BINDIR"); d != "" {
		return d
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		return ""
	}
	return filepath.Dir(matches[len(matches)-1])
}
