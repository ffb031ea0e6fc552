#!/usr/bin/env bash
# Installs the real annotation tools the interop tests run (Label Studio, doccano), each in its own
# virtualenv under a cache folder outside the repo, never into .venv. A stamp (hash of the pin
# file) skips pip when nothing changed. Usage: scripts/interop-install.sh [labelstudio] [doccano]
# Prints nothing but pip's errors; exit 1 when an install fails (the tests then skip that tool
# and say why). The cache folder: $ANNOTATOR_INTEROP_CACHE, else ~/.cache/annotator-interop.
set -uo pipefail
cd "$(dirname "$0")/.."
CACHE="${ANNOTATOR_INTEROP_CACHE:-$HOME/.cache/annotator-interop}"
mkdir -p "$CACHE"
PY=""
for cand in python3.11 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 10))'; then
    PY=$cand; break
  fi
done
[ -n "$PY" ] || { echo "Python 3.10+ is needed for the interop tools" >&2; exit 1; }
export PIP_DISABLE_PIP_VERSION_CHECK=1
status=0
tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(labelstudio doccano)
for tool in "${tools[@]}"; do
  req="tests/interop/requirements-$tool.txt"
  [ -f "$req" ] || { echo "unknown tool $tool" >&2; status=1; continue; }
  venv="$CACHE/$tool"
  stamp="$venv/.installed-$(sha256sum "$req" | cut -c1-16)"
  [ -f "$stamp" ] && continue
  rm -rf "$venv"
  log="$CACHE/$tool-install.log"
  if "$PY" -m venv "$venv" && "$venv/bin/python" -m pip install -q -r "$req" >"$log" 2>&1; then
    touch "$stamp"
  else
    echo "installing $tool failed; see $log" >&2
    tail -5 "$log" >&2
    status=1
  fi
done
exit $status
