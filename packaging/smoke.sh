#!/usr/bin/env bash
# Builds the bundle (unless --no-build) and proves it works frozen, away from the source tree:
# a headless import of the bundled sample corpus with entity recognition (spaCy's English model
# and natasha's Russian data must be inside), screenshots in both themes at scale 1 and 2 on a
# 1600x1000 screen, and the figures: bundle size, start time.
#   bash packaging/smoke.sh [--no-build]     (OUT=folder for the PNGs, default dist/smoke)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIST=${DIST:-dist}
[ "${1:-}" = "--no-build" ] || bash packaging/build.sh
APP="$ROOT/$DIST/annotator/annotator"
[ "${DIST#/}" != "$DIST" ] && APP="$DIST/annotator/annotator"
OUT=${OUT:-$ROOT/dist/smoke}
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export ANNOTATOR_SETTINGS_DIR="$WORK/settings"  # never the user's settings
cd "$WORK"  # nothing may come from the source tree
unset PYTHONPATH

ms() { date +%s%N | cut -b1-13; }
t0=$(ms); "$APP" --help >/dev/null; t1=$(ms)
echo "start (--help, warm): $((t1 - t0)) ms"

SEEDS=$(dirname "$APP")/_internal/seeds
t0=$(ms)
"$APP" import "$WORK/sample.annot" "$SEEDS" --quiet
t1=$(ms)
echo "headless import of the bundled sample with NER: $((t1 - t0)) ms"
"$APP" stats "$WORK/sample.annot" --json > "$WORK/stats.json"
"$ROOT/.venv/bin/python" - "$WORK/stats.json" "$WORK/sample.annot" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))
assert stats["articles"] == 5 and stats["languages"] == {"en": 4, "ru": 1}, stats
assert stats["entities"] > 100, f"entity recognition did not run: {stats['entities']} entities"
PY
# Entities in the Russian article prove natasha (and its navec/slovnet data) came along.
"$ROOT/.venv/bin/python" -c "
import sys; sys.path.insert(0, '$ROOT')
from annotator import Project
with Project.open('$WORK/sample.annot') as p:
    ru = [a for a in p.articles() if a.lang == 'ru']
    n_ru = sum(len(p.mentions(a.id)) for a in ru)
    n_en = sum(len(p.mentions(a.id)) for a in p.articles() if a.lang == 'en')
    print(f'entities found by the frozen app: en {n_en} (spaCy), ru {n_ru} (natasha)')
    assert n_en > 50 and n_ru > 10
"
t0=$(ms)
"$APP" gui "$WORK/sample.annot" --screenshot "$OUT/main-light.png" --theme light --article 2 --sentence 3 2>/dev/null
t1=$(ms)
echo "frozen start to a rendered window (screenshot mode): $((t1 - t0)) ms"
"$APP" gui "$WORK/sample.annot" --screenshot "$OUT/main-dark.png" --theme dark --article 2 --sentence 3 2>/dev/null
QT_SCALE_FACTOR=2 "$APP" gui "$WORK/sample.annot" --screenshot "$OUT/main-dark-x2.png" --theme dark \
  --screen 1600x1000 --article 2 --sentence 3 2>/dev/null
QT_SCALE_FACTOR=2 "$APP" gui "$WORK/sample.annot" --screenshot "$OUT/main-light-x2.png" --theme light \
  --screen 1600x1000 --article 2 --sentence 3 2>/dev/null
ls -l "$OUT"/main-*.png | awk '{print "  " $5 " bytes  " $9}'
echo "bundle size: $(du -sh "$(dirname "$APP")" | cut -f1)"
echo "smoke run passed"
