// Package db embeds the dbmate migrations so the binary can migrate a database by itself
// (`mrmflow migrate`) and tests can build their template database from exactly the same files.
package db

import "embed"

// Migrations holds db/migrations/*.sql; dbmate reads them from the "migrations" directory.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// MigrationsDir is the directory inside Migrations that dbmate reads.
const MigrationsDir = "migrations"
