"""The one way to find shipped resources (codebooks, icons, stylesheets) on disk."""
from __future__ import annotations

import sys
from pathlib import Path

#: The top-level ``resources/`` folder, a sibling of the ``annotator`` package. The package runs from a
#: source checkout or an editable install, and the installer spec copies ``resources/`` alongside it.
ROOT: Path = Path(__file__).resolve().parent.parent / "resources"
if getattr(sys, "frozen", False):  # a PyInstaller build unpacks data under sys._MEIPASS
    ROOT = Path(getattr(sys, "_MEIPASS")) / "resources"


def path(relative: str) -> Path:
    """The absolute path of ``relative`` inside ``resources/``; raises FileNotFoundError if it is absent."""
    target = (ROOT / relative).resolve()
    # A relative path like "../annotator/x" would silently reach outside the data the installer ships.
    if target != ROOT and ROOT not in target.parents:
        raise ValueError(f"resource path {relative!r} leaves the resources folder {ROOT}")
    if not target.exists():
        raise FileNotFoundError(f"resource {relative!r} not found at {target}")
    return target


def sample_corpus() -> Path:
    """The sample corpus shipped with the app (``seeds/``: texts and their manifest)."""
    folder = ROOT.parent / "seeds"
    if not (folder / "manifest.json").is_file():
        raise FileNotFoundError(f"the sample corpus is not at {folder}")
    return folder
