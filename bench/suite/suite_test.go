package suite

import (
	"context"
	"io"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"mrmflow/internal/testdb"
)

// TestRunMeasuresEveryScenarioAndWritesTheReport runs the whole suite briefly — a real server,
// the load generator and pgbench on a fresh database — so that `make bench` cannot rot unnoticed.
// The figures of so short a run mean nothing; the test checks that each side measured something
// without errors and that the report carries every row.
func TestRunMeasuresEveryScenarioAndWritesTheReport(t *testing.T) {
	if _, err := exec.LookPath("pgbench"); err != nil {
		t.Skip("pgbench is not installed (it comes with postgresql-15); make bench needs it")
	}
	dbURL := testdb.URLFor(t) // a database name of our own, dropped afterwards
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	report, err := Run(ctx, Options{
		AdminURL: u.String(), Database: name, Replicas: 1,
		Duration: 2 * time.Second, Slices: 2, Warmup: 200 * time.Millisecond, BulkSizes: []int{10}, BulkCalls: 1,
		ScriptDir: "../pgbench", SQLDir: "../../sql", WorkDir: t.TempDir(), Log: io.Discard,
		// A handful of connections: the other packages' tests share the server's 100.
		Clients: 2, ServerEnv: []string{"DB_POOL_MAX_CONNS=4"}, StatementModes: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Scenarios) != len(scenarios) {
		t.Fatalf("%d scenarios measured, want %d", len(report.Scenarios), len(scenarios))
	}
	for _, sc := range report.Scenarios {
		svc, pg := sc.Service, sc.Pgbench
		if svc.Elapsed != 2*time.Second || len(svc.Samples) != svc.Requests {
			t.Errorf("%s: service measured %s with %d samples for %d requests; want both slices merged (2s)", sc.Spec.Scenario, svc.Elapsed, len(svc.Samples), svc.Requests)
		}
		if svc.Requests == 0 || svc.Errors != 0 || svc.Server5xx != 0 {
			t.Errorf("%s: service made %d requests with %d transport errors and %d 5xx; want requests and no errors", sc.Spec.Scenario, svc.Requests, svc.Errors, svc.Server5xx)
		}
		if pg.Transactions == 0 || pg.Failed != 0 || pg.TPS <= 0 {
			t.Errorf("%s: pgbench ran %d transactions (%d failed, %.0f tps); want some and no failures", sc.Spec.Scenario, pg.Transactions, pg.Failed, pg.TPS)
		}
	}
	if len(report.Bulk) != 1 || report.Bulk[0].Service.Succeeded != 10 || report.Bulk[0].Replay <= 0 {
		t.Errorf("bulk results %+v: want one size of 10 tasks, all confirmed, and a replay time", report.Bulk)
	}
	routes := map[string]bool{}
	for _, m := range report.Modes {
		routes[m.Route] = true
		if m.Service.Requests == 0 || m.Service.Errors != 0 || m.Service.Server5xx != 0 {
			t.Errorf("statement mode %s: %d requests, %d transport errors, %d 5xx; want requests and no errors", m.Label(), m.Service.Requests, m.Service.Errors, m.Service.Server5xx)
		}
	}
	if len(report.Modes) < 3 || !routes["direct"] || (!routes["PgBouncer"] && report.ModesNote == "") {
		t.Errorf("statement modes %+v (note %q): want the direct modes, and PgBouncer's or a note why not", report.Modes, report.ModesNote)
	}
	if report.PeakRSS <= 0 {
		t.Errorf("peak RSS %d: want the server's measured memory", report.PeakRSS)
	}
	if m := report.Machine; m.Cores < 1 || !strings.HasPrefix(m.PostgreSQL, "PostgreSQL ") || m.Go == "" {
		t.Errorf("machine %+v: want cores, the PostgreSQL and Go versions", m)
	}
	md := report.Markdown()
	for _, want := range []string{
		"create-distinct, 2 clients: requests/s", "p99 ÷ pgbench average latency", "create-hot, 2 clients",
		"bulk-confirm, 10 tasks", "server peak RSS", report.Machine.PostgreSQL, report.Machine.Go,
		"## Statement modes", "direct, cache_statement (pgx's default)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
}
