"""Test set-up shared by core and UI tests: offscreen Qt, private settings, seeded randomness."""
from __future__ import annotations

import importlib.abc
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

# Before anything imports Qt: no display needed, and never the user's settings or config.
# ANNOTATOR_TEST_PLATFORM=xcb (under Xvfb) runs the GUI tests against a real X server instead.
os.environ["QT_QPA_PLATFORM"] = os.environ.get("ANNOTATOR_TEST_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="annotator-test-home-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ["ANNOTATOR_SETTINGS_DIR"] = os.path.join(_HOME, "settings")


class _BlockQt(importlib.abc.MetaPathFinder):
    """With ANNOTATOR_BLOCK_QT=1 (the core test run), importing Qt fails: the core must not need it."""

    BLOCKED = ("PySide6", "shiboken6", "pyqtgraph", "ui")

    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name.split(".")[0] in self.BLOCKED:
            raise ImportError(f"{name} is blocked in the core test run")
        return None


if os.environ.get("ANNOTATOR_BLOCK_QT") == "1":
    sys.meta_path.insert(0, _BlockQt())


@pytest.fixture(scope="session")
def seeds_project_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds imported once with NER (models load once per session); copy before changing."""
    from annotator import Project

    path = tmp_path_factory.mktemp("seeds") / "seeds.annot"
    with Project.open(path) as p:
        report = p.import_files([SEEDS])
    assert report.ok, report.issues
    return path


@pytest.fixture
def seeds_project(seeds_project_file: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A private, writable copy of the seeds project, opened."""
    from annotator import Project

    path = tmp_path / "seeds.annot"
    shutil.copy(seeds_project_file, path)
    with Project.open(path) as p:
        yield p
