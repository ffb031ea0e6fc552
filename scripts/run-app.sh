#!/usr/bin/env bash
# Installs everything, builds projects/seeds.annot from seeds/ (once) and starts the app on it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
mkdir -p projects
P=projects/seeds.annot
if [ ! -f "$P" ]; then
  .venv/bin/annotator import "$P" seeds/
fi
.venv/bin/annotator stats "$P"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: starting the app under xvfb-run (invisible). For a picture use:"
  echo "  .venv/bin/annotator gui $P --screenshot window.png"
  exec xvfb-run -a .venv/bin/annotator gui "$P" "$@"
fi
exec .venv/bin/annotator gui "$P" "$@"
