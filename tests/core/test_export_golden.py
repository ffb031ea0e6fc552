"""The native jsonl export writes the same bytes as the golden files in tests/data/export_golden."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from annotator.export import export

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "export_golden"
sys.path.insert(0, str(GOLDEN))
from build import PROJECTS, VARIANTS  # noqa: E402


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Copies of the golden projects (opening may upgrade a file: the fixture stays as it is)."""
    folder = tmp_path_factory.mktemp("golden")
    for name in PROJECTS:
        shutil.copy(GOLDEN / f"{name}.annot", folder / f"{name}.annot")
    return folder


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("name", PROJECTS)
def test_jsonl_export_is_byte_identical_to_the_golden_file(projects: Path, tmp_path: Path,
                                                           name: str, variant: str) -> None:
    out = tmp_path / "out.jsonl"
    result = export(projects / f"{name}.annot", out, "jsonl", VARIANTS[variant])
    golden = (GOLDEN / "out" / f"{name}-{variant}.jsonl").read_bytes()
    assert result.rows == golden.count(b"\n")
    assert out.read_bytes() == golden
