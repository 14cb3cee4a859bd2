#!/usr/bin/env bash
# Runs a command with SCRATCH_DATABASE_URL pointing at a freshly migrated, empty database on the
# test server (TEST_DATABASE_URL, else 127.0.0.1:5432), and SCRATCH_DIR at a temporary directory.
# Both are removed afterwards.
set -euo pipefail
base="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
name="mrmflow_scratch_$$_$RANDOM"
url="${base%%\?*}"; url="${url%/*}/$name"; query="${base#*\?}"; [ "$query" != "$base" ] && url="$url?$query"
dir=$(mktemp -d)
cleanup() { psql -q "$base" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
DATABASE_URL="$url" go run ./cmd/mrmflow migrate >/dev/null
SCRATCH_DATABASE_URL="$url" SCRATCH_DIR="$dir" "$@"
