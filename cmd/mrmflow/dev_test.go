package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"mrmflow/internal/auth"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/testdb"
	"mrmflow/internal/user"
)

func TestServeDevRefusesADatabaseOffThisMachine(t *testing.T) {
	for url, ok := range map[string]bool{
		"postgres://postgres@127.0.0.1:5432/x?sslmode=disable":             true,
		"postgres://postgres@localhost/x":                                  true,
		"postgres://postgres@[::1]:5432/x":                                 true,
		"host=/var/run/postgresql dbname=x":                                true,
		"postgres://postgres@db.bank.example:5432/x":                       false,
		"postgres://postgres@10.1.2.3/x":                                   false,
		"postgres://postgres@127.0.0.1:5432,db.bank.example:5432/x":        false,
		"host=127.0.0.1,10.1.2.3 dbname=x user=postgres connect_timeout=1": false,
	} {
		if err := requireLoopback(url); (err == nil) != ok {
			t.Errorf("%s: %v, want allowed = %v", url, err, ok)
		}
	}
	// serve --dev stops before it connects, migrates or creates anyone.
	t.Setenv("DATABASE_URL", "postgres://postgres@db.bank.example:5432/prod")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"serve", "--dev"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("serve --dev on a remote database: %v, want a refusal naming loopback", err)
	}
}

var printedToken = regexp.MustCompile(`(?m)^token: (\S+)$`)

// TestServeDevRevokesTheTokenItPrintedLastTime: each start prints a new development token and the
// previous one stops working.
func TestServeDevRevokesTheTokenItPrintedLastTime(t *testing.T) {
	d := testdb.New(t, 2)
	ctx := context.Background()
	var tokens []string
	for range 2 {
		var out bytes.Buffer
		if err := printDevAdmin(ctx, user.NewService(d.Pool, pgtx.Limits{}, 0), "127.0.0.1:8080", &out); err != nil {
			t.Fatalf("print development admin: %v", err)
		}
		m := printedToken.FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no token line in %q", out.String())
		}
		tokens = append(tokens, m[1])
	}
	a := auth.NewAuthenticator(d.Pool)
	if _, err := a.Authenticate(ctx, tokens[0]); err == nil {
		t.Error("the token printed by the previous start still works")
	}
	if _, err := a.Authenticate(ctx, tokens[1]); err != nil {
		t.Errorf("the token printed last does not work: %v", err)
	}
}
