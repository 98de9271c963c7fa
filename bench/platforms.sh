#!/usr/bin/env bash
# Which CPU architectures each hashed lock installs on, as the images would install it: pip
# resolves every pinned file of requirements/{app,rasa}.txt for Linux on x86-64 and on aarch64,
# hashes required, without installing anything: a wheel for that platform, or a source archive
# (docopt has only that; pure Python, it builds anywhere). Prints one line per lock and platform:
# "installs" or the first package with no file for it.
#
#   bench/platforms.sh
#
# Needs PyPI (or the configured index). Each lock is checked with the pip of its own environment
# (.venv, .venv-rasa): pip judges a source archive's Python by the interpreter that runs it.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
for venv in .venv .venv-rasa; do
  [ -x "$venv/bin/python" ] || { echo "$venv is missing: ./hotline.sh test creates it"; exit 1; }
done

check() {
  local lock="$1" python="$2" arch="$3" out venv=.venv
  [ "$lock" = rasa ] && venv=.venv-rasa
  out="$("$venv/bin/python" -m pip install --dry-run --ignore-installed --quiet --target "$(mktemp -d)" \
    --no-deps --require-hashes --python-version "$python" \
    --platform "manylinux2014_$arch" --platform "manylinux_2_28_$arch" \
    --platform "linux_$arch" -r "requirements/$lock.txt" 2>&1)"
  if [ $? -eq 0 ]; then
    printf '%-10s linux/%-8s installs\n' "$lock" "$arch"
  else
    printf '%-10s linux/%-8s fails: %s\n' "$lock" "$arch" \
      "$(grep -m1 -o 'No matching distribution found for [^ ]*' <<<"$out" || echo "see pip")"
  fi
}

for arch in x86_64 aarch64; do
  check app 3.12 "$arch"
  check rasa 3.10 "$arch"
done
