package database

import (
	"context"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/postgres"
	"github.com/testcontainers/testcontainers-go/wait"
)

// PostgresImage is the server the container path starts: the same major version as production
// and as `pg_dump` for db/schema.sql.
const PostgresImage = "postgres:15-alpine"

// StartPostgresContainer starts a PostgreSQL 15 container and returns the URL of its postgres
// database. `mrmflow serve --dev` uses it too, when no other server can be found.
func StartPostgresContainer(ctx context.Context) (string, error) {
	c, err := postgres.Run(ctx, PostgresImage,
		postgres.WithDatabase("postgres"),
		postgres.WithUsername("postgres"),
		postgres.WithPassword("postgres"),
		testcontainers.WithWaitStrategy(wait.ForLog("database system is ready to accept connections").
			WithOccurrence(2).WithStartupTimeout(90*time.Second)),
	)
	if err != nil {
		return "", err
	}
	return c.ConnectionString(ctx, "sslmode=disable")
}

// DockerAvailable reports whether a Docker engine answers.
func DockerAvailable() bool {
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		return false
	}
	defer func() { _ = p.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.Health(ctx) == nil
}
