#!/usr/bin/env bash
# The hotline's two commands, and a few more:
#   ./hotline.sh run     install what is missing, train if the data changed, start every service
#   ./hotline.sh test    install what is missing (test extras too), lint, run every test lane
#   ./hotline.sh test --fast   lint, then the unit lane and doctests: no stack, no Rasa checks,
#                        no training, no browser; extra arguments go to pytest
#   ./hotline.sh chat    talk to the running hotline as an SMS or WhatsApp sender would
#   ./hotline.sh setup   install what is missing, start nothing
#   ./hotline.sh serve NAME   one service alone, configured by the environment: gateway, worker,
#                        sweeper, actions, rasa or sandbox (how deploy/ runs them)
#   ./hotline.sh train | eval [--cv 5] | status | corrections | content report | token | broadcast | operator | keys | redis backup  (see README)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$ROOT/.venv"
cd "$ROOT"

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

find_python() {
  # Rasa 3.6 runs on Python 3.10 and nothing newer.
  local candidate
  for candidate in "${HOTLINE_PYTHON:-}" python3.10; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  # pyenv ships 3.10 without making it the global version: ask it directly.
  local root
  root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
  for candidate in "$root"/versions/3.10*/bin/python3.10; do
    if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  for candidate in /usr/bin/python3.10 /usr/local/bin/python3.10; do
    if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $* (install it yourself, or run as root)"; fi
}

APT_UPDATED=""
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "cannot install $* here: no apt-get; install it yourself"
  if [ -z "$APT_UPDATED" ]; then
    say "updating the package lists..."
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  say "installing $*..."
  # The Debian package would start a system redis on 6379; we run our own on loopback.
  as_root env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_redis() {
  if [ -z "${REDIS_URL:-}" ] && ! command -v redis-server >/dev/null 2>&1; then
    apt_install redis-server
  fi
}

ensure_browser() {
  # The operators' console is tested in a real headless Chromium (Debian's packages).
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    apt_install chromium chromium-driver
  fi
}

ensure_netns_tools() {
  # The scale-out test runs hosts in network namespaces (iproute2's `ip netns`, as root).
  if [ "$(id -u)" = 0 ] && ! command -v ip >/dev/null 2>&1; then
    apt_install iproute2
  fi
}

ensure_venv() {
  local python stamp want
  python="$(find_python)" || die "Python 3.10 was not found. Rasa 3.6 needs exactly 3.10: install it (e.g. 'pyenv install 3.10.13') or set HOTLINE_PYTHON=/path/to/python3.10."
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    say "creating .venv with $python"
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
  fi
  # requirements.lock pins everything, the test tools included, so run and test share one venv.
  want="$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)"
  stamp="$VENV/.installed"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing $(grep -c '==' requirements.lock) Python packages pinned by requirements.lock"
    say "(about 1.5 GB the first time, Rasa and TensorFlow included: several minutes; pip lists each)"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    # One line per package as pip gets to it (pip's own exit status decides, not the filter's).
    "$VENV/bin/python" -m pip install -r requirements.lock \
      > >(grep --line-buffered -E '^(Collecting|Installing|Successfully)' >&2 || true)
    "$VENV/bin/python" -m pip install -q --no-deps -e .
    "$VENV/bin/python" -m pip check
    echo "$want" > "$stamp"
  fi
}

cmd="${1:-help}"
[ $# -gt 0 ] && shift
case "$cmd" in
  run)
    ensure_redis
    ensure_venv
    exec "$VENV/bin/python" -m hotline.ops.stack "$@"
    ;;
  test)
    fast=""
    if [ "${1:-}" = "--fast" ]; then fast=1; shift; fi
    ensure_redis
    [ -n "$fast" ] || ensure_browser
    [ -n "$fast" ] || ensure_netns_tools
    ensure_venv
    # Lint first: a finding stops the run before any test.
    "$VENV/bin/ruff" check hotline webhooks actions sandbox rasa_ext bench tests
    # The unit lane: tests/unit plus the doctests of pytest's testpaths; tests/stack is marked
    # `stack` and tests/rasa `rasa` (tests/conftest.py). Two processes, each with its own Redis.
    unit=("$VENV/bin/python" -m pytest -m "not stack and not rasa" -n 2)
    if [ -n "$fast" ]; then exec "${unit[@]}" "$@"; fi
    if [ $# -gt 0 ]; then
      # Arguments name what to run (paths, -k, -m): one pytest run, in one process, as asked.
      "$VENV/bin/python" -m hotline.ops.training
      exec "$VENV/bin/python" -m pytest "$@"
    fi
    "${unit[@]}"
    # The slow lanes share one trained model and one running stack: one process.
    "$VENV/bin/python" -m hotline.ops.training
    exec "$VENV/bin/python" -m pytest -m "stack or rasa"
    ;;
  setup)
    ensure_redis
    ensure_venv
    ;;
  serve)
    ensure_venv
    exec "$VENV/bin/python" -m hotline.ops.serve "$@"
    ;;
  chat|train|eval|status|corrections|content|token|broadcast|operator|keys|redis|nlu)
    ensure_venv
    exec "$VENV/bin/python" -m hotline.ops.cli "$cmd" "$@"
    ;;
  help|-h|--help)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    die "unknown command '$cmd' (try: ./hotline.sh help)"
    ;;
esac
