package main

import (
	"errors"
	"io"

	"mrmflow/internal/config"
	"mrmflow/internal/database"
)

// loadWithDatabase loads the configuration of a command that needs DATABASE_URL.
func loadWithDatabase() (config.Config, error) {
	cfg, err := config.Load()
	if err == nil && cfg.DatabaseURL == "" {
		err = errors.New("DATABASE_URL is not set")
	}
	return cfg, err
}

func migrateCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "migrate\n\nCreates the database named by DATABASE_URL if it is missing and applies every\npending migration (embedded in the binary).", stderr)
	dumpTo := fs.String("dump-schema", "", "after migrating, write the schema dump (dbmate's format, needs pg_dump 15+) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadWithDatabase()
	if err != nil {
		return err
	}
	if err := database.Migrate(cfg.DatabaseURL, stdout); err != nil {
		return err
	}
	if *dumpTo == "" {
		return nil
	}
	return database.DumpSchema(cfg.DatabaseURL, *dumpTo)
}
