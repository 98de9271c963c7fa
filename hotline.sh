#!/usr/bin/env bash
# The hotline's two commands, and a few more:
#   ./hotline.sh run     install what is missing, train if the data changed, start every service
#   ./hotline.sh test    install what is missing (test extras too), lint, run every test lane
#   ./hotline.sh test --fast   lint, then the unit lane and doctests: no stack, no Rasa checks,
#                        no training, no browser; extra arguments go to pytest
#   ./hotline.sh chat    talk to the running hotline as an SMS or WhatsApp sender would
#   ./hotline.sh setup   install what is missing, start nothing
#   ./hotline.sh lock [--upgrade]   the hashed locks requirements/*.txt from requirements/*.in
#   ./hotline.sh serve NAME   one service alone, configured by the environment: gateway, worker,
#                        sweeper, actions, rasa or sandbox (how deploy/ runs them)
#   ./hotline.sh train | eval [--cv 5] | status | corrections | content report | token | broadcast | operator | keys | redis backup  (see README)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Two environments (README, "Two environments"): Rasa 3.6 pins Python 3.10 and old libraries, so
# the Rasa server, the action server and training run in .venv-rasa; the gateway, workers,
# sweeper, sandbox, CLI and the tests' driver run in .venv on Python 3.12 with current libraries.
VENV="$ROOT/.venv"
RASA_VENV="$ROOT/.venv-rasa"
APP_PYTHON_VERSION=3.12
RASA_PYTHON_VERSION=3.10
cd "$ROOT"

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

find_python() {
  # $1: the version wanted (3.10 for Rasa, 3.12 for the rest); $2: a path the user set for it.
  local want="$1" candidate root
  for candidate in "${2:-}" "python$want"; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import sys; assert '%d.%d' % sys.version_info[:2] == '$want'" 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  # pyenv ships these versions without making them the global one: ask it directly.
  root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
  for candidate in "$root"/versions/"$want".*/bin/python"$want"; do
    if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  for candidate in /usr/bin/python"$want" /usr/local/bin/python"$want"; do
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

ensure_env() {
  # $1: app or rasa; $2: runtime or test (test = runtime + test tools, from its own lock).
  # Installs the environment's hashed lock exactly (--require-hashes --no-deps: every package,
  # pip's build tools included, is in the lock), and only when a lock changed since the last
  # install (the stamp holds the locks' hash and which of the two was installed).
  local env="$1" purpose="$2" venv version python override lock stamp want have
  if [ "$env" = rasa ]; then
    venv="$RASA_VENV"; version="$RASA_PYTHON_VERSION"; override="${HOTLINE_RASA_PYTHON:-${HOTLINE_PYTHON:-}}"
  else
    venv="$VENV"; version="$APP_PYTHON_VERSION"; override="${HOTLINE_APP_PYTHON:-}"
  fi
  python="$(find_python "$version" "$override")" || die "Python $version was not found (the $env environment needs exactly $version): install it (e.g. 'pyenv install $version') or set $( [ "$env" = rasa ] && echo HOTLINE_RASA_PYTHON || echo HOTLINE_APP_PYTHON)=/path/to/python$version."
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import sys; assert '%d.%d' % sys.version_info[:2] == '$version'" 2>/dev/null; then
    say "creating $(basename "$venv") with $python"
    rm -rf "$venv"
    "$python" -m venv "$venv"
  fi
  want="$(cat "requirements/$env.txt" "requirements/$env-test.txt" | sha256sum | cut -c1-16)"
  stamp="$venv/.installed"
  have="$(cat "$stamp" 2>/dev/null || true)"
  # A test install holds everything a runtime install does.
  if [ "$have" = "test $want" ] || [ "$have" = "$purpose $want" ]; then return 0; fi
  lock="requirements/$env.txt"
  [ "$purpose" = test ] && lock="requirements/$env-test.txt"
  say "installing the $env environment (Python $version): $(grep -c '==' "$lock") packages locked with hashes in $lock"
  [ "$env" = rasa ] && say "(about 1.5 GB the first time, Rasa and TensorFlow included: several minutes; pip lists each)"
  # One line per package as pip gets to it (pip's own exit status decides, not the filter's).
  "$venv/bin/python" -m pip install --require-hashes --no-deps -r "$lock" \
    > >(grep --line-buffered -E '^(Collecting|Installing|Successfully)' >&2 || true)
  # The checkout on the environment's path, as an editable install would put it, with nothing
  # to build: the services run from this directory.
  "$venv/bin/python" -c 'import pathlib, sys, sysconfig; pathlib.Path(sysconfig.get_paths()["purelib"], "mpp_hotline.pth").write_text(sys.argv[1] + "\n")' "$ROOT"
  "$venv/bin/python" -m pip check
  echo "$purpose $want" > "$stamp"
}

ensure_venv() {
  # $1: runtime or test. Both environments: the development stack runs services from each.
  ensure_env app "${1:-runtime}"
  ensure_env rasa "${1:-runtime}"
}

lock() {
  # The hashed locks from the hand-written requirements/*.in, one per environment and purpose,
  # resolved for that environment's Python on x86-64 Linux (TensorFlow 2.12's only wheels here).
  # uv keeps the versions already locked unless told --upgrade. Commit the .in and .txt files.
  local tools="$ROOT/.venv-tools" python name version
  python="$(find_python "$APP_PYTHON_VERSION" "${HOTLINE_APP_PYTHON:-}")" || die "Python $APP_PYTHON_VERSION was not found"
  if [ ! -x "$tools/bin/uv" ]; then
    "$python" -m venv "$tools"
    "$tools/bin/python" -m pip install -q --require-hashes --no-deps -r requirements/tools.txt
  fi
  for name in tools app app-test rasa rasa-test; do
    version="$APP_PYTHON_VERSION"
    case "$name" in rasa*) version="$RASA_PYTHON_VERSION" ;; esac
    say "locking requirements/$name.txt (Python $version)"
    "$tools/bin/uv" pip compile --quiet --generate-hashes --python-version "$version" \
      --python-platform x86_64-unknown-linux-gnu --custom-compile-command "./hotline.sh lock" \
      "$@" "requirements/$name.in" -o "requirements/$name.txt"
  done
}

