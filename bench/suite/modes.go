package suite

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mrmflow/bench/load"
	"mrmflow/internal/pgproc"
)

// ModeResult is create-distinct measured with the replicas reaching PostgreSQL one way: directly
// or through PgBouncer, in one of pgx's statement modes (default_query_exec_mode in
// DATABASE_URL, as a user sets it).
type ModeResult struct {
	Route   string // "direct" or "PgBouncer"
	Mode    string // pgx's default_query_exec_mode
	Service load.Result
}

// Label names the variant in the report.
func (m ModeResult) Label() string {
	if m.Mode == "cache_statement" {
		return m.Route + ", cache_statement (pgx's default)"
	}
	return m.Route + ", " + m.Mode
}

// modeVariant is one way of reaching the database and the replicas started for it.
type modeVariant struct {
	route, mode string
	servers     replicas
	client      *load.Client
}

// statementModes measures create-distinct with the replicas reaching PostgreSQL directly in
// pgx's default mode (named statements prepared per connection), directly in cache_describe and
// exec, and through PgBouncer (transaction pooling) in cache_describe and exec — where pgx's
// default fails (42P05). Every variant runs its own replicas on the same database, and the
// measured slices rotate among the variants, so each meets the same machine. bouncerURL is a
// PgBouncer in front of the benchmark's server; empty starts one, and without pgbouncer
// installed the PgBouncer variants are left out (the report says so).
//
// Then, with PgBouncer, it times bulk confirmations of the largest bulk size through the direct
// replicas in pgx's default mode and through the PgBouncer replicas in cache_describe, BulkCalls
// calls each, alternating (bulk, in the report's BouncerBulk).
func (r *run) statementModes(ctx context.Context, bouncerURL string, report *Report) ([]ModeResult, string, error) {
	note := ""
	variants := []*modeVariant{{route: "direct", mode: "cache_statement"}, {route: "direct", mode: "cache_describe"}, {route: "direct", mode: "exec"}}
	if bouncerURL == "" {
		b, err := pgproc.StartPgBouncer(r.opts.AdminURL)
		switch {
		case errors.Is(err, pgproc.ErrNoPgBouncer):
			note = err.Error() + ": the PgBouncer variants were not measured"
		case err != nil:
			return nil, "", fmt.Errorf("start PgBouncer: %w", err)
		default:
			defer b.Stop()
			bouncerURL = b.URL
		}
	}
	if bouncerURL != "" {
		variants = append(variants, &modeVariant{route: "PgBouncer", mode: "cache_describe"}, &modeVariant{route: "PgBouncer", mode: "exec"})
	}
	defer func() {
		var all replicas
		for _, v := range variants {
			if v.client != nil {
				v.client.Close()
			}
			all = append(all, v.servers...)
		}
		all.stopAll()
	}()
	clients := 8
	if r.opts.Clients > 0 {
		clients = r.opts.Clients
	}
	for i, v := range variants {
		base := r.dbURL
		if v.route == "PgBouncer" {
			base = bouncerURL
		}
		dbURL, err := withModeAndDatabase(base, r.opts.Database, v.mode)
		if err != nil {
			return nil, "", err
		}
		r.logf("statement modes: starting %d replica(s) %s, %s", r.opts.Replicas, v.route, v.mode)
		for n := range r.opts.Replicas {
			env := append([]string{"DATABASE_URL=" + dbURL, "DB_POOL_MAX_CONNS=" + strconv.Itoa(clients)}, r.opts.ServerEnv...)
			rep, err := startReplica(ctx, r.bin, r.opts.WorkDir, 100*(i+1)+n, env)
			if err != nil {
				return nil, "", err
			}
			v.servers = append(v.servers, rep)
		}
		v.client = load.NewClient(v.servers.urls(), r.token, 64)
	}
	slice := r.opts.Duration / time.Duration(r.opts.Slices)
	runs := make([][]load.Result, len(variants))
	for i := range r.opts.Slices {
		for k := range variants {
			j := (i + k) % len(variants) // rotate who goes first
			v := variants[j]
			if err := r.analyze(ctx); err != nil {
				return nil, "", err
			}
			r.logf("statement modes, create-distinct, %d clients: %s %s, slice %d of %d", clients, v.route, v.mode, i+1, r.opts.Slices)
			res, err := load.Run(ctx, v.client, r.fixture, load.CreateDistinct, load.Config{
				Clients: clients, Duration: slice, Warmup: r.opts.Warmup, Seed: int64(7 + 1000*i),
			})
			if err != nil {
				return nil, "", fmt.Errorf("statement modes, %s %s: %w", v.route, v.mode, err)
			}
			runs[j] = append(runs[j], res)
		}
	}
	out := make([]ModeResult, len(variants))
	for j, v := range variants {
		out[j] = ModeResult{Route: v.route, Mode: v.mode, Service: load.Merge(runs[j])}
	}
	size := 0
	for _, n := range r.opts.BulkSizes {
		size = max(size, n)
	}
	if bouncerURL != "" && size > 0 {
		b, err := r.bouncerBulk(ctx, size, variants[0], variants[len(variants)-2])
		if err != nil {
			return nil, "", err
		}
		report.BouncerBulk = &b
	}
	return out, note, nil
}

