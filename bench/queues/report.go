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
	CSV               []CSVResult
	// LoadBefore and LoadAfter are the first three fields of /proc/loadavg at the start and the end.
	LoadBefore, LoadAfter string
	Probes                []ProbeResult
	Explains              []Explain
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
		"10 regions, %d model versions, then VACUUM (ANALYZE) as autovacuum would leave it, in %s; every invariant of bench/queues/seed.go held. Every page ran %d clients for %s "+
		"after %s of warm-up, with `as_of=%s`.\n\n",
		r.Options.Scale, r.Size.Models, r.Size.Requests, r.Size.Tasks, r.Size.Models*12, r.SeedTime.Round(time.Second),
		r.Options.Clients, r.Options.Duration, r.Options.Warmup, r.Options.AsOf)

	fmt.Fprintf(&b, "Load average (1, 5, 15 min) when the run started: %s; when it ended: %s.\n\n", r.LoadBefore, r.LoadAfter)

	b.WriteString("## Pages\n\n")
	b.WriteString("Each page as the issue asks it, as the caller named, against its page query of sql/ (the `-- name:` the service " +
		"calls through gen.Queries) with its parameters bound as the service binds them for that caller and a first page of 50 " +
		"(+ 1 to know whether there is a next page), replayed as literals from a pgx pool of 8 connections at the same concurrency " +
		"on the same database (bench/queues/probes.go). mrmflow ÷ direct is what HTTP, authentication, the page's other statements " +
		"(the request list's models and regions) and JSON add to that one query — and a generic plan, where the service's prepared " +
		"statement gets one and the literals' custom plan is better (see Plans).\n\n")
	b.WriteString("| page | caller | p50 | p95 | p99 | errors | direct query | direct p50 | direct p99 | ÷ direct p50 | ÷ direct p99 | p99 < target (50 ms; revalidation 100 ms) |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|\n")
	for _, p := range r.Probes {
		path := withParam(p.Probe.Path, "as_of", r.Options.AsOf)
		if p.Measured == nil {
			why := fmt.Sprintf("%d", p.Status)
			if len(p.Refused) > 0 {
				why += ": " + strings.Join(p.Refused, ", ")
			}
			fmt.Fprintf(&b, "| `%s` | %s | not available in this build (%s) | | | | | | | | | — |\n", path, p.Probe.Caller, why)
			continue
		}
		if p.MeasuredPath != path {
			path = fmt.Sprintf("%s (measured as `%s`: this build refused %s)", path, p.MeasuredPath, strings.Join(p.Refused, ", "))
		}
		l := p.Measured
		query, d50, d99, r50, r99 := "—", "—", "—", "—", "—"
		if p.Probe.Direct != nil {
			query = p.Probe.Direct.Query
		}
		if d := p.Direct; d != nil && d.P50 > 0 {
			d50, d99 = ms(d.P50), ms(d.P99)
			r50, r99 = fmt.Sprintf("%.1f", float64(l.P50)/float64(d.P50)), fmt.Sprintf("%.1f", float64(l.P99)/float64(d.P99))
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %d | %s | %s | %s | %s | %s | %s |\n", path, p.Probe.Caller,
			ms(l.P50), ms(l.P95), ms(l.P99), l.Errors, query, d50, d99, r50, r99, yesNo(p.Available() && l.P99 < pageTarget(p.Probe.Path) && l.Errors == 0))
	}

	b.WriteString("\n## CSV exports\n\n")
	b.WriteString("As ADMIN with EXPORT_MAX_ROWS=200000, each timed to its last byte (records counted with encoding/csv), the " +
		"server's resident set read before and its high-water mark (VmHWM, reset first) after. Targets: 100,000 rows in < 3 s, " +
		"growth < 16 MiB.\n\n")
	b.WriteString("| export | rows | size | time to last byte | < 3 s | RSS before | RSS high-water | growth | < 16 MiB |\n")
	b.WriteString("|---|---:|---:|---:|---|---:|---:|---:|---|\n")
	for _, c := range r.CSV {
		if c.Status != 200 {
			fmt.Fprintf(&b, "| `%s` | not available in this build (%d) | | | | | | | |\n", c.Path, c.Status)
			continue
		}
		fmt.Fprintf(&b, "| `%s` | %d | %s | %s | %s | %s | %s | %s | %s |\n", c.Path, c.Rows, mib(c.Bytes), ms(c.Time),
			csvVerdict(c, c.Time < csvTarget(c.Export.Path)), mib(c.RSSBefore), mib(c.RSSHWM), mib(c.Growth()), yesNo(c.Growth() < csvRSSTarget))
	}
	b.WriteString("\nThe < 3 s target is for 100,000 rows; an export of fewer rows is not comparable — except the whole revalidation report (10,000 models), whose target is < 1 s.\n")

	b.WriteString("\n## Plans\n\n")
	fmt.Fprintf(&b, "[%s](%s) has `EXPLAIN (ANALYZE, BUFFERS)` of each page query and CSV count above, with the probes' values, and of "+
		"every other list and report query of sql/ with default values: the custom plan (the values as literals: what the pooler-safe "+
		"statement modes always get, and pgx's default mode for a statement's first five executions), what `plan_cache_mode = auto` "+
		"chose for the prepared statement by its sixth execution, and the generic plan (`force_generic_plan`) with the same values.\n\n", explainFile, explainFile)
	b.WriteString(r.explainSummary())
	return b.String()
}

