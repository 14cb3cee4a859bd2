package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"

	"mrmflow/internal/auth"
	"mrmflow/internal/domain"
	"mrmflow/internal/testdb"
)

func TestUserCreatePrintsAWorkingTokenAloneOnTheLastLine(t *testing.T) {
	d := testdb.New(t, 2)
	t.Setenv("DATABASE_URL", d.URL)
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"user", "create", "--email", "ops@bank.test", "--name", "Ops Admin", "--role", "ADMIN"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("user create: %v; stderr: %s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	token := lines[len(lines)-1]
	actor, err := auth.NewAuthenticator(d.Pool).Authenticate(context.Background(), token)
	if err != nil {
		t.Fatalf("the printed last line %q is not a working token: %v", token, err)
	}
	if actor.Role != domain.RoleAdmin {
		t.Fatalf("role = %s, want ADMIN", actor.Role)
	}
}

func TestUserCreateRejectsBadInput(t *testing.T) {
	d := testdb.New(t, 2)
	t.Setenv("DATABASE_URL", d.URL)
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"user", "create", "--email", "not-an-email", "--name", "X", "--role", "ADMIN"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "email") {
		t.Fatalf("err = %v, want an error naming email", err)
	}
	err = run(context.Background(), []string{"user", "create", "--email", "a@b.test", "--name", "X", "--role", "ROOT"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "role") {
		t.Fatalf("err = %v, want an error naming role", err)
	}
}

func TestServeRefusesToStartWithoutDatabaseURL(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"serve"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Fatalf("err = %v, want a refusal naming DATABASE_URL", err)
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, args := range [][]string{{"serve", "--help"}, {"migrate", "--help"}, {"user", "create", "--help"}, {"help"}} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, &stdout, &stderr)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(stdout.String()+stderr.String(), "Usage") {
			t.Errorf("%v printed no usage", args)
		}
	}
}

func TestVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"version"}, &stdout, &stderr); err != nil || !strings.HasPrefix(stdout.String(), "mrmflow ") {
		t.Fatalf("version: %v %q", err, stdout.String())
	}
}

// TestDemoWorksARequestToApproved: make demo's DATA-01 race ends in one request, which it then
// works through assignment, outcome and two approvals to APPROVED.
func TestDemoWorksARequestToApproved(t *testing.T) {
	d := testdb.New(t, 2)
	t.Setenv("DATABASE_URL", d.URL)
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"demo"}, &stdout, &stderr); err != nil {
		t.Fatalf("demo: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"1 created, 9 conflicts", "gate_not_met [use_approvals]", "GLOBAL approval", "REGIONAL approval", "request APPROVED",
		"): UPCOMING", "(past the grace period): SHOULD_CREATE_REQUEST", "(past the validation due date): REVALIDATION_OVERDUE"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}
