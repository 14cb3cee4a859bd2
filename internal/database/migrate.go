// Package database opens mrmflow's connection pool and migrates its schema with dbmate, used as a
// library with the migrations embedded in the binary.
package database

import (
	"fmt"
	"io"
	"net/url"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"
	_ "github.com/amacneil/dbmate/v2/pkg/driver/postgres" // registers the postgres:// driver

	"mrmflow/db"
)

// pgxOnlyParams are the database URL parameters pgx and pgxpool read themselves and never send
// to the server.
var pgxOnlyParams = []string{
	"default_query_exec_mode", "statement_cache_capacity", "description_cache_capacity",
	"pool_max_conns", "pool_min_conns", "pool_min_idle_conns", "pool_max_conn_lifetime",
	"pool_max_conn_lifetime_jitter", "pool_max_conn_idle_time", "pool_health_check_period",
}

// Migrator returns a dbmate instance for databaseURL that reads the embedded migrations and never
// dumps the schema (db/schema.sql is dumped by `make dump-schema`, not by a running service).
// Progress is written to log (io.Discard to silence it).
func Migrator(databaseURL string, log io.Writer) (*dbmate.DB, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	if u.Scheme == "postgresql" {
		u.Scheme = "postgres" // dbmate names its driver "postgres"; both spellings are valid URLs
	}
	// The same DATABASE_URL serves the pool and the migrations. dbmate's driver (lib/pq) would
	// send pgx's and pgxpool's own parameters to the server as settings, which refuses them
	// (42704), so they are taken out here.
	q := u.Query()
	for _, name := range pgxOnlyParams {
		q.Del(name)
	}
	u.RawQuery = q.Encode()
	m := dbmate.New(u)
	m.FS = db.Migrations
	m.MigrationsDir = []string{db.MigrationsDir}
	m.AutoDumpSchema = false
	m.Log = log
	return m, nil
}

// Migrate creates the database if it is missing and applies every pending migration.
func Migrate(databaseURL string, log io.Writer) error {
	m, err := Migrator(databaseURL, log)
	if err != nil {
		return err
	}
	if err := m.CreateAndMigrate(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// DumpSchema writes the schema of the database at databaseURL to path with dbmate (pg_dump
// --schema-only plus the applied migration versions): the db/schema.sql that DBAs read.
func DumpSchema(databaseURL, path string) error {
	m, err := Migrator(databaseURL, io.Discard)
	if err != nil {
		return err
	}
	m.SchemaFile = path
	if err := m.DumpSchema(); err != nil {
		return fmt.Errorf("dump schema: %w", err)
	}
	return nil
}
