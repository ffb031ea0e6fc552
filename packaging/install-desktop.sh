#!/usr/bin/env bash
# Installs the built bundle for the current user: the app under ~/.local/share/annotator, a
# launcher in ~/.local/bin, the menu entry, icons and the .annot file type. No root needed.
#   bash packaging/install-desktop.sh [BUNDLE]     (BUNDLE defaults to dist/annotator)
#   bash packaging/install-desktop.sh --uninstall
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
BIN=${ANNOTATOR_BIN_DIR:-$HOME/.local/bin}
APP="$DATA/annotator/app"
if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$APP" "$BIN/annotator" "$DATA/applications/annotator.desktop" \
         "$DATA/mime/packages/annotator.xml"
  find "$DATA/icons/hicolor" -name 'annotator.*' -delete 2>/dev/null || true
  echo "removed the app, launcher, menu entry, icons and file type (projects are kept)"
  exit 0
fi
BUNDLE=${1:-dist/annotator}
[ -x "$BUNDLE/annotator" ] || { echo "no bundle at $BUNDLE: run bash packaging/build.sh" >&2; exit 1; }
mkdir -p "$APP" "$BIN" "$DATA/applications" "$DATA/mime/packages"
rm -rf "$APP" && cp -a "$BUNDLE" "$APP"
ln -sf "$APP/annotator" "$BIN/annotator"
PY=${PYTHON:-.venv/bin/python}
"$PY" packaging/make_icons.py "$DATA/icons/hicolor"
# Exec with the full path: a menu does not always search ~/.local/bin.
sed -e "s|^Exec=annotator |Exec=$APP/annotator |" -e "s|^TryExec=annotator$|TryExec=$APP/annotator|" \
    resources/annotator.desktop > "$DATA/applications/annotator.desktop"
cp packaging/annotator-mime.xml "$DATA/mime/packages/annotator.xml"
command -v desktop-file-validate >/dev/null && desktop-file-validate "$DATA/applications/annotator.desktop" || true
command -v update-desktop-database >/dev/null && update-desktop-database -q "$DATA/applications" || true
command -v update-mime-database >/dev/null && update-mime-database "$DATA/mime" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$DATA/icons/hicolor" || true
echo "installed: $APP (menu: News Annotator; command: $BIN/annotator)"
