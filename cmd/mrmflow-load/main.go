// Command mrmflow-load drives running `mrmflow serve` replicas with the load generator in
// bench/load, which speaks to them through the client generated from api/openapi.yaml
// (mrmflow/client): it builds the fixture through the API on a fresh database, runs one scenario
// and prints a readable summary. It exits non-zero on an error, and also when the run saw transport
// errors or 5xx answers, because figures from such a run do not measure the intended path.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"mrmflow/bench/load"
	"mrmflow/internal/cli"
)

const bulkConfirm = "bulk-confirm"

const usage = `Usage: mrmflow-load --url URL[,URL...] --token T --scenario S [flags]

Builds the load fixture through the API (2,051 models and 20 regions; a FRESH database is
required: Prepare checks the model ids are contiguous), then runs one scenario:

  create-distinct  TARGETED validation requests on 2,000 distinct models (all 201)
  create-hot       every client on one model, non-targeted; each 201 is cancelled at once (201/409)
  create-multi     1-4-model requests of mixed types over 50 models; non-targeted 201s cancelled
  bulk-confirm     sequential bulk confirmations of --bulk-calls calls per size in --bulk-sizes

Clients run closed loops (send, wait, send) and start together; requests in the warm-up are not
counted. Requests round-robin over the URLs. The token must be an ADMIN's; it may also come from
the MRMFLOW_TOKEN environment variable. Exits 1 on an error, a transport error or any 5xx.

Flags:
`

func main() { cli.Main("mrmflow-load", run) }

// options are the parsed command line.
type options struct {
	urls      []string
	token     string
	scenario  string
	cfg       load.Config
	maxConns  int
	bulkSizes []int
	bulkCalls int
}

