package suite

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// replica is one `mrmflow serve` process, started from the binary make bench builds, so its
// memory is measured as an operator would see it.
type replica struct {
	URL string
	cmd *exec.Cmd
	log string
}

// buildServer builds cmd/mrmflow into dir.
func buildServer(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "mrmflow")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "mrmflow/cmd/mrmflow")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build mrmflow: %w\n%s", err, out)
	}
	return bin, nil
}

// startReplica starts `mrmflow serve` on a free port with env added to the environment, logging
// to dir, and waits until /readyz answers 200.
func startReplica(ctx context.Context, bin, dir string, n int, env []string) (*replica, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, fmt.Sprintf("replica-%d.log", n))
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	// No load balancer watches these replicas' readiness: stopping needs no drain delay.
	cmd.Env = append(append(append(os.Environ(), "DRAIN_DELAY=100ms"), env...), "LISTEN_ADDR="+addr)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start replica: %w", err)
	}
	_ = logFile.Close() // the child holds its own descriptor
	r := &replica{URL: "http://" + addr, cmd: cmd, log: logPath}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(r.URL + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			r.stop()
			return nil, fmt.Errorf("replica %d did not become ready on %s (log: %s)", n, addr, logPath)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop asks the replica to drain and exit (SIGTERM), and kills it if it has not after 10 s.
func (r *replica) stop() {
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-done
	}
}

// peakRSS is the replica's high-water resident set (VmHWM) so far, in bytes.
func (r *replica) peakRSS() (int64, error) {
	return procStatusKB(r.cmd.Process.Pid, "VmHWM:")
}

func procStatusKB(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}

// freeAddr returns a loopback address with a port nobody listens on right now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String(), nil
}

// replicas is the set of running replicas.
type replicas []*replica

func (rs replicas) urls() []string {
	urls := make([]string, len(rs))
	for i, r := range rs {
		urls[i] = r.URL
	}
	return urls
}

// stopAll stops every replica in parallel.
func (rs replicas) stopAll() {
	var wg sync.WaitGroup
	for _, r := range rs {
		wg.Go(r.stop)
	}
	wg.Wait()
}

// peakRSS is the largest high-water RSS among the replicas.
func (rs replicas) peakRSS() (int64, error) {
	var peak int64
	for _, r := range rs {
		b, err := r.peakRSS()
		if err != nil {
			return 0, err
		}
		peak = max(peak, b)
	}
	return peak, nil
}
