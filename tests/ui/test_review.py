"""The Review window: keyboard adjudication stores gold labels that export; the charts render."""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from annotator import Project
from annotator.model import GOLD_ANNOTATOR, STANCE_VALUES, Label
from ui.review import ReviewWindow, open_review_window
from ui.review.adjudicate import same_decision

ANNOTATORS = {"alice": (1.0, 0.08), "bob": (0.85, 0.15), "carol": (0.7, 0.3)}  # coverage, noise
#: Outlet leanings: mean stance (−1..1) toward some targets and favourite frames.
LEANING = {
    "TASS": ({"Russia": 0.8, "United States": -0.6}, ["economic", "external_regulation", "political"]),
    "EFE": ({"United States": 0.5, "Kazakhstan": 0.6}, ["security_defense", "political"]),
    "TDI": ({"Kazakhstan": 0.7, "Blinken": 0.3}, ["political", "economic"]),
    "KazTAG": ({"Kazakhstan": 0.5, "Russia": -0.2}, ["external_regulation", "economic"]),
}


def simulate_annotators(project: Project, seed: int = 7) -> None:
    """Three annotators with known reliability label the seeds over ten days (for tests and demos)."""
    rng = random.Random(seed)
    names = {t.id: t.name for t in project.targets()}
    frames = project.codebook.frame_ids
    start = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    clocks = {a: start + timedelta(hours=rng.uniform(0, 30)) for a in ANNOTATORS}
    for article in project.articles():
        lean, favourite = LEANING.get(article.outlet or "", ({}, ["political", "other"]))
        for s in project.sentences(article.id):
            if s.boilerplate:
                continue
            targets = list(dict.fromkeys(m.target_id for m in s.mentions if m.target_id))
            irrelevant = not targets and rng.random() < 0.4
            stance: dict[int, str] = {}
            chosen: list[str] = []
            if not irrelevant:
                for t in targets:
                    if rng.random() < 0.6:
                        mean = lean.get(names.get(t, ""), 0.0)
                        x = mean + rng.gauss(0, 0.6)
                        stance[t] = "AGAINST" if x < -0.35 else "FAVOR" if x > 0.35 else "NEUTRAL"
                chosen = [rng.choice(favourite)] + ([rng.choice(frames)] if rng.random() < 0.3 else [])
            for name, (coverage, noise) in ANNOTATORS.items():
                if rng.random() > coverage:
                    continue
                mine = dict(stance)
                for t in list(mine):
                    if rng.random() < noise:  # one step along the scale, or no stance at all
                        i = STANCE_VALUES.index(mine[t]) + rng.choice((-1, 1))
                        if 0 <= i < len(STANCE_VALUES):
                            mine[t] = STANCE_VALUES[i]
                        else:
                            del mine[t]
                mine_frames = [f for f in chosen if rng.random() > noise / 2]
                if rng.random() < noise:
                    mine_frames.append(rng.choice(frames))
                flip = rng.random() < noise / 3
                clocks[name] += timedelta(minutes=rng.expovariate(1 / 6))
                if clocks[name].hour >= 18:  # the working day ends; on to the next morning
                    clocks[name] = (clocks[name] + timedelta(days=1)).replace(hour=9)
                stamp = clocks[name].isoformat(timespec="milliseconds")
                label = Label(s.id, name, mine, list(dict.fromkeys(mine_frames)), irrelevant != flip,
                              created=stamp, updated=stamp)
                aid = project.store.annotator_id(name, create=True)
                assert aid is not None
                project.store.apply(name, "label", project.store.label_changes(label, aid))


@pytest.fixture
def review(qtbot, project_path: Path) -> Iterator[ReviewWindow]:  # type: ignore[no-untyped-def]
    with Project.open(project_path) as p:
        simulate_annotators(p)
    w = open_review_window(None, str(project_path), "rev")
    assert isinstance(w, ReviewWindow)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.computed, timeout=60000):
        pass
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.adjudicate.focus_queue()
    yield w
    if shiboken6.isValid(w) and w.isVisible():  # closing deletes it (WA_DeleteOnClose)
        w.close()


