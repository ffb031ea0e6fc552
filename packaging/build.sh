#!/usr/bin/env bash
# Builds the one-folder bundle into dist/annotator/ (run from anywhere): bash packaging/build.sh
# Uses the project's .venv (or $PYTHON); installs the pinned build tools from packaging/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  "$PY" -m pip install -r packaging/requirements.txt
fi
# Collecting submodules imports Qt modules in a child process: no display is needed or wanted.
export QT_QPA_PLATFORM=offscreen
DIST=${DIST:-dist}
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath "${WORK:-build/pyinstaller}" packaging/annotator.spec
echo "bundle: $DIST/annotator ($(du -sh "$DIST/annotator" | cut -f1))"
