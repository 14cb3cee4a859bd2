// Package suite is `make bench`: it builds and starts mrmflow on a fresh database, drives it with
// the load generator (bench/load), replays the same statements with pgbench (bench/pgbench) at
// the same concurrency on the same database, and reports every headline figure as a ratio of the
// two measured in the same run, against the targets of the performance issue.
package suite

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/bench/load"
	"mrmflow/bench/pgbench"
	"mrmflow/internal/database"
	"mrmflow/internal/domain"
	"mrmflow/internal/pgtx"
	"mrmflow/internal/user"
)

// Options tune a run; cmd/mrmflow-bench sets them from flags.
type Options struct {
	// AdminURL names a database on the server to benchmark, used to create (and drop) Database.
	AdminURL string
	Database string
	Replicas int
	// Duration is each side's measured time per scenario, taken in Slices slices that alternate
	// between the sides (service, pgbench, pgbench, service, ...), so that a change in what the
	// shared machine gives us during the run weighs on both sides alike. Duration ÷ Slices must
	// be whole seconds (pgbench -T).
	Duration time.Duration
	Slices   int
	// Warmup precedes each service slice, unmeasured.
	Warmup time.Duration
	// BulkSizes and BulkCalls: bulk confirmations of each size, BulkCalls times.
	BulkSizes []int
	BulkCalls int
	// ScriptDir holds the committed pgbench scripts; SQLDir the queries they come from.
	ScriptDir, SQLDir string
	// WorkDir receives the server binary, its logs and the expanded bulk scripts.
	WorkDir string
	// Log receives progress lines.
	Log io.Writer
	// StatementModes also measures create-distinct directly and through PgBouncer in pgx's
	// statement modes (statementModes); PgBouncerURL is a PgBouncer in front of the server of
	// AdminURL to use for it (empty: one is started).
	StatementModes bool
	PgBouncerURL   string
	// Clients, when set, replaces every scenario's concurrency, and ServerEnv is added to the
	// replicas' environment: the suite's own test runs small (few connections, beside the other
	// packages' tests on the same server); make bench leaves both unset.
	Clients   int
	ServerEnv []string
}

// run is one suite run's state.
type run struct {
	opts    Options
	dbURL   string
	pool    *pgxpool.Pool
	vars    map[string]string // pgbench -D variables of the scenario scripts
	client  *load.Client
	fixture load.Fixture
	servers replicas
	queries pgbench.Queries
	bin     string // the mrmflow binary the replicas run
	token   string // the load generator's token
}

// Run runs the whole suite and returns its report.
func Run(ctx context.Context, opts Options) (*Report, error) {
	r := &run{opts: opts}
	defer r.close()
	report := &Report{Started: time.Now()}
	if err := r.setUp(ctx); err != nil {
		return nil, err
	}
	var err error
	if report.Machine, err = describeMachine(ctx, r.pool); err != nil {
		return nil, err
	}
	report.Replicas, report.Duration, report.Slices = opts.Replicas, opts.Duration, opts.Slices
	for _, sc := range scenarios {
		if err := r.analyze(ctx); err != nil {
			return nil, err
		}
		res, err := r.scenario(ctx, sc)
		if err != nil {
			return nil, err
		}
		report.Scenarios = append(report.Scenarios, res)
	}
	for _, size := range opts.BulkSizes {
		if err := r.analyze(ctx); err != nil {
			return nil, err
		}
		b, err := r.bulk(ctx, size)
		if err != nil {
			return nil, err
		}
		report.Bulk = append(report.Bulk, b)
	}
	if opts.StatementModes {
		if err := r.analyze(ctx); err != nil {
			return nil, err
		}
		if report.Modes, report.ModesNote, err = r.statementModes(ctx, opts.PgBouncerURL, report); err != nil {
			return nil, err
		}
	}
	if report.PeakRSS, err = r.servers.peakRSS(); err != nil {
		return nil, err
	}
	report.Finished = time.Now()
	return report, nil
}

// scenario measures one scenario: Slices slices per side, alternating ABBA (the side that ends
// a pair starts the next), merged into one result per side. create-distinct has a third side,
// pgbench running the minimal create (bench/pgbench/create-minimal.sql), which goes between the
// two: S P M | M P S | ...
func (r *run) scenario(ctx context.Context, sc scenarioSpec) (ScenarioResult, error) {
	if r.opts.Clients > 0 {
		sc.Clients = r.opts.Clients
	}
	slice := r.opts.Duration / time.Duration(r.opts.Slices)
	var svc []load.Result
	var pg, minimal []pgbench.Result
	for i := range r.opts.Slices {
		sides := []string{"service", "replay"}
		if sc.Scenario == load.CreateDistinct {
			sides = append(sides, "minimal")
		}
		if i%2 == 1 {
			slices.Reverse(sides)
		}
		for _, side := range sides {
			if err := r.analyze(ctx); err != nil {
				return ScenarioResult{}, err
			}
			if side == "minimal" {
				r.logf("%s, %d clients: pgbench, minimal create, slice %d of %d", sc.Scenario, sc.Clients, i+1, r.opts.Slices)
				res, err := pgbench.Run{
					DatabaseURL: r.dbURL, File: r.script(minimalCreate), Mode: pgbench.Prepared,
					Clients: sc.Clients, Duration: slice, Vars: r.vars,
				}.Exec(ctx)
				if err != nil {
					return ScenarioResult{}, err
				}
				minimal = append(minimal, res)
				continue
			}
			if side == "service" {
				r.logf("%s, %d clients: service, slice %d of %d", sc.Scenario, sc.Clients, i+1, r.opts.Slices)
				res, err := load.Run(ctx, r.client, r.fixture, sc.Scenario, load.Config{
					Clients: sc.Clients, Duration: slice, Warmup: r.opts.Warmup, Seed: int64(1 + 1000*i),
				})
				if err != nil {
					return ScenarioResult{}, fmt.Errorf("%s: %w", sc.Scenario, err)
				}
				svc = append(svc, res)
				continue
			}
			r.logf("%s, %d clients: pgbench, slice %d of %d", sc.Scenario, sc.Clients, i+1, r.opts.Slices)
			res, err := pgbench.Run{
				DatabaseURL: r.dbURL, File: r.script(string(sc.Scenario)), Mode: pgbench.Prepared,
				Clients: sc.Clients, Duration: slice, Vars: r.vars,
			}.Exec(ctx)
			if err != nil {
				return ScenarioResult{}, err
			}
			pg = append(pg, res)
		}
	}
	res := ScenarioResult{Spec: sc, Service: load.Merge(svc), Pgbench: pgbench.Merge(pg)}
	if len(minimal) > 0 {
		m := pgbench.Merge(minimal)
		res.Minimal = &m
	}
	return res, nil
}