// csvVerdict judges an export against its time target: only 100,000 rows or more are comparable
// with v1.2's, except the whole revalidation report, which has its own (csvTarget).
func csvVerdict(c CSVResult, fast bool) string {
	if c.Rows < 100_000 && !strings.HasPrefix(c.Export.Path, "/api/v1/reports/revalidation") {
		return "not comparable"
	}
	return yesNo(fast)
}

func seqCell(tables []string) string {
	if len(tables) == 0 {
		return "none"
	}
	return "**" + strings.Join(tables, ", ") + "**"
}

func (r *Report) explainSummary() string {
	var b strings.Builder
	b.WriteString("| query | binding | custom: Seq Scan of a big table | custom: time | auto chose | generic: Seq Scan of a big table | generic: time |\n")
	b.WriteString("|---|---|---|---:|---|---|---:|\n")
	for _, e := range r.Explains {
		if e.Note != "" {
			fmt.Fprintf(&b, "| %s | %s | skipped: %s | | | | |\n", e.Query, e.Label, e.Note)
			continue
		}
		choice, gen, gt := e.Choice, seqCell(e.GenericSeqScans), e.GenericTime()
		switch {
		case e.GenericNote != "":
			choice, gen, gt = "—", "not explained: "+e.GenericNote, ""
		case e.Generic == "":
			choice, gen = "—", "—"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", e.Query, e.Label, seqCell(e.SeqScans), e.CustomTime(), choice, gen, gt)
	}
	return b.String()
}

// ExplainMarkdown is bench/results/queues-explain.md.
func (r *Report) ExplainMarkdown() string {
	var b strings.Builder
	b.WriteString("# Plans of the queue and report queries (`make bench BENCH_FLAGS=--queues`)\n\n")
	fmt.Fprintf(&b, "Run %s on the seeded inventory (scale %v: %d models, %d requests, %d tasks); commit %s. Each query's text comes "+
		"from sql/ with its parameters bound to literals (bench/queues/binder.go), so the first plan is the custom plan for those values; "+
		"the second is the same statement PREPAREd with $n parameters, as pgx prepares it for the service, and EXPLAINed as its generic plan. "+
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
		fmt.Fprintf(&b, "Custom plan (the values as literals): Seq Scan of a big table: %s.\n\n", seqCell(e.SeqScans))
		b.WriteString("```\n" + e.Plan + "\n```\n")
		switch {
		case e.GenericNote != "":
			fmt.Fprintf(&b, "\nGeneric plan not explained: %s\n", e.GenericNote)
		case e.Generic != "":
			fmt.Fprintf(&b, "\nPrepared, `plan_cache_mode = auto` chose: %s. Generic plan (`force_generic_plan`, the same values): "+
				"Seq Scan of a big table: %s.\n\n", e.Choice, seqCell(e.GenericSeqScans))
			b.WriteString("```\n" + e.Generic + "\n```\n")
		}
	}
	return b.String()
}
