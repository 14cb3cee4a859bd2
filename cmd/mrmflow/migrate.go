package main

import (
	"errors"
	"io"

	"mrmflow/internal/config"
	"mrmflow/internal/database"
)

func migrateCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "migrate\n\nCreates the database named by DATABASE_URL if it is missing and applies every\npending migration (embedded in the binary).", stderr)
	dumpTo := fs.String("dump-schema", "", "after migrating, write the schema dump (dbmate's format, needs pg_dump 15+) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set")
	}
	if err := database.Migrate(cfg.DatabaseURL, stdout); err != nil {
		return err
	}
	if *dumpTo == "" {
		return nil
	}
	return database.DumpSchema(cfg.DatabaseURL, *dumpTo)
}
