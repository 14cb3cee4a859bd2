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

func TestLoadRejectsMalformedValuesNamingTheVariable(t *testing.T) {
	cases := map[string]string{
		"LOCK_TIMEOUT":      "five",
		"STATEMENT_TIMEOUT": "-1s",
		"TOKEN_TTL":         "90d",
		"DB_POOL_MAX_CONNS": "0",
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
