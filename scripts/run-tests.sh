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
.venv/bin/python -m pytest -q -p no:cacheprovider tests/ui
echo "== interop tests (real Label Studio and doccano in their own cached virtualenvs, on 127.0.0.1)"
bash scripts/run-interop.sh
echo "== GUI tests under a real X server (Xvfb, xcb): file dialogs, a second process, geometry"
ANNOTATOR_TEST_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1000x24" \
  .venv/bin/python -m pytest -q -p no:cacheprovider tests/ui/test_write_safety.py \
  tests/ui/test_layout.py tests/ui/test_import.py
