#!/usr/bin/env bash
# Measures the durable write behind a 202 in the two intake designs considered, with the server's
# own C benchmark clients, so Node's cost is out of the figure (docs/front-door.md):
#   - Redis: src/intake/lua/accept-3.lua (status record + stream entry + count, one script) on a
#     redis-server with the AOF, appendfsync everysec (what `npm start` runs);
#   - PostgreSQL: the transactional outbox, the payment row and its outbox row in one transaction
#     (INSERT … ON CONFLICT DO NOTHING), at synchronous_commit on and off.
# Usage: bash scripts/measure-intake-stores.sh [payments=5000] [clients=64]
# Needs redis-server, redis-benchmark, psql and pgbench (Debian's redis-tools, postgresql-client)
# and a PostgreSQL at PGHOST (127.0.0.1) that lets PGUSER (postgres) create a database.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-5000}"
C="${2:-64}"
export PGHOST="${PGHOST:-127.0.0.1}" PGUSER="${PGUSER:-postgres}"
work="$(mktemp -d)"
port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
cleanup() {
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  psql -qAt -d postgres -c 'DROP DATABASE IF EXISTS intake_measure' >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

redis-server --port "$port" --bind 127.0.0.1 --dir "$work" --save '' --appendonly yes --appendfsync everysec --daemonize yes --logfile "$work/redis.log"
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
sha="$(redis-cli -p "$port" SCRIPT LOAD "$(cat src/intake/lua/accept-3.lua)")"
payload='{"requestId":"pay_x","request":{"orderId":"order-1","amount":15000,"currency":"KRW"},"enqueuedAt":"2026-12-01T00:00:00.000Z","fingerprint":"f"}'
echo "== Redis intake (accept-3.lua, AOF everysec): $N payments, $C clients"
redis-benchmark -p "$port" -n "$N" -c "$C" -r 100000000 -q --csv \
  EVALSHA "$sha" 3 "p:payment:__rand_int__" p:intake p:counts __rand_int__ f 2026-12-01T00:00:00.000Z "$payload" |
  sed "s/EVALSHA [^,]*,/accept-3.lua,/"
redis-cli -p "$port" HGET p:counts accepted | sed 's/^/   accepted (fewer when a random id repeats): /'

psql -qAt -d postgres -c 'DROP DATABASE IF EXISTS intake_measure' -c 'CREATE DATABASE intake_measure' >/dev/null
psql -qAt -d intake_measure <<'SQL' >/dev/null
CREATE TABLE payments (request_id text PRIMARY KEY, fingerprint text NOT NULL, status text NOT NULL,
  accepted_at timestamptz NOT NULL DEFAULT now(), body jsonb NOT NULL);
CREATE TABLE outbox (id bigserial PRIMARY KEY, request_id text NOT NULL, body jsonb NOT NULL);
SQL
cat >"$work/accept.sql" <<SQL
\\set id random(1, 100000000)
BEGIN;
WITH p AS (INSERT INTO payments (request_id, fingerprint, status, body) VALUES ('pay_' || :id, 'f', 'PENDING', '$payload') ON CONFLICT DO NOTHING RETURNING request_id)
INSERT INTO outbox (request_id, body) SELECT request_id, '$payload' FROM p;
COMMIT;
SQL
for mode in on off; do
  echo "== PostgreSQL outbox (synchronous_commit=$mode): $N payments, $C clients"
  PGOPTIONS="-c synchronous_commit=$mode" pgbench -n -d intake_measure -c "$C" -j 2 -t "$((N / C))" -f "$work/accept.sql" 2>&1 |
    grep -E 'latency average|tps =' | sed 's/^/   /'
done
