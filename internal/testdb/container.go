package testdb

import (
	"context"
	"time"

	"mrmflow/internal/database"
)

const howToRun = "no TEST_DATABASE_URL and no Docker: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable " +
	"(a server where the tests may create databases) or run `make test`, which finds one on 127.0.0.1:5432"

// startContainer starts PostgreSQL 15 for this test binary. The container lives as long as the
// process; testcontainers' reaper removes it when the process exits.
func startContainer() (url, skip string, err error) {
	if !database.DockerAvailable() {
		return "", howToRun, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	url, err = database.StartPostgresContainer(ctx)
	return url, "", err
}
