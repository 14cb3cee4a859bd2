# mrmflow — `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SQLC          := go tool -modfile=tools/go.mod sqlc
GOLANGCI_LINT := go tool -modfile=tools/go.mod golangci-lint
OAPI_CODEGEN  := go tool -modfile=tools/go.mod oapi-codegen
# Redocly's OpenAPI linter, pinned in tools/package.json and tools/package-lock.json (npm ci).
REDOCLY       := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true tools/node_modules/.bin/redocly
# The local PostgreSQL `make test` and `make run` look for first.
LOCAL_PG      := postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable

.PHONY: help run test generate verify lint migrate dump-schema bench build demo

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: ## run the service for development: find or start a database, migrate, print a token, serve on 127.0.0.1:8080
	LOG_FORMAT=$${LOG_FORMAT:-text} go run ./cmd/mrmflow serve --dev

demo: ## show DATA-01 at work (10 parallel creates for one model: 1 created, 9 conflicts), then that request worked through assignment, outcome and two approvals to APPROVED, then the model's revalidation schedule (same database as make run)
	go run ./cmd/mrmflow demo

build: ## build bin/mrmflow
	go build -o bin/mrmflow ./cmd/mrmflow

test: ## run every test under -race on real PostgreSQL (TEST_DATABASE_URL, else 127.0.0.1:5432, else Docker), and through PgBouncer where installed
	@url="$${TEST_DATABASE_URL:-}"; \
	if [ -z "$$url" ] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then url="$(LOCAL_PG)"; fi; \
	if [ -n "$$url" ]; then echo "tests use PostgreSQL at $$url"; else echo "tests start PostgreSQL 15 with testcontainers"; fi; \
	packages=""; mc=$$( [ -n "$$url" ] && psql "$$url" -Atc 'SHOW max_connections' 2>/dev/null || echo 0); \
	if [ -n "$$url" ] && [ "$${mc:-0}" -lt 200 ]; then packages="-p 1"; \
		echo "max_connections is $$mc (< 200): test packages run one at a time (two side by side can hold 100 connections)"; fi; \
	TEST_DATABASE_URL="$$url" go test -race -count=1 -timeout 20m $$packages ./...

generate: ## regenerate gen/ from sql/ and db/migrations/ with the pinned sqlc, bench/pgbench/*.sql from sql/, and the Go client client/client.gen.go from api/openapi.yaml
	$(SQLC) generate
	$(OAPI_CODEGEN) -config client/oapi-codegen.yaml api/openapi.yaml > client/client.gen.go.new && mv client/client.gen.go.new client/client.gen.go
	go test ./bench/pgbench -run '^TestScriptsAreGenerated$$' -count=1 -update

verify: tools/node_modules/.package-lock.json ## fail if gen/ or client/ is stale, Redocly's lint, sqlc vet, go vet or golangci-lint complain, or db/schema.sql is not a fresh dump
	$(SQLC) diff
	$(OAPI_CODEGEN) -config client/oapi-codegen.yaml api/openapi.yaml | diff -u client/client.gen.go - >/dev/null || { echo 'client/client.gen.go is stale (or oapi-codegen failed above): run make generate'; exit 1; }
	$(REDOCLY) lint
	@! grep -niE 'select[[:space:]]+\*' sql/*.sql || { echo 'sql/: name the columns instead of SELECT *'; exit 1; }
	./.ci/with-scratch-db.sh sh -c 'VET_DATABASE_URL="$$SCRATCH_DATABASE_URL" $(SQLC) vet && DATABASE_URL="$$SCRATCH_DATABASE_URL" go run ./cmd/mrmflow migrate --dump-schema "$$SCRATCH_DIR/schema.sql" >/dev/null && diff -u db/schema.sql "$$SCRATCH_DIR/schema.sql"'
	go vet ./...
	$(GOLANGCI_LINT) run ./...

lint: tools/node_modules/.package-lock.json ## golangci-lint and Redocly's OpenAPI lint with the pinned versions
	$(GOLANGCI_LINT) run ./...
	$(REDOCLY) lint

# npm ci installs exactly the lock file's versions (and writes node_modules/.package-lock.json);
# it runs again when either file changes.
tools/node_modules/.package-lock.json: tools/package.json tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund

migrate: ## migrate the database named by DATABASE_URL
	go run ./cmd/mrmflow migrate

dump-schema: ## rewrite db/schema.sql from a freshly migrated scratch database (dbmate's dump, pg_dump 15)
	./.ci/with-scratch-db.sh sh -c 'DATABASE_URL="$$SCRATCH_DATABASE_URL" go run ./cmd/mrmflow migrate --dump-schema db/schema.sql >/dev/null'

bench: ## measure mrmflow against pgbench replaying its own SQL; print the table, write bench/results/latest.md (BENCH_FLAGS=--help; BENCH_FLAGS=--queues: the queues and reports benchmark, bench/results/queues.md)
	@url="$${BENCH_DATABASE_URL:-}"; \
	if [ -z "$$url" ] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then url="$(LOCAL_PG)"; fi; \
	if [ -z "$$url" ]; then echo "make bench needs a PostgreSQL server: set BENCH_DATABASE_URL or start the local one"; exit 1; fi; \
	command -v pgbench >/dev/null || { echo "make bench needs pgbench (apt-get install postgresql-15)"; exit 1; }; \
	BENCH_DATABASE_URL="$$url" go run ./cmd/mrmflow-bench $(BENCH_FLAGS)
