package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"mrmflow/api"
	"mrmflow/internal/app"
	"mrmflow/internal/config"
	"mrmflow/internal/database"
	"mrmflow/internal/domain"
	"mrmflow/internal/idempotency"
	"mrmflow/internal/metrics"
	"mrmflow/internal/user"
)

// localServerURL is the PostgreSQL that `serve --dev` tries second, and devDatabase the database
// it creates there.
const (
	localServerURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	devDatabase    = "mrmflow_dev"
	devAdminEmail  = "admin@mrmflow.local"
)

func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "serve [--dev]\n\nServes the HTTP API. Without --dev, DATABASE_URL is required and no user is created.\nWith --dev, a database is found or started, migrated, and a development admin token printed.", stderr)
	dev := fs.Bool("dev", false, "development mode: resolve and migrate a database, ensure an admin, print a token")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	if *dev && os.Getenv("DRAIN_DELAY") == "" {
		cfg.DrainDelay = 0 // no load balancer watches a development server; Ctrl-C stops it at once
	}
	if *dev {
		if cfg.DatabaseURL, err = resolveDevDatabase(ctx, cfg.DatabaseURL, stdout); err != nil {
			return err
		}
		if err := database.Migrate(cfg.DatabaseURL, io.Discard); err != nil {
			return err
		}
	} else if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set: production mode refuses to start without it (use --dev for development)")
	}

	pool, err := database.Open(ctx, cfg.DatabaseURL, database.PoolOptions{MaxConns: cfg.PoolMaxConns})
	if err != nil {
		return err
	}
	defer pool.Close()

	m := metrics.New()
	m.RegisterPool(pool)
	svc := services(pool, cfg, m)
	srv := api.New(api.Deps{Log: log, Metrics: m, Pool: pool, Services: svc, RequestTimeout: cfg.RequestTimeout, ExportMaxRows: int64(cfg.ExportMaxRows)})

	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
	}
	if *dev {
		if err := printDevAdmin(ctx, svc.Users, ln.Addr().String(), stdout); err != nil {
			return err
		}
	}
	go purgeIdempotencyKeys(ctx, pool, log)
	if cfg.DebugAddr != "" {
		if err := serveDebug(cfg.DebugAddr, log); err != nil {
			return err
		}
	}

	httpServer := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       cfg.RequestTimeout,
		WriteTimeout:      cfg.RequestTimeout + config.WriteGrace,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String(), "version", version)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return drain(srv, httpServer, errc, cfg, log)
}

// drain stops the service after SIGTERM: readiness fails at once, the listener keeps serving for
// DRAIN_DELAY so a load balancer notices, then it closes and in-flight requests get
// SHUTDOWN_TIMEOUT to finish. Request contexts do not derive from the signal, so a bulk call in
// flight runs to its commit and is answered.
func drain(srv *api.Server, httpServer *http.Server, errc <-chan error, cfg config.Config, log *slog.Logger) error {
	log.Info("draining", "drain_delay", cfg.DrainDelay.String(), "shutdown_timeout", cfg.ShutdownTimeout.String())
	srv.SetDraining()
	select {
	case err := <-errc:
		return err
	case <-time.After(cfg.DrainDelay):
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// resolveDevDatabase finds a database for development: DATABASE_URL if set; else a PostgreSQL
// on 127.0.0.1:5432; else, where Docker runs, a PostgreSQL 15 container for the life of the
// process; else an error naming all three.
func resolveDevDatabase(ctx context.Context, fromEnv string, stdout io.Writer) (string, error) {
	if fromEnv != "" {
		if err := requireLoopback(fromEnv); err != nil {
			return "", err
		}
		fmt.Fprintln(stdout, "database: DATABASE_URL")
		return fromEnv, nil
	}
	probeCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	conn, err := pgx.Connect(probeCtx, localServerURL)
	cancel()
	if err == nil {
		_ = conn.Close(ctx)
		fmt.Fprintf(stdout, "database: PostgreSQL on 127.0.0.1:5432, database %s\n", devDatabase)
		return strings.Replace(localServerURL, "/postgres?", "/"+devDatabase+"?", 1), nil
	}
	if database.DockerAvailable() {
		fmt.Fprintln(stdout, "database: starting PostgreSQL 15 in Docker (testcontainers) for this process")
		url, err := database.StartPostgresContainer(ctx)
		if err != nil {
			return "", fmt.Errorf("start PostgreSQL container: %w", err)
		}
		return url, nil
	}
	return "", errors.New("no database found. Do one of: set DATABASE_URL; run PostgreSQL on 127.0.0.1:5432 " +
		"(user postgres, trust auth); or start a Docker engine so a PostgreSQL 15 container can be started")
}

// requireLoopback refuses a development database that is not on this machine: --dev creates an
// ADMIN and prints a token for it, which must never happen on a shared or production database.
// Every host of the URL (a libpq URL may list several) must be a loopback address, localhost or
// a Unix socket directory.
func requireLoopback(databaseURL string) error {
	cfg, err := pgconn.ParseConfig(databaseURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	hosts := []string{cfg.Host}
	for _, fb := range cfg.Fallbacks {
		hosts = append(hosts, fb.Host)
	}
	for _, h := range hosts {
		ip := net.ParseIP(h)
		if !strings.HasPrefix(h, "/") && h != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("serve --dev refuses DATABASE_URL on %s: it creates an ADMIN and prints its token, "+
				"so it only runs on a database on this machine (loopback); use `mrmflow serve` for any other", h)
		}
	}
	return nil
}

// services builds every service on pool with the configuration's limits (LOCK_TIMEOUT,
// STATEMENT_TIMEOUT) and TOKEN_TTL: the one place every command gets its services from. m nil
// keeps the metrics private (the commands that serve no /metrics).
func services(pool *pgxpool.Pool, cfg config.Config, m *metrics.Metrics) app.Services {
	return app.New(pool, cfg.Limits(), m, cfg.TokenTTL)
}

// printDevAdmin makes sure the development admin exists and prints a fresh token and a curl line;
// the token it printed last time is revoked, so only the newest one works.
func printDevAdmin(ctx context.Context, users *user.Service, addr string, stdout io.Writer) error {
	_, tok, err := users.EnsureWithToken(ctx,
		user.CreateInput{Email: devAdminEmail, FullName: "Development Admin", Role: domain.RoleAdmin}, "make run")
	if err != nil {
		return fmt.Errorf("ensure development admin: %w", err)
	}
	fmt.Fprintf(stdout, "\ndevelopment admin: %s\ntoken: %s\n\ntry:\n  export TOKEN=%s\n  curl -s -H \"Authorization: Bearer $TOKEN\" http://%s/api/v1/users/me\n\n",
		devAdminEmail, tok.Token, tok.Token, addr)
	return nil
}

// purgeIdempotencyKeys deletes expired Idempotency-Keys hourly until ctx ends.
func purgeIdempotencyKeys(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := idempotency.PurgeExpired(ctx, pool); err != nil && ctx.Err() == nil {
			log.Warn("purge expired idempotency keys", "error", err)
		} else if n > 0 {
			log.Info("purged expired idempotency keys", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
