package suite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/bench/load"
	"mrmflow/bench/pgbench"
)

// Report is one run of the suite.
type Report struct {
	Started, Finished time.Time
	Machine           Machine
	Replicas          int
	Duration          time.Duration
	Slices            int
	Scenarios         []ScenarioResult
	Bulk              []BulkResult
	// PeakRSS is the largest resident set any replica reached during the run (VmHWM).
	PeakRSS int64
	// GoBenchmarks are the result lines of the Go benchmarks (GoBenchmarks).
	GoBenchmarks []string
	// Modes is create-distinct per route and statement mode (Options.StatementModes), the
	// direct connection in pgx's default mode first; ModesNote says what was left out.
	Modes     []ModeResult
	ModesNote string
	// BouncerBulk is a bulk size timed directly and through PgBouncer (statementModes); nil
	// without PgBouncer.
	BouncerBulk *BouncerBulk
}

// ScenarioResult pairs a scenario's service run with its pgbench replay, and for create-distinct
// with pgbench running the minimal create transaction (Minimal).
type ScenarioResult struct {
	Spec    scenarioSpec
	Service load.Result
	Pgbench pgbench.Result
	Minimal *pgbench.Result
}

// Machine is what the figures were measured on.
type Machine struct {
	Cores              int
	MemoryBytes        int64
	PostgreSQL, Go, OS string
	Commit             string
}

func describeMachine(ctx context.Context, pool *pgxpool.Pool) (Machine, error) {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if err := pool.QueryRow(ctx, "SELECT version()").Scan(&m.PostgreSQL); err != nil {
		return m, err
	}
	m.PostgreSQL, _, _ = strings.Cut(m.PostgreSQL, " on ")
	if f, err := os.Open("/proc/meminfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if rest, ok := strings.CutPrefix(s.Text(), "MemTotal:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				m.MemoryBytes = kb * 1024
			}
		}
		_ = f.Close()
	}
	if out, err := exec.CommandContext(ctx, "git", "describe", "--always", "--dirty").Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
	}
	return m, nil
}

// row is one line of the headline table.
type row struct {
	what, mrmflow, pgbench, ratio, target string
	met                                   *bool
}

// Target thresholds of the performance issue.
const (
	distinctRatioTarget = 0.75
	hotRatioTarget      = 0.5
	p99LatencyTarget    = 4.0
	bulkRatioTarget     = 0.75
	bulkTargetSize      = 1000
	rssTarget           = 64 << 20
	// minimalRatioTarget: create-distinct's requests/s ÷ the minimal create's tps.
	minimalRatioTarget = 0.5
	// bouncerCreateTarget and bouncerBulkTarget: through PgBouncer (cache_describe) against
	// direct (pgx's default), creates/s and ms per 1,000-task bulk call.
	bouncerCreateTarget = 0.7
	bouncerBulkTarget   = 1.5
)

func check(ok bool) *bool { return &ok }

