"""Stress the window's background jobs: import, export and merge through the one worker helper.

    python scripts/stress_background.py [--rounds N] [--articles K]

Runs N rounds in this process, each importing K fresh small articles with ``MainWindow.import_files``,
exporting them with the Export dialog and merging a second annotator's file with
``MainWindow.merge_files``, the event loop running until each job's signal arrives, as a user's session
would. It prints ``ok N rounds`` and exits 0 only when every job finished and the refcounts of
``True``, ``False`` and ``None`` did not sink (a binding that drops references to them aborts the
interpreter sooner or later: PySide6 6.12.0 on Python 3.11 did, once per ``Signal.emit``). Any abort
(``Fatal Python error``) kills the process: the caller sees the exit status and faulthandler's stack.

The platform is the caller's (``QT_QPA_PLATFORM=offscreen``, or ``xcb`` under Xvfb). The tests run it
in fresh processes; ``scripts/stress-background.sh`` runs the long loop.
"""
from __future__ import annotations

import argparse
import faulthandler
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_corpus(folder: Path, round_no: int, n: int) -> Path:
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"r{round_no:03d}_{i:03d}.txt").write_text(
            f"Report {round_no}-{i} from the capital\n\nThe delegation of round {round_no} met on"
            f" day {i} to discuss trade and energy. Officials said talks {i * 7} went well.\n",
            encoding="utf-8")
    return folder


def immortal_refs() -> tuple[int, int, int]:
    return sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--articles", type=int, default=40)
    args = parser.parse_args(argv)
    faulthandler.enable()
    home = Path(tempfile.mkdtemp(prefix="annotator-stress-"))
    os.environ.setdefault("ANNOTATOR_SETTINGS_DIR", str(home / "settings"))

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from annotator import Project
    from ui.main_window import MainWindow
    from ui.settings import open_settings

    app = QApplication.instance() or QApplication([])
    project = home / "stress.annot"
    other = home / "other.annot"
    window = MainWindow(open_settings(), "alice", restore_layout=False)
    window.persist_layout = False
    if not window.open_project(project):
        print("could not open the project", file=sys.stderr)
        return 2
    window.show()

    def wait(signal, start) -> object:  # type: ignore[no-untyped-def]
        """Start a job and run the event loop until ``signal`` arrives (at most 120 s)."""
        loop = QEventLoop()
        got: list[object] = []

        def finished(*values: object) -> None:
            got.append(values[0] if values else None)
            loop.quit()

        signal.connect(finished)
        QTimer.singleShot(120_000, loop.quit)
        if start() is None:
            raise RuntimeError("the job did not start")
        loop.exec()
        signal.disconnect(finished)
        if not got:
            raise RuntimeError("the job did not finish within 120 s")
        return got[0]

    before = None
    for r in range(args.rounds):
        corpus = make_corpus(home / f"corpus{r}", r, args.articles)
        report = wait(window.import_finished, lambda: window.import_files([str(corpus)], ner=False))
        if report is None or report.articles_added != args.articles:
            print(f"round {r}: import reported {report!r}", file=sys.stderr)
            return 1
        if window.report_dialog is not None:
            window.report_dialog.close()

        dialog = window.open_export_dialog()
        assert dialog is not None
        dialog.format.setCurrentIndex(dialog.format.findData("jsonl"))
        dialog.include_unlabelled.setChecked(True)
        dialog.out.setText(str(home / f"export{r}.jsonl"))
        result = wait(dialog.export_finished, dialog.start_export)
        if result is None or result.cancelled:
            print(f"round {r}: export gave {result!r}", file=sys.stderr)
            return 1
        dialog.close()

        with Project.open(other) as p:  # bob's file: the same articles, one more label a round
            p.import_files([str(corpus)], ner=False)
            sentence = next(s for a in p.articles()[-1:] for s in p.sentences(a.id) if not s.boilerplate)
            p.set_label(sentence.id, f"bob{r}", frames=["economic"])
        outcomes = wait(window.merge_finished, lambda: window.merge_files([str(other)]))
        if not outcomes or outcomes[0].report is None:
            print(f"round {r}: merge gave {outcomes!r}", file=sys.stderr)
            return 1
        if window.merge_report_dialog is not None:
            window.merge_report_dialog.close()
        app.processEvents()
        if r == 0:
            before = immortal_refs()  # after the first round: every cache is warm by now
    after = immortal_refs()
    window.close()
    if before is not None:
        sunk = [name for name, b, a in zip(("True", "False", "None"), before, after) if a < b - 200]
        if sunk:
            print(f"references to {', '.join(sunk)} sank: {before} -> {after}", file=sys.stderr)
            return 1
    shutil.rmtree(home, ignore_errors=True)
    print(f"ok {args.rounds} rounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
