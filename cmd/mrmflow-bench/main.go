// Command mrmflow-bench is `make bench`: it runs the suite in bench/suite (mrmflow under the load
// generator against pgbench replaying the same statements, then the Go benchmarks of the service
// methods), prints the headline table and writes bench/results/latest.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"mrmflow/bench/queues"
	"mrmflow/bench/suite"
	"mrmflow/internal/cli"
)

const usage = `Usage: mrmflow-bench [flags]

Creates (dropping it first) the database --database on the PostgreSQL server of --admin-url,
builds and starts mrmflow on it, builds the load fixture through the API, then for each scenario
runs the load generator and pgbench (bench/pgbench/*.sql) at the same concurrency, in slices that
alternate between the two so both meet the same machine, compares bulk
confirmations with their pgbench replay, measures create-distinct directly and through PgBouncer
in pgx's statement modes (replicas of their own, rotating slices), runs the Go benchmarks of the service methods, prints the
table and writes it with the machine's description to --out. Needs pgbench and a Go toolchain.

With --queues it runs the queues benchmark instead (bench/queues): it seeds --queues-database at
--queues-scale, measures every queue and report page at 8 clients against the same SQL replayed
directly, times a CSV export with the server's memory growth, EXPLAINs the list and report
queries, and writes --queues-out and --queues-explain-out.

Flags:
`

func main() { cli.Main("mrmflow-bench", run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mrmflow-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	adminURL := os.Getenv("BENCH_DATABASE_URL")
	if adminURL == "" {
		adminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	opts := suite.Options{ScriptDir: "bench/pgbench", SQLDir: "sql", Log: stderr}
	fs.StringVar(&opts.AdminURL, "admin-url", adminURL, "a database on the server to benchmark (default: $BENCH_DATABASE_URL, else the local server)")
	fs.StringVar(&opts.Database, "database", "mrmflow_bench", "the database to (re)create for the run")
	fs.IntVar(&opts.Replicas, "replicas", 1, "mrmflow replicas to run (requests round-robin over them)")
	fs.DurationVar(&opts.Duration, "duration", 12*time.Second, "measured time of each scenario, per side")
	fs.IntVar(&opts.Slices, "slices", 4, "slices each side's time is cut into, alternating service and pgbench (duration/slices: whole seconds)")
	fs.DurationVar(&opts.Warmup, "warmup", time.Second, "load generator warm-up before each service slice")
	sizes := fs.String("bulk-sizes", "10,100,1000", "bulk confirm sizes")
	fs.IntVar(&opts.BulkCalls, "bulk-calls", 3, "bulk confirm calls per size, per side")
	fs.BoolVar(&opts.StatementModes, "statement-modes", true, "also measure create-distinct directly and through PgBouncer in pgx's statement modes")
	fs.StringVar(&opts.PgBouncerURL, "pgbouncer-url", os.Getenv("BENCH_PGBOUNCER_URL"), "a transaction-pooling PgBouncer in front of the server (default: $BENCH_PGBOUNCER_URL, else one is started if pgbouncer is installed)")
	goBench := fs.Bool("go-bench", true, "also run the Go benchmarks of the service methods")
	out := fs.String("out", "bench/results/latest.md", "where to write the Markdown report")
	queuesMode := fs.Bool("queues", false, "run the queues benchmark (bench/queues) instead of the suite")
	qo := queues.Options{Clients: 8, AsOf: "2026-12-01", SQLDir: "sql", Log: stderr}
	fs.StringVar(&qo.Database, "queues-database", "mrmflow_queues_bench", "--queues: the database to (re)create and seed")
	fs.Float64Var(&qo.Scale, "queues-scale", 1, "--queues: seed scale (1: 10,000 models, 50,000 requests, 200,000 tasks)")
	fs.DurationVar(&qo.Duration, "queues-duration", 3*time.Second, "--queues: measured time of each page, and of its direct replay")
	fs.DurationVar(&qo.Warmup, "queues-warmup", 500*time.Millisecond, "--queues: warm-up before each page")
	queuesOut := fs.String("queues-out", "bench/results/queues.md", "--queues: where to write the report")
	explainOut := fs.String("queues-explain-out", "bench/results/queues-explain.md", "--queues: where to write the plans")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (see --help)", fs.Args())
	}
	if *queuesMode {
		qo.AdminURL = opts.AdminURL
		return runQueues(ctx, qo, *queuesOut, *explainOut, stdout)
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 1000 {
			return fmt.Errorf("--bulk-sizes: %q is not a size between 1 and 1000", s)
		}
		opts.BulkSizes = append(opts.BulkSizes, n)
	}
	if opts.Replicas < 1 || opts.BulkCalls < 1 || opts.Slices < 1 {
		return errors.New("--replicas, --bulk-calls and --slices must be at least 1")
	}
	if slice := opts.Duration / time.Duration(opts.Slices); slice < time.Second || slice%time.Second != 0 {
		return fmt.Errorf("--duration %s in %d slices: each slice must be whole seconds (pgbench -T)", opts.Duration, opts.Slices)
	}
	work, err := os.MkdirTemp("", "mrmflow-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(work) }()
	opts.WorkDir = work

	report, err := suite.Run(ctx, opts)
	if err != nil {
		return err
	}
	if *goBench {
		if report.GoBenchmarks, err = suite.GoBenchmarks(ctx, opts.AdminURL, stderr); err != nil {
			return err
		}
	}
	fmt.Fprint(stdout, "\n"+report.Table()+report.ModesSection())
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(*out, []byte(report.Markdown()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nwritten to %s\n", *out)
	return nil
}

// runQueues runs the queues benchmark and writes its two files; the report links the plans by
// their path relative to the report.
func runQueues(ctx context.Context, o queues.Options, out, explainOut string, stdout io.Writer) error {
	work, err := os.MkdirTemp("", "mrmflow-queues-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(work) }()
	o.WorkDir = work
	report, err := queues.Run(ctx, o)
	if err != nil {
		return err
	}
	link, err := filepath.Rel(filepath.Dir(out), explainOut)
	if err != nil {
		link = explainOut
	}
	md := report.Markdown(link)
	for path, text := range map[string]string{out: md, explainOut: report.ExplainMarkdown()} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "\n%s\nwritten to %s and %s\n", md, out, explainOut)
	return nil
}