// rows builds the headline table: every figure is mrmflow against pgbench in this run.
func (r *Report) rows() []row {
	var rows []row
	for _, s := range r.Scenarios {
		ratio := s.Service.Throughput / s.Pgbench.TPS
		tr := row{
			what:    fmt.Sprintf("%s, %d clients: requests/s", s.Spec.Scenario, s.Spec.Clients),
			mrmflow: fmt.Sprintf("%.0f", s.Service.Throughput), pgbench: fmt.Sprintf("%.0f tps", s.Pgbench.TPS),
			ratio: fmt.Sprintf("%.2f", ratio),
		}
		switch s.Spec.Scenario {
		case load.CreateDistinct:
			tr.target, tr.met = fmt.Sprintf("≥ %.2f", distinctRatioTarget), check(ratio >= distinctRatioTarget)
			rows = append(rows, tr)
			if m := s.Minimal; m != nil {
				mr := s.Service.Throughput / m.TPS
				rows = append(rows, row{
					what:    fmt.Sprintf("%s, %d clients: requests/s ÷ the minimal create (create-minimal.sql)", s.Spec.Scenario, s.Spec.Clients),
					mrmflow: fmt.Sprintf("%.0f", s.Service.Throughput), pgbench: fmt.Sprintf("%.0f tps", m.TPS), ratio: fmt.Sprintf("%.2f", mr),
					target: fmt.Sprintf("≥ %.2f", minimalRatioTarget), met: check(mr >= minimalRatioTarget),
				})
			}
			p99 := float64(s.Service.P99) / float64(s.Pgbench.LatencyAverage)
			rows = append(rows, row{
				what:    fmt.Sprintf("%s, %d clients: p99 ÷ pgbench average latency", s.Spec.Scenario, s.Spec.Clients),
				mrmflow: ms(s.Service.P99), pgbench: ms(s.Pgbench.LatencyAverage), ratio: fmt.Sprintf("%.2f", p99),
				target: fmt.Sprintf("≤ %.0f", p99LatencyTarget), met: check(p99 <= p99LatencyTarget),
			})
		case load.CreateHot:
			ok := ratio >= hotRatioTarget && s.Service.Server5xx == 0 && s.Service.Errors == 0
			tr.target, tr.met = fmt.Sprintf("≥ %.2f, zero 5xx (%d seen)", hotRatioTarget, s.Service.Server5xx), check(ok)
			rows = append(rows, tr)
		default:
			tr.target = "—"
			rows = append(rows, tr)
		}
	}
	for _, b := range r.Bulk {
		ratio := float64(b.Service.MeanPerCall) / float64(b.Replay)
		br := row{
			what:    fmt.Sprintf("bulk-confirm, %d tasks: ms per call", b.Size),
			mrmflow: ms(b.Service.MeanPerCall), pgbench: ms(b.Replay) + " replay", ratio: fmt.Sprintf("%.2f", ratio), target: "—",
		}
		if b.Size == bulkTargetSize {
			br.target, br.met = fmt.Sprintf("≤ %.2f", bulkRatioTarget), check(ratio <= bulkRatioTarget)
		}
		rows = append(rows, br)
	}
	rows = append(rows, r.bouncerRows()...)
	rows = append(rows, row{
		what: "server peak RSS (VmHWM) over the run", mrmflow: fmt.Sprintf("%.1f MiB", float64(r.PeakRSS)/(1<<20)),
		pgbench: "—", ratio: "—", target: "≤ 64 MiB", met: check(r.PeakRSS <= rssTarget),
	})
	return rows
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// Table is the headline table as Markdown (readable as plain text too).
func (r *Report) Table() string {
	var b strings.Builder
	b.WriteString("| figure | mrmflow | pgbench | ratio | target | met |\n|---|---:|---:|---:|---|---|\n")
	for _, row := range r.rows() {
		met := ""
		if row.met != nil {
			met = map[bool]string{true: "yes", false: "**no**"}[*row.met]
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", row.what, row.mrmflow, row.pgbench, row.ratio, row.target, met)
	}
	return b.String()
}

// Markdown is bench/results/latest.md: the machine, the headline table and the details.
func (r *Report) Markdown() string {
	var b strings.Builder
	m := r.Machine
	b.WriteString("# mrmflow benchmark (`make bench`)\n\n")
	fmt.Fprintf(&b, "Run %s, %s; commit %s.\n\n", r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Finished.Sub(r.Started).Round(time.Second), m.Commit)
	fmt.Fprintf(&b, "Machine: %d cores, %.1f GiB memory, %s; %s; %s. The service (%d replica(s)), the load generator, pgbench and PostgreSQL share the cores. Each scenario ran %s per side at the same concurrency, on the same database, in %d slices alternating between the sides (service, pgbench, pgbench, service, ...).\n\n",
		m.Cores, float64(m.MemoryBytes)/(1<<30), m.OS, m.PostgreSQL, m.Go, r.Replicas, r.Duration, r.Slices)
	b.WriteString("Absolute figures are noise on shared machines; the ratios compare mrmflow with pgbench replaying the same statements (bench/pgbench/*.sql, generated from sql/) in the same run.\n\n")
	b.WriteString(r.Table())
	b.WriteString("\n## Scenario details (mrmflow, over HTTP)\n\n")
	b.WriteString("| scenario | clients | creates | p50 | p95 | p99 | max | statuses | transport errors | 5xx | pgbench avg latency |\n|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|\n")
	for _, s := range r.Scenarios {
		v := s.Service
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s | %s | %s | %s | %d | %d | %s |\n", v.Scenario, v.Clients, v.Requests,
			ms(v.P50), ms(v.P95), ms(v.P99), ms(v.Max), statuses(v.Status), v.Errors, v.Server5xx, ms(s.Pgbench.LatencyAverage))
	}
	b.WriteString("\n## Bulk confirm details\n\n| tasks | calls | mrmflow ms/call (mean) | mrmflow ms/task | pgbench replay ms/call | replay ms/task |\n|---:|---:|---:|---:|---:|---:|\n")
	for _, bk := range r.Bulk {
		fmt.Fprintf(&b, "| %d | %d | %s | %.3f | %s | %.3f |\n", bk.Size, bk.Calls, ms(bk.Service.MeanPerCall),
			float64(bk.Service.PerTask)/float64(time.Millisecond), ms(bk.Replay), float64(bk.Replay)/float64(bk.Size)/float64(time.Millisecond))
	}
	b.WriteString(r.ModesSection())
	b.WriteString(statementsSection())
	if len(r.GoBenchmarks) > 0 {
		b.WriteString("\n## Go benchmarks of the service methods (no HTTP)\n\n```\n" + strings.Join(r.GoBenchmarks, "\n") + "\n```\n")
	}
	return b.String()
}

func statuses(m map[int]int) string {
	codes := make([]int, 0, len(m))
	for c := range m {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%d×%d", c, m[c])
	}
	return strings.Join(parts, ", ")
}

// statementsSection says what a create and a bulk task send: the statements counted from the
// scripts (which TestScriptsFollowService holds to what the service sends; it logs the round
// trips too), beside the figures of commit 79a0109, before they were folded (issue 20).
func statementsSection() string {
	count := func(name string, steps func(pgbench.Script) []pgbench.Step, taken ...pgbench.Condition) int {
		conds := map[pgbench.Condition]bool{}
		for _, c := range taken {
			conds[c] = true
		}
		for _, s := range pgbench.Scripts() {
			if s.Name == name {
				return len(pgbench.Names(steps(s), conds))
			}
		}
		return 0
	}
	create := count("create-distinct", func(s pgbench.Script) []pgbench.Step { return s.Steps }, pgbench.NoConflict)
	task := count("bulk-confirm", func(s pgbench.Script) []pgbench.Step { return s.Each })
	var b strings.Builder
	b.WriteString("\n## Statements and round trips\n\n")
	b.WriteString("What the service sends, counted from the scripts (TestScriptsFollowService checks them against the service and logs the round trips). " +
		"A create's count includes its authentication, BEGIN and COMMIT; a bulk task's its SAVEPOINT and RELEASE. Before: commit 79a0109.\n\n")
	b.WriteString("| what | statements before | round trips before | statements now | round trips now |\n|---|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| TARGETED create, 1 model | 13 | 3 | %d | 2 (3 with an Idempotency-Key) |\n", create)
	fmt.Fprintf(&b, "| bulk confirm, per task | 6 | 2 | %d | 1 per 100 tasks (+2 for a failed task) |\n", task)
	b.WriteString("\nWhere a create's CPU goes, and what bounds the create ratios: bench/results/create-profile.md.\n")
	return b.String()
}
