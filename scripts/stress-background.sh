#!/usr/bin/env bash
# The long loop for the background-job stress test: N fresh processes offscreen, then N under Xvfb,
# each running scripts/stress_background.py (import, export and merge through the window's worker).
# Stops at the first failure. Usage: scripts/stress-background.sh [N=100] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100}; rounds=${2:-3}
for platform in offscreen xcb; do
  for i in $(seq 1 "$n"); do
    if [ "$platform" = xcb ]; then
      QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1000x24" \
        .venv/bin/python scripts/stress_background.py --rounds "$rounds" >/tmp/stress-$$.log 2>&1 || {
        echo "FAILED: $platform run $i"; cat /tmp/stress-$$.log; exit 1; }
    else
      QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/stress_background.py --rounds "$rounds" \
        >/tmp/stress-$$.log 2>&1 || { echo "FAILED: $platform run $i"; cat /tmp/stress-$$.log; exit 1; }
    fi
  done
  echo "$platform: $n runs in a row, $rounds rounds each: ok"
done
rm -f /tmp/stress-$$.log
