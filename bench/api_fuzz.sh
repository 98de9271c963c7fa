#!/usr/bin/env bash
# Fuzz the organizations' API from its own OpenAPI document (/api/v1/openapi.json) with
# schemathesis, against a gateway started on the side (its own redis-server, a token with every
# scope, a few registrations), and print how many requests the gateway answered and how many
# were server errors (5xx), by status. The target is 0 server errors over 10,000 requests.
#
#   bench/api_fuzz.sh [REQUESTS]        (default 10000)
#
# schemathesis 4 needs Python 3.11 or newer (Rasa 3.6 runs on 3.10 only), so it runs from
# its own venv, var/fuzz-venv (Python 3.12, from pyenv or PATH), created here on first use;
# the project's pins are untouched. The gateway runs in the project's .venv. Runs at nice 10.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WANT="${1:-10000}"
SCHEMATHESIS_VERSION="4.32.5"
FUZZ_VENV="$ROOT/var/fuzz-venv"

find_python312() {
  local candidate root
  for candidate in "${FUZZ_PYTHON:-}" python3.12; do
    [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 && { command -v "$candidate"; return 0; }
  done
  root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
  for candidate in "$root"/versions/3.12*/bin/python3.12; do
    [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  return 1
}

if [ ! -x "$FUZZ_VENV/bin/schemathesis" ]; then
  python312="$(find_python312)" || { echo "error: Python 3.12 not found (set FUZZ_PYTHON)" >&2; exit 1; }
  echo "creating $FUZZ_VENV with $python312 (schemathesis $SCHEMATHESIS_VERSION)" >&2
  "$python312" -m venv "$FUZZ_VENV"
  "$FUZZ_VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

WORK="$(mktemp -d)"
free_port() { "$ROOT/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
REDIS_PORT="$(free_port)"
GATEWAY_PORT="$(free_port)"
REDIS_PID=""; GATEWAY_PID=""
cleanup() {
  [ -n "$GATEWAY_PID" ] && kill "$GATEWAY_PID" 2>/dev/null || true
  [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK" --save "" --appendonly no \
  >/dev/null 2>&1 &
REDIS_PID=$!
nice -n 10 "$ROOT/.venv/bin/python" bench/api_fuzz_gateway.py "redis://127.0.0.1:$REDIS_PORT/0" \
  "$GATEWAY_PORT" "$WORK" >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
for _ in $(seq 1 200); do [ -s "$WORK/token" ] && break; sleep 0.1; done
[ -s "$WORK/token" ] || { echo "error: the gateway did not start:" >&2; cat "$WORK/gateway.log" >&2; exit 1; }

BASE="http://127.0.0.1:$GATEWAY_PORT"
requests_so_far() {
  # The gateway's own count is read at the end; schemathesis' report says how far it got.
  cat "$WORK"/report-*.ndjson 2>/dev/null | grep -o '"status_code"' | wc -l
}
round=0
started=$(date +%s)
# 8 operations; each round asks for enough cases per operation, and rounds repeat with a new
# seed until the gateway has answered WANT requests.
while [ "$(requests_so_far)" -lt "$WANT" ]; do
  round=$((round + 1))
  nice -n 10 "$FUZZ_VENV/bin/schemathesis" run "$BASE/api/v1/openapi.json" \
    --url "$BASE/api/v1" -H "Authorization: Bearer $(cat "$WORK/token")" \
    --checks not_a_server_error --phases examples,coverage,fuzzing --mode all \
    --max-examples 1250 --seed "$round" --workers 2 --no-shrink --no-color \
    --generation-database none --continue-on-failure \
    --report ndjson --report-ndjson-path "$WORK/report-$round.ndjson" \
    >"$WORK/schemathesis-$round.log" 2>&1 || true
  tail -n 4 "$WORK/schemathesis-$round.log" | sed "s/^/[round $round] /"
  [ "$round" -ge 10 ] && break
done
kill -TERM "$GATEWAY_PID"; wait "$GATEWAY_PID" 2>/dev/null || true; GATEWAY_PID=""
elapsed=$(( $(date +%s) - started ))
"$ROOT/.venv/bin/python" - "$WORK/counts.json" "$elapsed" "$round" <<'EOF'
import json, sys
counts = json.load(open(sys.argv[1]))
print(f"schemathesis rounds: {sys.argv[3]}, {sys.argv[2]} s")
print(f"requests answered by the gateway: {counts['requests']}")
print(f"server errors (5xx): {counts['server_errors']}")
print("by status: " + ", ".join(f"{s}: {n}" for s, n in counts["by_status"].items()))
sys.exit(1 if counts["server_errors"] else 0)
EOF