func parse(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("mrmflow-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	urls := fs.String("url", "http://127.0.0.1:8080", "comma-separated base URLs of the replicas")
	token := fs.String("token", "", "an ADMIN's bearer token (default $MRMFLOW_TOKEN; the flag is visible in ps, the variable is not)")
	scenario := fs.String("scenario", string(load.CreateDistinct), "create-distinct, create-hot, create-multi or bulk-confirm")
	clients := fs.Int("clients", 8, "concurrent closed-loop clients")
	duration := fs.Duration("duration", 10*time.Second, "measured period")
	warmup := fs.Duration("warmup", 2*time.Second, "warm-up before the measured period (sent, not counted)")
	seed := fs.Int64("seed", 1, "random seed base; client i uses seed+i")
	maxConns := fs.Int("max-conns", 0, "idle keep-alive connections per replica (default: --clients)")
	sizes := fs.String("bulk-sizes", "10,100,1000", "bulk-confirm: comma-separated task counts per call (1..1000)")
	calls := fs.Int("bulk-calls", 3, "bulk-confirm: timed calls per size")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments %q (see --help)", fs.Args())
	}
	o := options{
		token:     *token,
		scenario:  *scenario,
		cfg:       load.Config{Clients: *clients, Duration: *duration, Warmup: *warmup, Seed: *seed},
		maxConns:  *maxConns,
		bulkCalls: *calls,
	}
	for u := range strings.SplitSeq(*urls, ",") {
		if u = strings.TrimSpace(u); u != "" {
			o.urls = append(o.urls, u)
		}
	}
	if len(o.urls) == 0 {
		return options{}, errors.New("--url names no replica")
	}
	if o.token == "" {
		o.token = os.Getenv("MRMFLOW_TOKEN")
	}
	if o.token == "" {
		return options{}, errors.New("no token: pass --token or set MRMFLOW_TOKEN")
	}
	if o.maxConns <= 0 {
		o.maxConns = max(o.cfg.Clients, 1)
	}
	if o.scenario == bulkConfirm {
		for s := range strings.SplitSeq(*sizes, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 1 || n > 1000 {
				return options{}, fmt.Errorf("--bulk-sizes: %q is not a task count in 1..1000", s)
			}
			o.bulkSizes = append(o.bulkSizes, n)
		}
		if o.bulkCalls < 1 {
			return options{}, errors.New("--bulk-calls must be at least 1")
		}
	} else if !slices.Contains(load.Scenarios, load.Scenario(o.scenario)) {
		return options{}, fmt.Errorf("unknown scenario %q: want create-distinct, create-hot, create-multi or bulk-confirm", o.scenario)
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	c := load.NewClient(o.urls, o.token, o.maxConns)
	defer c.Close()

	fmt.Fprintf(stdout, "preparing the fixture on %s ...\n", strings.Join(o.urls, ", "))
	began := time.Now()
	fx, err := load.Prepare(ctx, c)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	fmt.Fprintf(stdout, "fixture ready in %s: distinct models %d..%d, multi models %d..%d, hot model %d, %d regions\n\n",
		time.Since(began).Round(time.Millisecond), fx.DistinctModels[0], fx.DistinctModels[len(fx.DistinctModels)-1],
		fx.MultiModels[0], fx.MultiModels[len(fx.MultiModels)-1], fx.HotModel, len(fx.Regions))

	if o.scenario == bulkConfirm {
		return runBulk(ctx, c, fx, o, stdout)
	}
	fmt.Fprintf(stdout, "running %s: %d clients, %s warm-up, %s measured ...\n",
		o.scenario, o.cfg.Clients, o.cfg.Warmup, o.cfg.Duration)
	res, err := load.Run(ctx, c, fx, load.Scenario(o.scenario), o.cfg)
	if err != nil {
		return err
	}
	printResult(stdout, res)
	if res.Errors > 0 || res.Server5xx > 0 {
		return fmt.Errorf("the run saw %d transport errors and %d 5xx answers", res.Errors, res.Server5xx)
	}
	return nil
}

func printResult(w io.Writer, r load.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "scenario\t%s\n", r.Scenario)
	fmt.Fprintf(tw, "clients\t%d\n", r.Clients)
	fmt.Fprintf(tw, "measured\t%s\n", r.Elapsed)
	fmt.Fprintf(tw, "creates\t%d\n", r.Requests)
	fmt.Fprintf(tw, "throughput\t%.1f creates/s\n", r.Throughput)
	fmt.Fprintf(tw, "latency\tmean %s  p50 %s  p95 %s  p99 %s  max %s\n", ms(r.Mean), ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max))
	fmt.Fprintf(tw, "status\t%s\n", statusLine(r.Status))
	fmt.Fprintf(tw, "cancels\t%d\n", r.Cancels)
	fmt.Fprintf(tw, "errors\t%d transport, %d 5xx\n", r.Errors, r.Server5xx)
	_ = tw.Flush()
}

func runBulk(ctx context.Context, c *load.Client, fx load.Fixture, o options, w io.Writer) error {
	fmt.Fprintf(w, "bulk confirm: %d sequential calls per size\n", o.bulkCalls)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "size\tcalls\tmean ms/call\tp50 ms/call\tms/task\tsucceeded\tfailed\t")
	for _, size := range o.bulkSizes {
		r, err := load.BulkConfirm(ctx, c, fx, size, o.bulkCalls)
		if err != nil {
			_ = tw.Flush()
			return err
		}
		fmt.Fprintf(tw, "%d\t%d\t%.1f\t%.1f\t%.3f\t%d\t%d\t\n", r.Size, r.Calls,
			msf(r.MeanPerCall), msf(r.P50PerCall), msf(r.PerTask), r.Succeeded, r.Failed)
	}
	return tw.Flush()
}

// statusLine prints status counts in code order: "200=12 201=12 409=40".
func statusLine(status map[int]int) string {
	codes := make([]int, 0, len(status))
	for code := range status {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	parts := make([]string, len(codes))
	for i, code := range codes {
		parts[i] = fmt.Sprintf("%d=%d", code, status[code])
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, " ")
}

func ms(d time.Duration) string { return strconv.FormatFloat(msf(d), 'f', 2, 64) + "ms" }

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
