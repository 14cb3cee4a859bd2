package pgproc

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNoPgBouncer says pgbouncer is not installed.
var ErrNoPgBouncer = errors.New("pgbouncer is not installed (apt-get install pgbouncer)")

// PgBouncer is a running PgBouncer.
type PgBouncer struct {
	*Process
	// URL reaches the server's postgres database through PgBouncer (sslmode=disable); change
	// its path for another database.
	URL string
}

// StartPgBouncer starts a PgBouncer in front of the server of serverURL: transaction pooling,
// trust authentication for the server URL's user, a free loopback port, PgBouncer's defaults for
// everything else except ignore_startup_parameters = extra_float_digits. Every database of the
// server is reachable through it under its own name (the "*" fallback entry).
func StartPgBouncer(serverURL string) (*PgBouncer, error) {
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if _, statErr := os.Stat("/usr/sbin/pgbouncer"); statErr != nil {
			return nil, ErrNoPgBouncer
		}
		bin = "/usr/sbin/pgbouncer" // Debian installs it outside a non-root PATH
	}
	server, err := pgconn.ParseConfig(serverURL)
	if err != nil {
		return nil, err
	}
	var lastErr error
	for range 5 { // a free port may be taken between the probe and PgBouncer's bind
		b, err := startPgBouncer(bin, server)
		if err == nil {
			return b, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// startPgBouncer writes a configuration in a temporary directory and starts PgBouncer on it.
// Beyond what every deployment must say (where to listen, how to authenticate, the pool mode,
// where to log), only ignore_startup_parameters = extra_float_digits differs from the defaults.
func startPgBouncer(bin string, server *pgconn.Config) (*PgBouncer, error) {
	dir, err := ServiceDir()
	if err != nil {
		return nil, err
	}
	// PgBouncer reads its files at start and holds its log open; nothing stays in /tmp.
	defer func() { _ = os.RemoveAll(dir) }()
	port, err := FreePort()
	if err != nil {
		return nil, err
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
			return nil, err
		}
	}
	cmd, err := Command(bin, filepath.Join(dir, "pgbouncer.ini"))
	if err != nil {
		return nil, err
	}
	p, err := Start(cmd)
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if err := p.WaitListening(addr, 5*time.Second); err != nil {
		_ = cmd.Process.Kill()
		log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
		return nil, fmt.Errorf("%w; log: %s", err, log)
	}
	u := &url.URL{Scheme: "postgres", User: url.User(server.User), Host: addr, Path: "/postgres", RawQuery: "sslmode=disable"}
	return &PgBouncer{Process: p, URL: u.String()}, nil
}
