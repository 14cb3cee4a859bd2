package suite

import (
	"context"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
)

// The pieces of the suite other benchmarks reuse (bench/queues): one way to build and start the
// server, to recreate a database and to describe the machine, so every report measures alike.

// Server is one running `mrmflow serve`, as the suite's replicas are.
type Server struct{ r *replica }

// BuildServer builds cmd/mrmflow into dir and returns the binary's path.
func BuildServer(ctx context.Context, dir string) (string, error) { return buildServer(ctx, dir) }

// StartServer starts bin as the suite starts a replica (on a free loopback port, env added to the
// environment, its log in dir) and waits until it is ready.
func StartServer(ctx context.Context, bin, dir string, env []string) (*Server, error) {
	r, err := startReplica(ctx, bin, dir, 1, env)
	if err != nil {
		return nil, err
	}
	return &Server{r: r}, nil
}

// URL is the server's base URL.
func (s *Server) URL() string { return s.r.URL }

// Log is the path of the server's log.
func (s *Server) Log() string { return s.r.log }

// Stop drains and stops the server.
func (s *Server) Stop() { s.r.stop() }

// RSS is the server's resident set now (VmRSS), in bytes.
func (s *Server) RSS() (int64, error) { return procStatusKB(s.r.cmd.Process.Pid, "VmRSS:") }

// PeakRSS is the server's high-water resident set so far (VmHWM), in bytes.
func (s *Server) PeakRSS() (int64, error) { return s.r.peakRSS() }

// RecreateDatabase drops and creates name on the server of adminURL and returns its URL.
func RecreateDatabase(ctx context.Context, adminURL, name string) (string, error) {
	return recreateDatabase(ctx, adminURL, name)
}

// DescribeMachine is the machine line of a report: cores, memory, PostgreSQL, Go, commit.
func DescribeMachine(ctx context.Context, pool *pgxpool.Pool) (Machine, error) {
	return describeMachine(ctx, pool)
}

// ResetPeakRSS resets the server's VmHWM to its current resident set (clear_refs 5), so a later
// PeakRSS measures one operation; kernels that refuse it leave the peak of the whole run.
func (s *Server) ResetPeakRSS() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.r.cmd.Process.Pid), []byte("5"), 0)
}
