#!/usr/bin/env bash
# For TEMPORAL_PERSISTENCE=postgres: builds the Temporal server on PostgreSQL (tools/temporal-server,
# go.temporal.io/server v1.29.1 + ui-server v2.42.1) into .tools/bin/temporal-pg-server, and makes
# sure PostgreSQL answers on PG_HOST:PG_SERVER_PORT (127.0.0.1:5432), starting the machine's
# cluster when it is down. Idempotent: a second run only checks.
#   --build-only   build the binary, leave PostgreSQL alone (CI's test setup)
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS_BIN="$PWD/.tools/bin"
BIN="$TOOLS_BIN/temporal-pg-server"
SRC="$PWD/tools/temporal-server"
PG_HOST="${TEMPORAL_PG_HOST:-127.0.0.1}"
PG_SERVER_PORT="${TEMPORAL_PG_PORT:-5432}"
step() { printf '\033[1m[setup-pg]\033[0m %s\n' "$*"; }

# 1. The server binary, rebuilt when any of its sources is newer than it.
if [ -x "$BIN" ] && [ -z "$(find "$SRC" -newer "$BIN" -type f -print -quit)" ]; then
  step "temporal-pg-server: $BIN (up to date)"
else
  if ! command -v go >/dev/null 2>&1; then
    for candidate in /usr/local/go/bin /usr/lib/go/bin; do
      [ -x "$candidate/go" ] && export PATH="$candidate:$PATH" && break
    done
  fi
  command -v go >/dev/null 2>&1 || { echo "[setup-pg] no Go toolchain: install Go (https://go.dev/dl) to build the Temporal server" >&2; exit 1; }
  step "building the Temporal server 1.29.1 on PostgreSQL with $(go version | cut -d' ' -f3) (several minutes the first time; modules come from the Go cache when present)…"
  mkdir -p "$TOOLS_BIN"
  started=$SECONDS
  # -v prints each package as it compiles: show a count, not 1200 lines. `nice`: the build is CPU-heavy.
  # No -trimpath: the same flags as the CLI's `go install`, so packages it compiled come from the Go cache.
  ( cd "$SRC" && GOFLAGS="-mod=mod -buildvcs=false" nice -n 10 go build -v -o "$BIN.tmp" . 2>&1 ) \
    | awk '/^go: downloading/ {d++; if (d % 25 == 1) printf "[setup-pg]   downloading modules… (%d)\n", d; fflush(); next}
           /^#|^[^ ]+\.go:[0-9]+|^go: |cannot find|not found/ {print; fflush(); next}
           {b++; if (b % 100 == 0) printf "[setup-pg]   compiled %d packages…\n", b; fflush()}'
  [ -x "$BIN.tmp" ] || { echo "[setup-pg] go build of tools/temporal-server failed" >&2; exit 1; }
  mv "$BIN.tmp" "$BIN"
  step "temporal-pg-server built in $((SECONDS - started)) s: $BIN ($("$BIN" version))"
fi
[ "${1:-}" = "--build-only" ] && exit 0

# 2. PostgreSQL: the server creates and migrates its databases itself; here we only need it up.
if pg_isready -q -h "$PG_HOST" -p "$PG_SERVER_PORT" 2>/dev/null; then
  step "PostgreSQL: answering on $PG_HOST:$PG_SERVER_PORT"
else
  step "PostgreSQL is not answering on $PG_HOST:$PG_SERVER_PORT; starting the machine's cluster…"
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -n "$(pg_lsclusters -h 2>/dev/null | head -1)" ]; then
    read -r version cluster _ < <(pg_lsclusters -h | head -1)
    pg_ctlcluster "$version" "$cluster" start || true
  elif command -v service >/dev/null 2>&1; then
    service postgresql start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h "$PG_HOST" -p "$PG_SERVER_PORT" && break; sleep 1; done
  pg_isready -q -h "$PG_HOST" -p "$PG_SERVER_PORT" || {
    echo "[setup-pg] PostgreSQL does not answer on $PG_HOST:$PG_SERVER_PORT: start it (user postgres, trust auth on 127.0.0.1), then run this again" >&2
    exit 1
  }
  step "PostgreSQL: started"
fi
