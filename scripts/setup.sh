#!/usr/bin/env bash
# Installs what the project needs and is missing: npm packages and the `temporal` CLI (built from
# source with the Go toolchain, since no registry here ships it). Idempotent; fast the second time.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"
TOOLS_BIN="$PWD/.tools/bin"
step() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. npm packages, when node_modules is missing or was installed from another lock file. Compared
# by content, not by date: a git checkout gives the lock file a new date without changing it.
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ "$(cat node_modules/.lock-sha256 2>/dev/null)" != "$lock_sum" ]; then
  step "installing npm packages (npm ci)…"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" >node_modules/.lock-sha256
else
  step "npm packages: up to date"
fi

# 2. The Temporal CLI, which carries the dev server and the Web UI.
if [ -x "$TOOLS_BIN/temporal" ]; then
  step "temporal: $TOOLS_BIN/temporal"
elif command -v temporal >/dev/null 2>&1; then
  step "temporal: $(command -v temporal) (from PATH)"
else
  if ! command -v go >/dev/null 2>&1; then
    for candidate in /usr/local/go/bin /usr/lib/go/bin; do
      [ -x "$candidate/go" ] && export PATH="$candidate:$PATH" && break
    done
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "[setup] the temporal CLI is missing and there is no Go toolchain to build it." >&2
    echo "[setup] install Go (https://go.dev/dl) or put a temporal binary on PATH, then run this again." >&2
    exit 1
  fi
  step "building the temporal CLI $TEMPORAL_CLI_VERSION with $(go version | cut -d' ' -f3) (a few minutes the first time)…"
  mkdir -p "$TOOLS_BIN"
  started=$SECONDS
  log="$(mktemp)"
  GOBIN="$TOOLS_BIN" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" >"$log" 2>&1 &
  build=$!
  while kill -0 "$build" 2>/dev/null; do
    sleep 10
    kill -0 "$build" 2>/dev/null && step "  still building… $((SECONDS - started)) s ($(grep -c '^go: downloading' "$log") modules downloaded)"
  done
  if ! wait "$build"; then
    tail -20 "$log" >&2
    echo "[setup] go install of the temporal CLI failed (log above)" >&2
    exit 1
  fi
  rm -f "$log"
  [ -x "$TOOLS_BIN/temporal" ] || { echo "[setup] go install of the temporal CLI failed" >&2; exit 1; }
  step "temporal built in $((SECONDS - started)) s: $TOOLS_BIN/temporal"
fi

# 3. TEMPORAL_PERSISTENCE=postgres: the Temporal server on the machine's PostgreSQL (its own script).
if [ "${TEMPORAL_PERSISTENCE:-sqlite}" = "postgres" ]; then
  bash scripts/setup-postgres-server.sh
fi

# 4. redis-server, for the Redis baseline (`npm run baseline`) and the tests that start their own.
if command -v redis-server >/dev/null 2>&1; then
  step "redis-server: $(command -v redis-server)"
else
  step "installing redis-server (apt-get)…"
  SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq redis-server
fi

# 5. For the tests only (`npm test` passes --tests): headless Chromium, which checks the Web UI.
if [ "${1:-}" = "--tests" ]; then
  if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    step "chromium: $(command -v chromium || command -v chromium-browser)"
  else
    step "installing chromium for the Web UI check (apt-get)…"
    SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium
  fi
fi