cmd="${1:-help}"
[ $# -gt 0 ] && shift
case "$cmd" in
  run)
    ensure_redis
    ensure_venv runtime
    exec "$VENV/bin/python" -m hotline.ops.stack "$@"
    ;;
  test)
    fast=""
    if [ "${1:-}" = "--fast" ]; then fast=1; shift; fi
    ensure_redis
    [ -n "$fast" ] || ensure_browser
    [ -n "$fast" ] || ensure_netns_tools
    ensure_venv test
    # Lint first: a finding stops the run before any test.
    "$VENV/bin/ruff" check hotline webhooks actions sandbox rasa_ext bench tests conftest.py
    # Each test runs in the environment of the code it tests: conftest.py keeps what needs
    # Rasa or rasa_sdk (RASA_ENV_TESTS) to .venv-rasa and everything else to .venv, so each lane
    # runs pytest once per environment. Lanes: tests/unit plus the doctests of pytest's
    # testpaths; tests/stack is marked `stack` and tests/rasa `rasa` (tests/conftest.py).
    lane() {
      # Arguments that name tests of one environment only leave the other with none (exit 5).
      local rc=0
      "$@" || rc=$?
      if [ "$rc" = 5 ] && [ -n "$asked" ]; then rc=0; fi
      [ "$rc" = 0 ] || exit "$rc"
    }
    asked="${*:-}"
    # Two processes, each with its own Redis.
    unit=(-m pytest -m "not stack and not rasa" -n 2)
    if [ -n "$fast" ]; then
      lane "$VENV/bin/python" "${unit[@]}" "$@"
      lane "$RASA_VENV/bin/python" "${unit[@]}" "$@"
      exit 0
    fi
    if [ $# -gt 0 ]; then
      # Arguments name what to run (paths, -k, -m): in each environment, one process, as asked.
      "$VENV/bin/python" -m hotline.ops.training
      lane "$VENV/bin/python" -m pytest "$@"
      lane "$RASA_VENV/bin/python" -m pytest "$@"
      exit 0
    fi
    lane "$VENV/bin/python" "${unit[@]}"
    lane "$RASA_VENV/bin/python" "${unit[@]}"
    # The slow lanes share one trained model (trained by the Rasa environment's rasa).
    "$VENV/bin/python" -m hotline.ops.training
    lane "$RASA_VENV/bin/python" -m pytest -m rasa
    # The running stack: driven from .venv, each service started in its own environment.
    exec "$VENV/bin/python" -m pytest -m stack
    ;;
  setup)
    ensure_redis
    ensure_venv runtime
    ;;
  lock)
    lock "$@"
    ;;
  serve)
    ensure_venv runtime
    # The Rasa server and the action server run in the Rasa environment (hotline.ops.environments).
    case "${1:-}" in
      rasa|actions) exec "$RASA_VENV/bin/python" -m hotline.ops.serve "$@" ;;
      *) exec "$VENV/bin/python" -m hotline.ops.serve "$@" ;;
    esac
    ;;
  chat|train|eval|status|corrections|content|token|broadcast|operator|keys|redis|nlu)
    ensure_venv runtime
    # eval scores the model through Rasa (rasa_ext.nlu): the Rasa environment.
    python="$VENV/bin/python"
    [ "$cmd" = eval ] && python="$RASA_VENV/bin/python"
    exec "$python" -m hotline.ops.cli "$cmd" "$@"
    ;;
  help|-h|--help)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    die "unknown command '$cmd' (try: ./hotline.sh help)"
    ;;
esac
