"""The marker file inside every folder export, and the test of whether a folder is still ours."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

#: Written last into every folder export: which files it wrote (size and SHA-256 of each).
MARKER = ".annotator-export.json"
MARKER_VERSION = 1
_CHUNK = 1 << 20


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def write_marker(folder: Path, format: str) -> None:
    """List every file in ``folder`` in its marker. No time stamp: the same export gives the
    same bytes (the marker's own mtime says when)."""
    files = {_rel(p, folder): {"size": p.stat().st_size, "sha256": _sha256(p)}
             for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MARKER}
    data = {"annotator_export": MARKER_VERSION, "format": format, "files": files}
    (folder / MARKER).write_text(json.dumps(data, sort_keys=True, indent=1) + "\n",
                                 encoding="utf-8", newline="\n")


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker's content, or None when there is none (or it is not one of ours)."""
    path = folder / MARKER
    if path.is_symlink() or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("annotator_export") != MARKER_VERSION \
            or not isinstance(data.get("files"), dict):
        return None
    return data


def foreign_entries(folder: Path) -> list[str]:
    """What in ``folder`` an export did not write, relative to it (``"x (changed)"`` for a
    listed file edited since). Empty for an empty folder or one that is wholly ours."""
    entries = sorted(os.listdir(folder))
    if not entries:
        return []
    marker = read_marker(folder)
    if marker is None:
        return [e + "/" if (folder / e).is_dir() and not (folder / e).is_symlink() else e
                for e in entries]
    listed: dict[str, Any] = marker["files"]
    parents = {p for rel in listed for p in Path(rel).parents} - {Path(".")}
    sealed = (folder / MARKER).stat().st_mtime_ns
    foreign: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        for name in sorted(dirnames):
            path = here / name
            if path.is_symlink() or path.relative_to(folder) not in parents:
                foreign.append(_rel(path, folder) + "/")
        # os.walk does not enter symlinked folders; leave foreign folders out of the walk too.
        dirnames[:] = [d for d in dirnames if (here / d).relative_to(folder) in parents
                       and not (here / d).is_symlink()]
        for name in sorted(filenames):
            path = here / name
            rel = _rel(path, folder)
            if here == folder and name == MARKER:
                continue
            entry = listed.get(rel)
            if entry is None or path.is_symlink() or not path.is_file():
                foreign.append(rel)
            elif not _unchanged(path, entry, sealed):
                foreign.append(f"{rel} (changed since the export)")
    return foreign


def _unchanged(path: Path, entry: Any, sealed: int) -> bool:
    if not isinstance(entry, dict):
        return False
    st = path.stat()
    if st.st_size != entry.get("size"):
        return False
    # Untouched since the marker was written: no need to read it (copies are checked by content).
    return st.st_mtime_ns <= sealed or _sha256(path) == entry.get("sha256")
