#!/usr/bin/env bash
# Installs everything plus the test tools, checks the core/UI import contract, then runs the
# core tests with Qt blocked (the core must not need it) and the UI tests offscreen.
# With arguments, runs just `pytest ARGS`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --dev
if [ $# -gt 0 ]; then
  exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
fi
echo "== import contract (annotator/ never imports Qt or ui/)"
.venv/bin/lint-imports --config pyproject.toml
echo "== core tests, with PySide6/pyqtgraph/ui blocked"
ANNOTATOR_BLOCK_QT=1 .venv/bin/python -m pytest -q -p no:cacheprovider -p no:pytest-qt tests/core
echo "== UI tests (offscreen)"
exec .venv/bin/python -m pytest -q -p no:cacheprovider tests/ui
