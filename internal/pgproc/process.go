// Package pgproc starts the PostgreSQL-side processes that tests and make bench need beside the
// shared server: a transaction-pooling PgBouncer, a private PostgreSQL server. They run as user
// postgres when the caller is root (both refuse root) and die with the process that started them.
package pgproc

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// serviceUser is the account PgBouncer and a test PostgreSQL run as when the caller is root:
// both refuse to run as root.
const serviceUser = "postgres"

// Process is a helper server (PgBouncer, a test PostgreSQL) started by a test binary or make
// bench. It runs as serviceUser when the caller is root, and it dies with the process that
// started it (SIGTERM on the parent's death), so a crashed or interrupted run leaves nothing
// behind.
type Process struct {
	cmd  *exec.Cmd
	done chan error
}

// Command prepares name with args to run as serviceUser when we are root; it gets SIGTERM when
// the thread that starts it exits (Start keeps that thread for the child's lifetime).
func Command(name string, args ...string) (*exec.Cmd, error) {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if os.Geteuid() == 0 {
		uid, gid, err := serviceIDs()
		if err != nil {
			return nil, err
		}
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uid, Gid: gid}
	}
	return cmd, nil
}

// serviceIDs are serviceUser's uid and gid.
func serviceIDs() (uint32, uint32, error) {
	u, err := user.Lookup(serviceUser)
	if err != nil {
		return 0, 0, fmt.Errorf("running as root, and there is no %q user to run as: %w", serviceUser, err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return uint32(uid), uint32(gid), nil
}

// ServiceDir makes a temporary directory the service user owns.
func ServiceDir() (string, error) {
	dir, err := os.MkdirTemp("", "mrmflow-test-")
	if err != nil {
		return "", err
	}
	if os.Geteuid() == 0 {
		uid, gid, err := serviceIDs()
		if err != nil {
			return "", err
		}
		if err := os.Chown(dir, int(uid), int(gid)); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// Start starts cmd on an OS thread that stays locked until the process ends: Pdeathsig fires
// when the thread that started the child exits, and a locked thread never exits earlier.
func Start(cmd *exec.Cmd) (*Process, error) {
	p := &Process{cmd: cmd, done: make(chan error, 1)}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.done <- cmd.Wait()
	}()
	return p, <-started
}

// WaitListening waits until addr accepts TCP connections, the process exits, or timeout passes.
func (p *Process) WaitListening(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			p.done <- err
			return fmt.Errorf("%s exited before listening on %s: %w", p.cmd.Path, addr, err)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			_ = c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New(p.cmd.Path + " did not listen on " + addr + " in time")
}

// FreePort returns a loopback port nothing listens on right now.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Stop terminates the process (SIGTERM) and waits for it.
func (p *Process) Stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	err := <-p.done
	p.done <- err
}
