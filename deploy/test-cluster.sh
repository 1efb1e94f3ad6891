#!/usr/bin/env bash
# make test-cluster: runs the scale-out example (deploy/cluster.sh) for real and drives it through
# the balancer (deploy/cluster_test.go, build tag "cluster"). Needs the machine's PostgreSQL
# (TEST_DATABASE_URL; each run gets its own schema, dropped afterwards) and Redis (TEST_REDIS_URL);
# installs HAProxy from Debian when it is missing. Everything listens on loopback; every process is
# stopped when the test ends, pass or fail. Extra arguments go to `go test` (e.g. -run, -v).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v haproxy >/dev/null 2>&1; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq haproxy >/dev/null
fi

make build
go vet -tags cluster ./deploy/
# -lookups sets how many concurrent lookups (audit appends) the bulk phase sends per cluster.
go test -tags cluster -count=1 -timeout 5m -v "$@" ./deploy/ -args -web="$PWD/bin/web" -lookups=2000
