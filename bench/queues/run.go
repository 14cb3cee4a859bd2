package queues

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/bench/pgbench"
	"mrmflow/bench/suite"
	"mrmflow/internal/auth"
	"mrmflow/internal/database"
)

// Options tune a run; cmd/mrmflow-bench --queues sets them from flags.
type Options struct {
	// AdminURL names a database on the server to benchmark, used to (re)create Database.
	AdminURL, Database string
	// Scale sizes the seed (1: 10,000 models, 50,000 requests, 200,000 tasks).
	Scale float64
	// Clients is the concurrency of every page (8); Duration each page's measured time, after
	// Warmup.
	Clients          int
	Duration, Warmup time.Duration
	// AsOf is the as_of of every page (2026-12-01: the seed's dates are spread around it).
	AsOf string
	// SQLDir holds the queries (sql/); WorkDir receives the server binary and its log.
	SQLDir, WorkDir string
	// ServerEnv is added to the server's environment (after EXPORT_MAX_ROWS=200000).
	ServerEnv []string
	Log       io.Writer
}

// Run seeds the database, starts mrmflow on it, times the CSV export, measures every page and
// its direct replay, and EXPLAINs the list and report queries.
func Run(ctx context.Context, o Options) (*Report, error) {
	rep := &Report{Started: time.Now(), Options: o, LoadBefore: loadAverage()}
	dbURL, err := suite.RecreateDatabase(ctx, o.AdminURL, o.Database)
	if err != nil {
		return nil, err
	}
	logf(o.Log, "migrating %s", o.Database)
	if err := database.Migrate(dbURL, io.Discard); err != nil {
		return nil, err
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	logf(o.Log, "seeding at scale %v", o.Scale)
	t0 := time.Now()
	if rep.Size, err = Seed(ctx, conn, o.Scale); err != nil {
		return nil, err
	}
	rep.SeedTime = time.Since(t0)
	if err := CheckInvariants(ctx, conn); err != nil {
		return nil, err
	}
	tokens, err := makeTokens(ctx, conn)
	if err != nil {
		return nil, err
	}
	queries, err := pgbench.LoadQueries(o.SQLDir)
	if err != nil {
		return nil, err
	}
	if err := resolveCallerModels(ctx, conn, queries, o.AsOf); err != nil {
		return nil, err
	}
	pool, err := database.Open(ctx, dbURL, database.PoolOptions{MaxConns: int32(o.Clients)})
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	if rep.Machine, err = suite.DescribeMachine(ctx, pool); err != nil {
		return nil, err
	}

	logf(o.Log, "building and starting mrmflow")
	bin, err := suite.BuildServer(ctx, o.WorkDir)
	if err != nil {
		return nil, err
	}
	srv, err := suite.StartServer(ctx, bin, o.WorkDir, append([]string{"DATABASE_URL=" + dbURL, "EXPORT_MAX_ROWS=200000"}, o.ServerEnv...))
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * o.Clients, DisableCompression: true}, Timeout: 2 * time.Minute}

	// The exports first, on a server that has served nothing big yet.
	for _, e := range csvExports {
		logf(o.Log, "CSV export: %s", e.Name)
		res, err := exportCSV(ctx, client, srv, tokens[callerAdmin], e, o.AsOf)
		if err != nil {
			return nil, err
		}
		rep.CSV = append(rep.CSV, res)
	}
	for _, p := range probes {
		logf(o.Log, "%s as %s", p.Name, p.Caller)
		res, err := measureProbe(ctx, client, srv.URL(), tokens[p.Caller], p, o)
		if err != nil {
			return nil, err
		}
		if res.Measured != nil && p.Direct != nil {
			text, err := bind(queries, p.Direct.Query, p.Direct.Args, o.AsOf)
			if err != nil {
				return nil, err
			}
			d := measureDirect(ctx, pool, text, o)
			res.Direct = &d
		}
		rep.Probes = append(rep.Probes, res)
	}
	logf(o.Log, "EXPLAIN of the list and report queries")
	if rep.Explains, err = explainAll(ctx, conn, queries, o.AsOf); err != nil {
		return nil, err
	}
	rep.Finished, rep.LoadAfter = time.Now(), loadAverage()
	return rep, nil
}

// makeTokens gives each caller a token, written as `mrmflow user` writes one (the hash of a
// fresh secret), valid for a day.
func makeTokens(ctx context.Context, conn *pgx.Conn) (map[string]string, error) {
	tokens := map[string]string{}
	for caller, id := range callerIDs {
		secret, hash := auth.NewSecret()
		var tokenID int32
		if err := conn.QueryRow(ctx, `
			INSERT INTO api_tokens (user_id, name, secret_hash, expires_at)
			VALUES ($1, 'queues-bench', $2, now() + interval '1 day') RETURNING token_id`, id, hash).Scan(&tokenID); err != nil {
			return nil, fmt.Errorf("token for %s: %w", caller, err)
		}
		tokens[caller] = auth.FormatToken(tokenID, secret)
	}
	return tokens, nil
}

// Latency is the summary of one measured page.
type Latency struct {
	Requests, Errors   int
	P50, P95, P99, Max time.Duration
	Elapsed            time.Duration
}

// ProbeResult is one page: as asked, and measured (as asked, or without the parameters this
// build refused), with its direct replay.
type ProbeResult struct {
	Probe probe
	// Status is the first answer to the page as asked; Refused the parameters a 400 named.
	Status  int
	Refused []string
	// MeasuredPath is what was measured (nil Measured: nothing).
	MeasuredPath string
	Measured     *Latency
	Direct       *Latency
}

