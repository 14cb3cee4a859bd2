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
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (see --help)", fs.Args())
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
