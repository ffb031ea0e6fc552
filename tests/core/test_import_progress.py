"""Import progress informs: n of N files and articles, the current file, the rate; cancel keeps what is in."""
from __future__ import annotations

from pathlib import Path

from annotator import Project
from annotator.progress import Progress

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_import_says_which_file_of_how_many_and_how_many_articles(tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    with Project.open(tmp_path / "p.annot") as p:
        report = p.import_files([str(SEEDS)], ner=False,
                                progress=lambda d, t, m: seen.append((d, t, m)))
    assert report.articles_added == 5
    messages = [m for _, _, m in seen]
    assert messages[0] == "5 files to read"
    for i in range(1, 6):
        assert any(m.startswith(f"file {i} of 5: ") for m in messages), messages
    assert "5 articles read" in messages[-1]
    assert seen[-1][0] == seen[-1][1]  # all of it, at the end
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)  # never goes back


def test_cancel_at_a_file_boundary_keeps_what_was_committed(tmp_path: Path) -> None:
    progress = Progress()

    def stop_at_third(done: int, total: int, message: str) -> None:
        if message.startswith("file 3 of"):
            progress.cancel()

    progress.callback = stop_at_third
    with Project.open(tmp_path / "p.annot") as p:
        report = p.import_files([str(SEEDS)], ner=False, progress=progress)
        assert report.cancelled
        # the report counts exactly what went into the file: nothing half-imported, nothing lost
        assert report.articles_added == len(p.articles())
