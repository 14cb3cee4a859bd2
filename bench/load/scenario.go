package load

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// Scenario names one closed-loop workload on POST /api/v1/validation-requests.
type Scenario string

// The scenarios. Each isolates one cost of DATA-01: the lock-and-check path with no contention,
// all clients contending for one model's advisory lock, and multi-model requests that take
// several locks in order and overlap partially.
const (
	// CreateDistinct sends TARGETED requests for one model drawn uniformly from DistinctModels:
	// no conflicts, every request writes (201 expected).
	CreateDistinct Scenario = "create-distinct"
	// CreateHot sends non-targeted requests for HotModel from every client; a client whose create
	// succeeds cancels it at once so the model is free again. 409 validation_conflict is an
	// expected answer.
	CreateHot Scenario = "create-hot"
	// CreateMulti sends 1–4-model requests over MultiModels with mixed types (see multiPick);
	// non-targeted successes are cancelled right after, as in CreateHot.
	CreateMulti Scenario = "create-multi"
)

// Scenarios lists every Run scenario, for command-line help and loops.
var Scenarios = []Scenario{CreateDistinct, CreateHot, CreateMulti}

// Config is how hard and how long Run drives a scenario.
type Config struct {
	Clients  int
	Duration time.Duration // measured period
	Warmup   time.Duration // requests in the warm-up are sent but not counted
	Seed     int64         // rand seed base; client i uses Seed+i
}

// Result of one scenario run. Latency is per HTTP request (a create, or a cancel counted
// separately).
//
// A create or cancel is counted when its create completes inside the measured period (after the
// warm-up, before its end); Requests, the latencies, Status and Cancels cover only those. Errors
// and Server5xx cover the whole run, warm-up included: they are alarms, not rates, and one 5xx
// anywhere makes a run suspect.
type Result struct {
	Scenario                 Scenario
	Clients                  int
	Elapsed                  time.Duration
	Requests                 int           // counted creates (all statuses) in the measured period
	Throughput               float64       // counted creates per second
	Mean, P50, P95, P99, Max time.Duration // of the creates
	Status                   map[int]int   // status code -> count, creates AND cancels
	Cancels                  int           // cancel requests sent (create-hot/multi)
	Errors                   int           // transport errors (connection refused, timeouts...)
	Server5xx                int           // any 5xx seen
	// Samples are the counted creates' latencies, sorted: what Merge summarizes anew.
	Samples []time.Duration
}

// Merge sums runs of one scenario at one concurrency — slices of a measurement taken at
// different moments — into one result, as if they were one run as long as all of them: counts
// add up, throughput is over the summed time, and the percentiles are of all their samples.
func Merge(runs []Result) Result {
	if len(runs) == 0 {
		return Result{}
	}
	total := newTally()
	var elapsed time.Duration
	for _, r := range runs {
		elapsed += r.Elapsed
		total.merge(&tally{latencies: r.Samples, status: r.Status, cancels: r.Cancels, errors: r.Errors, server5xx: r.Server5xx})
	}
	return total.result(runs[0].Scenario, runs[0].Clients, elapsed)
}

// result summarizes the tally of a run of scenario by clients clients measured over elapsed.
func (t *tally) result(scenario Scenario, clients int, elapsed time.Duration) Result {
	lat := summarize(t.latencies)
	res := Result{
		Scenario: scenario, Clients: clients, Elapsed: elapsed, Requests: len(t.latencies),
		Mean: lat.Mean, P50: lat.P50, P95: lat.P95, P99: lat.P99, Max: lat.Max,
		Status: t.status, Cancels: t.cancels, Errors: t.errors, Server5xx: t.server5xx,
		Samples: t.latencies,
	}
	if elapsed > 0 {
		res.Throughput = float64(res.Requests) / elapsed.Seconds()
	}
	return res
}

// Run drives scenario with cfg.Clients closed-loop clients (send, wait for the answer, send the
// next) that start together, for cfg.Warmup then cfg.Duration, and summarizes the measured
// period. It returns an error for a bad configuration or fixture, or when ctx ends the run early;
// answers of any status are results, not errors.
func Run(ctx context.Context, c *Client, fx Fixture, scenario Scenario, cfg Config) (Result, error) {
	if err := checkRun(fx, scenario, cfg); err != nil {
		return Result{}, err
	}
	workers := make([]*worker, cfg.Clients)
	for i := range workers {
		workers[i] = &worker{
			client:   c,
			fx:       fx,
			scenario: scenario,
			rnd:      rand.New(rand.NewPCG(uint64(cfg.Seed+int64(i)), 0)),
			tally:    newTally(),
		}
	}

	// The barrier: every goroutine is started and parked on start before the clock is read, so
	// no client gets a head start and the warm-up begins with all of them sending.
	start := make(chan struct{})
	var wg sync.WaitGroup
	var win window
	for _, w := range workers {
		wg.Go(func() {
			<-start
			w.loop(ctx, win)
		})
	}
	now := time.Now()
	win = window{from: now.Add(cfg.Warmup), to: now.Add(cfg.Warmup + cfg.Duration)}
	close(start) // publishes win to the workers (happens-before their receive)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("run %s: %w", scenario, err)
	}

	total := newTally()
	for _, w := range workers {
		total.merge(w.tally)
	}
	return total.result(scenario, cfg.Clients, cfg.Duration), nil
}

// checkRun rejects configurations and fixtures the scenario cannot run on.
func checkRun(fx Fixture, scenario Scenario, cfg Config) error {
	var errs []error
	if cfg.Clients < 1 {
		errs = append(errs, fmt.Errorf("clients must be at least 1, got %d", cfg.Clients))
	}
	if cfg.Duration <= 0 {
		errs = append(errs, fmt.Errorf("duration must be positive, got %s", cfg.Duration))
	}
	if cfg.Warmup < 0 {
		errs = append(errs, fmt.Errorf("warm-up must not be negative, got %s", cfg.Warmup))
	}
	switch scenario {
	case CreateDistinct:
		if len(fx.DistinctModels) == 0 {
			errs = append(errs, errors.New("fixture has no DistinctModels"))
		}
	case CreateHot:
		if fx.HotModel <= 0 {
			errs = append(errs, errors.New("fixture has no HotModel"))
		}
	case CreateMulti:
		if len(fx.MultiModels) < maxMultiPerCreate {
			errs = append(errs, fmt.Errorf("fixture needs at least %d MultiModels, has %d", maxMultiPerCreate, len(fx.MultiModels)))
		}
	default:
		errs = append(errs, fmt.Errorf("unknown scenario %q (want one of %v)", scenario, Scenarios))
	}
	return errors.Join(errs...)
}
