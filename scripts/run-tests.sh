#!/usr/bin/env bash
# Installs everything plus the test tools, checks the core/UI import contract, runs all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --dev
.venv/bin/lint-imports --config pyproject.toml
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
