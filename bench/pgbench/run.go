package pgbench

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"time"
)

// Mode is pgbench's query mode (-M).
type Mode string

const (
	// Prepared prepares each statement of the script once per connection and then only binds
	// and executes it: what pgx, the service's driver, does with its statement cache. For the
	// scenario scripts, run for many transactions.
	Prepared Mode = "prepared"
	// Extended parses, binds and executes each statement in one round trip. For the expanded
	// bulk script, run once: pgbench prepares every line of a script separately (a round trip
	// each), so -M prepared would charge the replay a second round trip per statement that
	// neither it nor the service pays in steady state.
	Extended Mode = "extended"
)

// Run is one pgbench run of a script file.
type Run struct {
	// DatabaseURL is passed to pgbench as its connection string.
	DatabaseURL string
	File        string
	Mode        Mode
	Clients     int
	// Duration (-T) or Transactions per client (-t); exactly one is set.
	Duration     time.Duration
	Transactions int
	// Vars are the -D variables.
	Vars map[string]string
}

// Result is what pgbench reported.
type Result struct {
	Transactions int
	Failed       int
	// TPS excludes the initial connection time, as pgbench computes it.
	TPS            float64
	LatencyAverage time.Duration
}

// Merge sums runs of one script at one concurrency into one result: transactions add up, TPS is
// over the summed time each run measured (its transactions ÷ its TPS), and the average latency
// is weighted by transactions.
func Merge(runs []Result) Result {
	var out Result
	var seconds float64
	var latency time.Duration
	for _, r := range runs {
		out.Transactions += r.Transactions
		out.Failed += r.Failed
		if r.TPS > 0 {
			seconds += float64(r.Transactions) / r.TPS
		}
		latency += r.LatencyAverage * time.Duration(r.Transactions)
	}
	if seconds > 0 {
		out.TPS = float64(out.Transactions) / seconds
	}
	if out.Transactions > 0 {
		out.LatencyAverage = latency / time.Duration(out.Transactions)
	}
	return out
}

var (
	processedLine = regexp.MustCompile(`number of transactions actually processed: (\d+)`)
	failedLine    = regexp.MustCompile(`number of failed transactions: (\d+)`)
	latencyLine   = regexp.MustCompile(`latency average = ([\d.]+) ms`)
	tpsLine       = regexp.MustCompile(`tps = ([\d.]+) \(without initial connection time\)`)
)

// Exec runs pgbench with one thread per client and no vacuum of pgbench's own tables.
func (r Run) Exec(ctx context.Context) (Result, error) {
	if r.Mode == "" {
		return Result{}, fmt.Errorf("pgbench run of %s: set Mode", r.File)
	}
	args := []string{"-n", "-M", string(r.Mode), "-c", strconv.Itoa(r.Clients), "-j", strconv.Itoa(r.Clients), "-f", r.File}
	switch {
	case r.Duration > 0 && r.Transactions == 0:
		args = append(args, "-T", strconv.Itoa(int(r.Duration.Round(time.Second)/time.Second)))
	case r.Transactions > 0 && r.Duration == 0:
		args = append(args, "-t", strconv.Itoa(r.Transactions))
	default:
		return Result{}, fmt.Errorf("pgbench run of %s: set Duration or Transactions", r.File)
	}
	for _, k := range sortedKeys(r.Vars) {
		args = append(args, "-D", k+"="+r.Vars[k])
	}
	args = append(args, r.DatabaseURL)
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "pgbench", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return Result{}, fmt.Errorf("pgbench %s: %w\n%s%s", r.File, err, stdout.Bytes(), tail(stderr.Bytes()))
	}
	return parse(stdout.String())
}

func parse(out string) (Result, error) {
	var res Result
	fields := []struct {
		re  *regexp.Regexp
		set func(string) error
	}{
		{processedLine, func(s string) (err error) { res.Transactions, err = strconv.Atoi(s); return }},
		{failedLine, func(s string) (err error) { res.Failed, err = strconv.Atoi(s); return }},
		{tpsLine, func(s string) (err error) { res.TPS, err = strconv.ParseFloat(s, 64); return }},
		{latencyLine, func(s string) error {
			ms, err := strconv.ParseFloat(s, 64)
			res.LatencyAverage = time.Duration(ms * float64(time.Millisecond))
			return err
		}},
	}
	for _, f := range fields {
		m := f.re.FindStringSubmatch(out)
		if m == nil {
			return res, fmt.Errorf("pgbench output lacks %q:\n%s", f.re, out)
		}
		if err := f.set(m[1]); err != nil {
			return res, err
		}
	}
	return res, nil
}

// tail keeps the end of pgbench's stderr, where its error is.
func tail(b []byte) []byte {
	const keep = 4000
	if len(b) > keep {
		return b[len(b)-keep:]
	}
	return b
}