// Available reports whether the page as asked answered 200.
func (r ProbeResult) Available() bool { return r.Status == http.StatusOK }

func measureProbe(ctx context.Context, client *http.Client, base, token string, p probe, o Options) (ProbeResult, error) {
	path := withParam(p.Path, "as_of", o.AsOf)
	res := ProbeResult{Probe: p}
	status, refused, err := get(ctx, client, base+path, token)
	if err != nil {
		return res, err
	}
	res.Status, res.Refused = status, refused
	if status == http.StatusBadRequest && len(refused) > 0 {
		// Measured again without what this build does not take, when that is a page at all.
		path = withoutParams(path, refused)
		if status, _, err = get(ctx, client, base+path, token); err != nil {
			return res, err
		}
	}
	if status != http.StatusOK {
		return res, nil
	}
	res.MeasuredPath = path
	l := hammer(ctx, o, func() error {
		st, _, err := get(ctx, client, base+path, token)
		if err == nil && st != http.StatusOK {
			err = fmt.Errorf("status %d", st)
		}
		return err
	})
	res.Measured = &l
	return res, nil
}

// measureDirect runs the page's bound query on a pool of its own connections at the same
// concurrency, as a client of PostgreSQL would.
func measureDirect(ctx context.Context, pool *pgxpool.Pool, text string, o Options) Latency {
	return hammer(ctx, o, func() error {
		rows, err := pool.Query(ctx, text)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		rows.Close()
		return rows.Err()
	})
}

// hammer runs o.Clients loops of do for o.Warmup (unmeasured) then o.Duration, and summarises
// every sample.
func hammer(ctx context.Context, o Options, do func() error) Latency {
	var mu sync.Mutex
	var samples []time.Duration
	var errs int
	start := time.Now()
	measureFrom, end := start.Add(o.Warmup), start.Add(o.Warmup+o.Duration)
	var wg sync.WaitGroup
	for range o.Clients {
		wg.Go(func() {
			var mine []time.Duration
			var bad int
			for ctx.Err() == nil {
				t := time.Now()
				if !t.Before(end) {
					break
				}
				err := do()
				if t.Before(measureFrom) {
					continue
				}
				if err != nil {
					bad++
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			samples, errs = append(samples, mine...), errs+bad
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(samples)
	l := Latency{Requests: len(samples), Errors: errs, Elapsed: o.Duration}
	if len(samples) > 0 {
		l.P50, l.P95, l.P99, l.Max = pct(samples, 500), pct(samples, 950), pct(samples, 990), samples[len(samples)-1]
	}
	return l
}

// pct is the nearest-rank percentile, as bench/load computes it.
func pct(sorted []time.Duration, perMille int) time.Duration {
	rank := (perMille*len(sorted) + 999) / 1000
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// get sends one GET and reads the whole answer; for a 400 it returns the parameters named.
func get(ctx context.Context, client *http.Client, u, token string) (int, []string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusBadRequest {
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil, err
	}
	var problem struct {
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&problem)
	var fields []string
	for _, e := range problem.Errors {
		fields = append(fields, e.Field)
	}
	return resp.StatusCode, fields, nil
}

func withParam(path, name, value string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + name + "=" + url.QueryEscape(value)
}

func withoutParams(path string, names []string) string {
	p, raw, _ := strings.Cut(path, "?")
	var kept []string
	for pair := range strings.SplitSeq(raw, "&") {
		name, _, _ := strings.Cut(pair, "=")
		if pair != "" && !slices.Contains(names, name) {
			kept = append(kept, pair)
		}
	}
	if len(kept) == 0 {
		return p
	}
	return p + "?" + strings.Join(kept, "&")
}

// CSVResult is one timed export.
type CSVResult struct {
	Export csvExport
	// Path is what was asked; Status its answer (a 200 was timed).
	Path              string
	Status            int
	Rows              int
	Bytes             int64
	Time              time.Duration
	RSSBefore, RSSHWM int64
}

// Growth is the server's high-water resident set after the export less its resident set before.
func (c CSVResult) Growth() int64 { return c.RSSHWM - c.RSSBefore }

// exportCSV times export e (with as_of) as ADMIN to its last byte, counting its records with
// encoding/csv. The server's VmHWM is reset first (clear_refs 5, where the kernel allows it) so
// the growth is this export's.
func exportCSV(ctx context.Context, client *http.Client, srv *suite.Server, token string, e csvExport, asOf string) (CSVResult, error) {
	res := CSVResult{Export: e, Path: withParam(e.Path, "as_of", asOf)}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL()+res.Path, nil)
	if err != nil {
		return res, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	_ = srv.ResetPeakRSS()
	if res.RSSBefore, err = srv.RSS(); err != nil {
		return res, err
	}
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return res, err
	}
	defer func() { _ = resp.Body.Close() }()
	res.Status = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return res, nil
	}
	counter := &countingReader{r: resp.Body}
	r := csv.NewReader(counter)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	n := 0
	for {
		if _, err = r.Read(); err != nil {
			break
		}
		n++
	}
	res.Time = time.Since(t0)
	if !errors.Is(err, io.EOF) {
		return res, fmt.Errorf("CSV of %s: %w", res.Path, err)
	}
	res.Rows, res.Bytes = max(n-1, 0), counter.n
	if res.RSSHWM, err = srv.PeakRSS(); err != nil {
		return res, err
	}
	return res, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// loadAverage is the first three fields of /proc/loadavg ("unknown" where there is none).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], ", ")
	}
	return "unknown"
}

func logf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