def test_keyboard_adjudication_stores_gold_that_exports(  # type: ignore[no-untyped-def]
        qtbot, review: ReviewWindow, tmp_path: Path) -> None:
    view = review.adjudicate
    queue = view.queue
    assert view.model.filter == "Disagreements" and view.model.rowCount() > 5
    names = view.annotators()
    assert names == ["alice", "bob", "carol"]
    decided: dict[int, Label] = {}
    for _ in range(3):
        item = view.current_item()
        assert item is not None and item.disagreement
        n = next(i for i, a in enumerate(names, 1) if a in item.labels and a != "alice") \
            if len(item.labels) > 1 else 1
        qtbot.keyClick(queue, str(n))
        assert item.gold is not None and same_decision(item.gold, item.labels[names[n - 1]])
        decided[item.sentence_id] = item.labels[names[n - 1]]
        qtbot.keyClick(queue, Qt.Key.Key_Return)
    # A rationale typed in the field: digits are text there, not "accept" keys.
    item = view.current_item()
    assert item is not None
    qtbot.keyClick(queue, "r")
    assert view.rationale.hasFocus()
    qtbot.keyClicks(view.rationale, "see 2 sources")
    assert item.gold is None
    view.focus_queue()
    qtbot.keyClick(queue, "1")
    assert item.gold is not None and item.gold.note == "see 2 sources"
    decided[item.sentence_id] = item.labels["alice"]

    # "g" edits the gold by hand: tick "Other" on top of the proposal.
    qtbot.keyClick(queue, "j")
    item = view.current_item()
    assert item is not None

    def fill() -> None:
        dialog = view.gold_dialog
        assert dialog is not None
        dialog.frames["other"].setChecked(True)
        dialog.rationale.setText("edited")
        dialog.accept()

    QTimer.singleShot(0, fill)
    qtbot.keyClick(queue, "g")
    assert item.gold is not None and "other" in item.gold.frames and item.gold.note == "edited"
    qtbot.waitUntil(review.isActiveWindow)  # activation comes back asynchronously
    assert queue.hasFocus()

    # k goes back; Delete removes that gold; Ctrl+Z brings it back.
    qtbot.keyClick(queue, "k")
    back = view.current_item()
    assert back is not None and back.sentence_id in decided
    qtbot.keyClick(queue, Qt.Key.Key_Delete)
    assert back.gold is None
    qtbot.keyClick(queue, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert back.gold is not None

    with Project.open(review.project.path) as p:
        gold = {lab.sentence_id: lab for lab in p.labels(annotator=GOLD_ANNOTATOR)}
    assert set(gold) == set(decided) | {item.sentence_id}
    for sid, source in decided.items():
        assert gold[sid].decided_by == "rev" and same_decision(gold[sid], source)
        assert gold[sid].updated is not None

    from annotator.export import ExportOptions, export

    out = tmp_path / "gold.jsonl"
    export(review.project.path, out, "jsonl", ExportOptions(labels="gold"))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(gold)
    assert all(r["label"]["source"] == GOLD_ANNOTATOR and r["label"]["decided_by"] == "rev"
               for r in rows)

    # The undecided filter leaves the decided sentences out.
    view.set_filter("Undecided")
    assert all(not it.decided for it in view.model.rows)


def test_report_and_every_chart_render_and_export(  # type: ignore[no-untyped-def]
        qtbot, review: ReviewWindow, tmp_path: Path) -> None:
    report = review.result.report if review.result else None
    assert report is not None and report.units > 20
    assert "Agreement between alice, bob, carol" in review.report_text.toPlainText()
    assert report.field("stance").alpha.ci is not None  # bootstrap ran in the background
    review.tabs.setCurrentIndex(2)
    for name, panel in review.chart_panels().items():
        review.charts.setCurrentWidget(panel)
        QApplication.processEvents()
        assert not panel.message.isVisible(), (name, panel.message.text())
        png = panel.export_png(tmp_path / f"{name}.png")
        assert png.stat().st_size > 5000
    # Another pair, other labels: computed in the background ("Computing…" meanwhile).
    review.confusion_chart.second.setCurrentText("carol")
    assert "confusion" in review.chart_tasks
    qtbot.waitUntil(lambda: not review.chart_tasks, timeout=30000)
    assert review.result is not None and review.result.confusion is not None
    assert (review.result.confusion.a, review.result.confusion.b) == ("alice", "carol")
    assert not review.confusion_chart.message.isVisible()
    review.outlet_chart.source.setCurrentText(GOLD_ANNOTATOR)
    assert review.outlet_chart.message.text() == "Computing…"
    qtbot.waitUntil(lambda: not review.chart_tasks, timeout=30000)
    assert review.outlet_chart.message.isVisible()  # no gold yet: says so instead of an empty plot
    assert "No labels from gold" in review.outlet_chart.message.text()
    review.outlet_chart.source.setCurrentText("bob")
    qtbot.waitUntil(lambda: not review.chart_tasks, timeout=30000)
    assert not review.outlet_chart.message.isVisible()


def test_recompute_can_be_cancelled_and_reviewer_is_required(  # type: ignore[no-untyped-def]
        qtbot, review: ReviewWindow, project_path: Path) -> None:
    review.bootstrap.setValue(20000)
    review.recompute()
    review.cancel()
    qtbot.waitUntil(lambda: review.task is None, timeout=30000)
    with pytest.raises(ValueError):
        ReviewWindow(str(project_path), " ")


def test_the_window_reads_in_the_background(  # type: ignore[no-untyped-def]
        qtbot, project_path: Path) -> None:
    """Opening reads nothing on the GUI thread (tens of seconds on a big project): the queue
    says it is reading, then fills; the gold outlets chart reads the gold decided since."""
    with Project.open(project_path) as p:
        simulate_annotators(p)
    w = open_review_window(None, str(project_path), "rev")
    assert isinstance(w, ReviewWindow)
    qtbot.addWidget(w)
    assert w.adjudicate.data is None and w.task is not None
    assert "Reading the labels" in w.adjudicate.heading.text()
    # The queue comes first (the report and charts are computed after it, in the same job).
    with qtbot.waitSignal(w.queue_loaded, timeout=60000):
        pass
    assert w.adjudicate.data is not None and w.result is None
    with qtbot.waitSignal(w.computed, timeout=60000):
        pass
    view = w.adjudicate
    assert view.data is w.result.data and view.model.rowCount() > 5
    item = view.current_item()
    assert item is not None and "Reading" not in view.heading.text()
    view.accept_annotator(1)
    assert item.gold is not None
    # A recompute (the gold changed) keeps the queue the reviewer is working through.
    w.recompute()
    with qtbot.waitSignal(w.computed, timeout=60000):
        pass
    assert view.current_item() is item and w.result.data is not view.data
    w.outlet_chart.source.setCurrentText(GOLD_ANNOTATOR)
    qtbot.waitUntil(lambda: not w.chart_tasks, timeout=30000)
    assert not w.outlet_chart.message.isVisible()  # the gold decided above
    assert w.result.outlets.source == GOLD_ANNOTATOR and sum(w.result.outlets.sentences.values()) == 1


def test_closing_the_window_frees_what_it_read(  # type: ignore[no-untyped-def]
        qtbot, project_path: Path) -> None:
    """The labels are read with the cyclic collector off and then frozen (annotator/bulk.py):
    closing the window thaws them and nothing it read stays alive."""
    import gc

    from annotator.review.units import Unit

    def alive() -> int:  # (other tests may have left some behind: compared, not zero)
        gc.collect()
        return sum(1 for o in gc.get_objects() if isinstance(o, (Unit, Label)))

    with Project.open(project_path) as p:
        simulate_annotators(p)
    before = alive()
    w = open_review_window(None, str(project_path), "rev")
    with qtbot.waitSignal(w.computed, timeout=60000):
        pass
    assert gc.get_freeze_count() > 0 and gc.isenabled()
    assert len(w.result.data.units) > 20
    w.close()
    qtbot.waitUntil(lambda: not shiboken6.isValid(w), timeout=5000)  # deleted on close
    del w
    assert gc.get_freeze_count() == 0
    assert alive() <= before
