#!/usr/bin/env bash
# Makes `promtool` available for the alert-rule tests (test/observability/alert-rules.test.ts).
# Debian's `prometheus` package ships it; nothing else in the project needs Prometheus installed.
# Idempotent: prints the path of promtool and exits 0, or explains why it cannot.
set -euo pipefail

if command -v promtool >/dev/null 2>&1; then
  command -v promtool
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "[promtool] missing, and no apt-get here: install Prometheus's promtool (https://prometheus.io/download) and put it on PATH" >&2
  exit 1
fi
sudo_cmd=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "[promtool] missing; run as root or install the 'prometheus' package" >&2; exit 1; }
  sudo_cmd=(sudo -n)
fi
echo "[promtool] installing Debian's prometheus package (it ships promtool)…" >&2
export DEBIAN_FRONTEND=noninteractive
# The package's service is not wanted; only its promtool binary is.
if ! "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends prometheus >/dev/null 2>&1; then
  "${sudo_cmd[@]}" apt-get update -q >/dev/null 2>&1 || true
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends prometheus >&2
fi
command -v promtool