// BouncerBulk is bulk confirmations of one size through the direct replicas (pgx's default mode)
// and through PgBouncer (cache_describe), measured in the same run.
type BouncerBulk struct {
	Size              int
	Direct, PgBouncer load.BulkResult
}

// bouncerBulk times BulkCalls bulk confirmations of size tasks on each of direct and bouncer,
// alternating ABBA as the scenarios do.
func (r *run) bouncerBulk(ctx context.Context, size int, direct, bouncer *modeVariant) (BouncerBulk, error) {
	var d, b []load.BulkResult
	for i := range r.opts.BulkCalls {
		order := []*modeVariant{direct, bouncer}
		if i%2 == 1 {
			order = []*modeVariant{bouncer, direct}
		}
		for _, v := range order {
			r.logf("bulk-confirm of %d tasks: %s %s, call %d of %d", size, v.route, v.mode, i+1, r.opts.BulkCalls)
			res, err := load.BulkConfirm(ctx, v.client, r.fixture, size, 1)
			if err != nil {
				return BouncerBulk{}, fmt.Errorf("bulk confirm, %s %s: %w", v.route, v.mode, err)
			}
			if v == direct {
				d = append(d, res)
			} else {
				b = append(b, res)
			}
		}
	}
	return BouncerBulk{Size: size, Direct: load.MergeBulk(d), PgBouncer: load.MergeBulk(b)}, nil
}

// bouncerRows are the headline rows of the PgBouncer targets: creates/s through PgBouncer in
// cache_describe ÷ direct in pgx's default mode, and a bulk call's time likewise.
func (r *Report) bouncerRows() []row {
	var rows []row
	var direct, bouncer *ModeResult
	for i, m := range r.Modes {
		switch {
		case m.Route == "direct" && m.Mode == "cache_statement":
			direct = &r.Modes[i]
		case m.Route == "PgBouncer" && m.Mode == "cache_describe":
			bouncer = &r.Modes[i]
		}
	}
	if direct != nil && bouncer != nil {
		ratio := bouncer.Service.Throughput / direct.Service.Throughput
		rows = append(rows, row{
			what:    fmt.Sprintf("create-distinct, %d clients: PgBouncer (cache_describe) ÷ direct, requests/s", bouncer.Service.Clients),
			mrmflow: fmt.Sprintf("%.0f", bouncer.Service.Throughput), pgbench: fmt.Sprintf("%.0f direct", direct.Service.Throughput),
			ratio: fmt.Sprintf("%.2f", ratio), target: fmt.Sprintf("≥ %.2f", bouncerCreateTarget), met: check(ratio >= bouncerCreateTarget),
		})
	}
	if b := r.BouncerBulk; b != nil {
		ratio := float64(b.PgBouncer.MeanPerCall) / float64(b.Direct.MeanPerCall)
		rows = append(rows, row{
			what:    fmt.Sprintf("bulk-confirm, %d tasks: PgBouncer (cache_describe) ÷ direct, ms per call", b.Size),
			mrmflow: ms(b.PgBouncer.MeanPerCall), pgbench: ms(b.Direct.MeanPerCall) + " direct",
			ratio: fmt.Sprintf("%.2f", ratio), target: fmt.Sprintf("≤ %.2f", bouncerBulkTarget), met: check(ratio <= bouncerBulkTarget),
		})
	}
	return rows
}

// withModeAndDatabase points base at database name with pgx's default_query_exec_mode set.
func withModeAndDatabase(base, name, mode string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	q := u.Query()
	q.Set("default_query_exec_mode", mode)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// ModesSection is the statement-mode section of the report: each variant against the direct
// connection in pgx's default mode, measured in the same run ("" when not measured).
func (r *Report) ModesSection() string {
	if len(r.Modes) == 0 {
		return ""
	}
	var b strings.Builder
	base := r.Modes[0].Service.Throughput
	fmt.Fprintf(&b, "\n## Statement modes (create-distinct, %d clients)\n\n", r.Modes[0].Service.Clients)
	b.WriteString("Each variant ran its own replica(s) on the same database; the slices rotated among the variants. " +
		"The mode is pgx's `default_query_exec_mode` in `DATABASE_URL`; PgBouncer ran in transaction mode with its defaults " +
		"plus `ignore_startup_parameters = extra_float_digits`, on the same machine.\n\n")
	if r.ModesNote != "" {
		b.WriteString(r.ModesNote + ".\n\n")
	}
	b.WriteString("| route, statement mode | requests/s | ÷ direct, pgx default | p50 | p99 | 5xx |\n|---|---:|---:|---:|---:|---:|\n")
	for _, m := range r.Modes {
		v := m.Service
		fmt.Fprintf(&b, "| %s | %.0f | %.2f | %s | %s | %d |\n", m.Label(), v.Throughput, v.Throughput/base, ms(v.P50), ms(v.P99), v.Server5xx)
	}
	return b.String()
}
