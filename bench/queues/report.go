package queues

import (
	"fmt"
	"strings"
	"time"

	"mrmflow/bench/suite"
)

// Targets of the v1.2 "Speed" paragraph.
const (
	pageP99Target = 50 * time.Millisecond
	csvTimeTarget = 3 * time.Second
	csvRSSTarget  = 16 << 20
)

// Report is one run of the queues benchmark.
type Report struct {
	Options           Options
	Started, Finished time.Time
	Machine           suite.Machine
	Size              Size
	SeedTime          time.Duration
	CSV               CSVResult
	Probes            []ProbeResult
	Explains          []Explain
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// Markdown is bench/results/queues.md; explainFile is the name of the EXPLAIN file it links.
func (r *Report) Markdown(explainFile string) string {
	var b strings.Builder
	m := r.Machine
	fmt.Fprintf(&b, "# mrmflow queues benchmark (`make bench BENCH_FLAGS=--queues`)\n\n")
	fmt.Fprintf(&b, "Run %s, %s; commit %s.\n\n", r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Finished.Sub(r.Started).Round(time.Second), m.Commit)
	fmt.Fprintf(&b, "Machine: %d cores, %.1f GiB memory, %s; %s; %s. The cores are shared with other engineers' builds and tests: "+
		"the server, the %d clients, the direct replay and PostgreSQL share them too, so absolute figures are noise; the plans "+
		"([%s](%s)) are what matters.\n\n", m.Cores, float64(m.MemoryBytes)/(1<<30), m.OS, m.PostgreSQL, m.Go, r.Options.Clients, explainFile, explainFile)
	fmt.Fprintf(&b, "Seed (bench/queues/seed.sql, scale %v): %d models, %d validation requests, %d deployment tasks, 500 users, "+
		"10 regions, %d model versions, in %s; every invariant of bench/queues/seed.go held. Every page ran %d clients for %s "+
		"after %s of warm-up, with `as_of=%s`.\n\n",
		r.Options.Scale, r.Size.Models, r.Size.Requests, r.Size.Tasks, r.Size.Models*12, r.SeedTime.Round(time.Second),
		r.Options.Clients, r.Options.Duration, r.Options.Warmup, r.Options.AsOf)

	b.WriteString("## Pages as the issue asks them\n\n")
	b.WriteString("| page | caller | p50 | p99 | requests | target p99 | met |\n|---|---|---:|---:|---:|---|---|\n")
	for _, p := range r.Probes {
		path := withParam(p.Probe.Path, "as_of", r.Options.AsOf)
		if !p.Available() {
			why := fmt.Sprintf("%d", p.Status)
			if len(p.Refused) > 0 {
				why += ": " + strings.Join(p.Refused, ", ")
			}
			fmt.Fprintf(&b, "| `%s` | %s | not available in this build (%s) | | | < 50 ms | — |\n", path, p.Probe.Caller, why)
			continue
		}
		l := p.Measured
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %d | < 50 ms | %s |\n", path, p.Probe.Caller, ms(l.P50), ms(l.P99), l.Requests, yesNo(l.P99 < pageP99Target && l.Errors == 0))
	}

	b.WriteString("\n## What this build answers, against the same SQL replayed directly\n\n")
	b.WriteString("A page the build refused for a parameter it does not take was measured again without the parameters the 400 named " +
		"(the measured path says which). The direct side runs the list query of sql/ that the build runs for that page " +
		"(ValidationRequestList, ValidationApprovalsList, DeploymentTaskList, UserDirectoryList, ReportRuleExceptions; parameters " +
		"bound to literals, a first page of 50 + 1) from a pgx pool at the same concurrency on the same database: the ratio is what " +
		"HTTP, authentication, the page's other statements and JSON add to that one query.\n\n")
	b.WriteString("| measured path | caller | p50 | p95 | p99 | errors | p99 < 50 ms | direct p50 | direct p99 | mrmflow ÷ direct, p50 | p99 |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|\n")
	for _, p := range r.Probes {
		if p.Measured == nil {
			continue
		}
		l := p.Measured
		d50, d99, r50, r99 := "—", "—", "—", "—"
		if d := p.Direct; d != nil && d.P50 > 0 {
			d50, d99 = ms(d.P50), ms(d.P99)
			r50, r99 = fmt.Sprintf("%.1f", float64(l.P50)/float64(d.P50)), fmt.Sprintf("%.1f", float64(l.P99)/float64(d.P99))
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %d | %s | %s | %s | %s | %s |\n", p.MeasuredPath, p.Probe.Caller,
			ms(l.P50), ms(l.P95), ms(l.P99), l.Errors, yesNo(l.P99 < pageP99Target && l.Errors == 0), d50, d99, r50, r99)
	}

	b.WriteString("\n## CSV export\n\n")
	c := r.CSV
	for _, t := range c.Tried {
		fmt.Fprintf(&b, "- not available in this build: %s\n", t)
	}
	if c.Path == "" {
		b.WriteString("- no candidate export answered 200: nothing timed.\n")
	} else {
		fmt.Fprintf(&b, "- timed: `%s` as ADMIN, EXPORT_MAX_ROWS=200000: %d rows (%s) to the last byte in %s (target < 3 s for 100,000 rows: %s); "+
			"server RSS %s before, high-water %s after: growth %s (target < 16 MiB: %s).\n",
			c.Path, c.Rows, mib(c.Bytes), ms(c.Time), csvVerdict(c.Rows, c.Time < csvTimeTarget), mib(c.RSSBefore), mib(c.RSSHWM), mib(c.Growth()), yesNo(c.Growth() < csvRSSTarget))
		if c.Rows < 100_000 {
			fmt.Fprintf(&b, "- only %d rows: the issue's export of 100,000 is not available in this build, so the time says little about the target.\n", c.Rows)
		}
	}

	b.WriteString("\n## Plans\n\n")
	fmt.Fprintf(&b, "[%s](%s) has `EXPLAIN (ANALYZE, BUFFERS)` of each list and report query of sql/ on this data.\n\n", explainFile, explainFile)
	b.WriteString(r.explainSummary())
	return b.String()
}

func csvVerdict(rows int, fast bool) string {
	if rows < 100_000 {
		return "not comparable"
	}
	return yesNo(fast)
}

func (r *Report) explainSummary() string {
	var b strings.Builder
	b.WriteString("| query | binding | Seq Scan of a big table |\n|---|---|---|\n")
	for _, e := range r.Explains {
		switch {
		case e.Note != "":
			fmt.Fprintf(&b, "| %s | %s | skipped: %s |\n", e.Query, e.Label, e.Note)
		case len(e.SeqScans) == 0:
			fmt.Fprintf(&b, "| %s | %s | none |\n", e.Query, e.Label)
		default:
			fmt.Fprintf(&b, "| %s | %s | **%s** |\n", e.Query, e.Label, strings.Join(e.SeqScans, ", "))
		}
	}
	return b.String()
}

// ExplainMarkdown is bench/results/queues-explain.md.
func (r *Report) ExplainMarkdown() string {
	var b strings.Builder
	b.WriteString("# Plans of the queue and report queries (`make bench BENCH_FLAGS=--queues`)\n\n")
	fmt.Fprintf(&b, "Run %s on the seeded inventory (scale %v: %d models, %d requests, %d tasks); commit %s. Each query's text comes "+
		"from sql/ with its parameters bound to literals (bench/queues/binder.go), so a plan is the custom plan for those values. "+
		"Big tables: %s. Plans of SQL functions a query calls (validation_request_visible_to, …) are not shown inside the "+
		"caller's plan.\n\n", r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Options.Scale, r.Size.Models, r.Size.Requests, r.Size.Tasks,
		r.Machine.Commit, strings.Join(bigTables, ", "))
	b.WriteString(r.explainSummary())
	for _, e := range r.Explains {
		fmt.Fprintf(&b, "\n## %s — %s\n\n", e.Query, e.Label)
		if e.Note != "" {
			fmt.Fprintf(&b, "Skipped: %s\n", e.Note)
			continue
		}
		if len(e.SeqScans) == 0 {
			b.WriteString("No Seq Scan of a big table.\n\n")
		} else {
			fmt.Fprintf(&b, "**Seq Scan of %s.**\n\n", strings.Join(e.SeqScans, ", "))
		}
		b.WriteString("```\n" + e.Plan + "\n```\n")
	}
	return b.String()
}
