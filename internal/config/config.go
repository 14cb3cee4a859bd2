// Package config reads mrmflow's settings from the environment, with defaults for development.
package config

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"mrmflow/internal/domain"
	"mrmflow/internal/export"
	"mrmflow/internal/pgtx"
)

// Config is every setting of a running mrmflow. The environment variable of each field is named
// in Load and in the README's configuration table.
type Config struct {
	DatabaseURL string
	ListenAddr  string
	// DebugAddr, when set, serves net/http/pprof there: a separate listener, so profiles are
	// never reachable through the API's address.
	DebugAddr        string
	LogLevel         string
	LogFormat        string
	PoolMaxConns     int32
	LockTimeout      time.Duration
	StatementTimeout time.Duration
	RequestTimeout   time.Duration
	// DrainDelay is how long, after SIGTERM, the service keeps serving with /readyz answering
	// 503, so a load balancer notices before the listener closes.
	DrainDelay time.Duration
	// ShutdownTimeout is how long in-flight requests then get to finish. Its default is
	// REQUEST_TIMEOUT plus the 5 s of the write deadline, so a request that started just before
	// the listener closed may run its whole time and still be answered.
	ShutdownTimeout time.Duration
	// TokenTTL is the lifetime of a token created without an explicit expires_at.
	TokenTTL time.Duration
	// ExportMaxRows bounds the rows of one CSV answer: an export matching more is refused
	// (export_too_large) before any row is sent.
	ExportMaxRows int32
}

// WriteGrace is how much longer than REQUEST_TIMEOUT the server gives itself to write an answer
// (the HTTP server's write deadline).
const WriteGrace = 5 * time.Second

// Limits are the bounds every service transaction sets with SET LOCAL: LOCK_TIMEOUT and
// STATEMENT_TIMEOUT.
func (c Config) Limits() pgtx.Limits {
	return pgtx.Limits{LockTimeout: c.LockTimeout, StatementTimeout: c.StatementTimeout}
}

// Load reads the configuration from the environment. A malformed value is an error naming the
// variable; an absent one takes its default. DATABASE_URL may be empty here: `serve` refuses to
// start without it and `serve --dev` resolves one.
func Load() (Config, error) {
	c := Config{
		DatabaseURL: os.Getenv("DATABASE_URL"),
		ListenAddr:  envOr("LISTEN_ADDR", "127.0.0.1:8080"),
		DebugAddr:   os.Getenv("DEBUG_ADDR"),
		LogLevel:    envOr("LOG_LEVEL", "info"),
		LogFormat:   envOr("LOG_FORMAT", "json"),
	}
	var err error
	if c.PoolMaxConns, err = envInt32("DB_POOL_MAX_CONNS", 10); err != nil {
		return c, err
	}
	if c.ExportMaxRows, err = envInt32("EXPORT_MAX_ROWS", export.DefaultMaxRows); err != nil {
		return c, err
	}
	durations := []struct {
		name string
		dst  *time.Duration
		def  time.Duration
	}{
		{"LOCK_TIMEOUT", &c.LockTimeout, pgtx.DefaultLockTimeout},
		{"STATEMENT_TIMEOUT", &c.StatementTimeout, 30 * time.Second},
		{"REQUEST_TIMEOUT", &c.RequestTimeout, 60 * time.Second},
		{"TOKEN_TTL", &c.TokenTTL, domain.DefaultTokenTTL},
		{"DRAIN_DELAY", &c.DrainDelay, 5 * time.Second},
	}
	for _, d := range durations {
		if *d.dst, err = envDuration(d.name, d.def); err != nil {
			return c, err
		}
	}
	// Read after REQUEST_TIMEOUT, of which its default is derived.
	if c.ShutdownTimeout, err = envDuration("SHUTDOWN_TIMEOUT", c.RequestTimeout+WriteGrace); err != nil {
		return c, err
	}
	switch c.LogFormat {
	case "json", "text":
	default:
		return c, fmt.Errorf("LOG_FORMAT must be json or text, not %q", c.LogFormat)
	}
	return c, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt32(name string, def int32) (int32, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s must be a positive whole number, not %q", name, v)
	}
	return int32(n), nil
}

func envDuration(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s must be a positive duration such as 5s, not %q", name, v)
	}
	return d, nil
}
