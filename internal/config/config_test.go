package config

import (
	"strings"
	"testing"
	"time"
)

func TestLoadDefaults(t *testing.T) {
	for _, name := range []string{"DATABASE_URL", "LISTEN_ADDR", "LOG_FORMAT", "LOCK_TIMEOUT", "DB_POOL_MAX_CONNS", "TOKEN_TTL"} {
		t.Setenv(name, "")
	}
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.ListenAddr != "127.0.0.1:8080" || c.LockTimeout != 5*time.Second || c.PoolMaxConns != 10 || c.LogFormat != "json" ||
		c.TokenTTL != 90*24*time.Hour {
		t.Fatalf("defaults = %+v", c)
	}
}

// The shutdown timeout follows the request timeout unless set: a request that started just
// before SIGTERM must be able to run its whole REQUEST_TIMEOUT and be answered.
func TestShutdownTimeoutDefaultCoversTheRequestTimeout(t *testing.T) {
	t.Setenv("REQUEST_TIMEOUT", "90s")
	t.Setenv("SHUTDOWN_TIMEOUT", "")
	t.Setenv("DRAIN_DELAY", "")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.ShutdownTimeout < c.RequestTimeout || c.ShutdownTimeout != 95*time.Second || c.DrainDelay != 5*time.Second {
		t.Fatalf("request %v, shutdown %v, drain %v", c.RequestTimeout, c.ShutdownTimeout, c.DrainDelay)
	}
	t.Setenv("SHUTDOWN_TIMEOUT", "10s")
	if c, err = Load(); err != nil || c.ShutdownTimeout != 10*time.Second {
		t.Fatalf("an explicit SHUTDOWN_TIMEOUT is kept: %v %v", c.ShutdownTimeout, err)
	}
}

func TestLoadRejectsMalformedValuesNamingTheVariable(t *testing.T) {
	cases := map[string]string{
		"LOCK_TIMEOUT":      "five",
		"STATEMENT_TIMEOUT": "-1s",
		"TOKEN_TTL":         "90d",
		"DB_POOL_MAX_CONNS": "0",
		"DRAIN_DELAY":       "soon",
		"SHUTDOWN_TIMEOUT":  "0s",
		"LOG_FORMAT":        "xml",
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, value)
			_, err := Load()
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("err = %v, want one naming %s", err, name)
			}
		})
	}
}