// minimalCreate is the hand-written pgbench script of the minimal create transaction.
const minimalCreate = "create-minimal"

// scenarioSpec is one scenario and the concurrency it runs at (the targets).
type scenarioSpec struct {
	Scenario load.Scenario
	Clients  int
}

var scenarios = []scenarioSpec{
	{load.CreateDistinct, 8},
	{load.CreateHot, 16},
	{load.CreateMulti, 8},
}

// setUp creates the database, migrates it, makes the load generator's ADMIN, starts the
// replicas and builds the fixture through the API.
func (r *run) setUp(ctx context.Context) error {
	var err error
	if r.dbURL, err = recreateDatabase(ctx, r.opts.AdminURL, r.opts.Database); err != nil {
		return err
	}
	r.logf("migrating %s", r.opts.Database)
	if err := database.Migrate(r.dbURL, io.Discard); err != nil {
		return err
	}
	if r.pool, err = database.Open(ctx, r.dbURL, database.PoolOptions{MaxConns: 2}); err != nil {
		return err
	}
	u, tok, err := user.NewService(r.pool, pgtx.Limits{}, 0).Bootstrap(ctx,
		user.CreateInput{Email: "load@bench.invalid", FullName: "Load generator", Role: domain.RoleAdmin}, "bench")
	if err != nil {
		return fmt.Errorf("create the load generator's user: %w", err)
	}
	if r.queries, err = pgbench.LoadQueries(r.opts.SQLDir); err != nil {
		return err
	}
	r.logf("building and starting %d replica(s)", r.opts.Replicas)
	bin, err := buildServer(ctx, r.opts.WorkDir)
	if err != nil {
		return err
	}
	r.bin, r.token = bin, tok.Token
	for i := range r.opts.Replicas {
		rep, err := startReplica(ctx, bin, r.opts.WorkDir, i+1, append([]string{"DATABASE_URL=" + r.dbURL}, r.opts.ServerEnv...))
		if err != nil {
			return err
		}
		r.servers = append(r.servers, rep)
	}
	r.client = load.NewClient(r.servers.urls(), tok.Token, 64)
	r.logf("building the fixture through the API")
	if r.fixture, err = load.Prepare(ctx, r.client); err != nil {
		return err
	}
	itoa := func(n int32) string { return strconv.Itoa(int(n)) }
	r.vars = map[string]string{
		"token_id": itoa(tok.TokenID), "secret_hash": pgbench.SecretHashVar(tok.Token), "user_id": itoa(u.UserID),
		"first_model": itoa(r.fixture.DistinctModels[0]), "last_model": itoa(r.fixture.DistinctModels[len(r.fixture.DistinctModels)-1]),
		"first_multi": itoa(r.fixture.MultiModels[0]), "hot_model": itoa(r.fixture.HotModel),
	}
	return nil
}

// analyze refreshes the planner's statistics of the benchmark database before each phase and
// each slice, as autovacuum would on a production server while the tables grow. A server running
// without autovacuum (as some shared test servers do) would otherwise plan on default estimates,
// which past jit_above_cost JIT-compile a create's schedule read on every execution, and the
// service's long-lived connections would keep the generic plans made when the tables were
// nearly empty (sequential scans) while a phase fills them; pgbench, connecting afresh each
// slice, would not (docs/traps.md). Either way the run would measure stale statistics, not
// mrmflow.
func (r *run) analyze(ctx context.Context) error {
	if _, err := r.pool.Exec(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("analyze %s: %w", r.opts.Database, err)
	}
	return nil
}

func (r *run) close() {
	if r.client != nil {
		r.client.Close()
	}
	r.servers.stopAll()
	if r.pool != nil {
		r.pool.Close()
	}
}

func (r *run) script(name string) string { return r.opts.ScriptDir + "/" + name + ".sql" }

func (r *run) logf(format string, args ...any) {
	fmt.Fprintf(r.opts.Log, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// recreateDatabase drops and creates name on the server of adminURL and returns its URL.
func recreateDatabase(ctx context.Context, adminURL, name string) (string, error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", adminURL, err)
	}
	defer func() { _ = conn.Close(ctx) }()
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return "", fmt.Errorf("drop %s: %w", name, err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return "", fmt.Errorf("create %s: %w", name, err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}
