"""The agreement report on a small three-annotator project whose numbers are worked out by hand."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator import Project
from annotator.agreement import krippendorff_alpha_sets, masi_distance
from annotator.cli import main
from annotator.review import (
    NO_STANCE,
    agreement_report,
    compute_agreement,
    differing_fields,
    label_distribution,
    outlet_comparison,
    progress_series,
    read_project,
    review_queue,
)

TEXT = ("Talks in Astana\n\nRussia criticised the plan. Moscow later praised the deal. "
        "The weather was fine. Russia again opposed the tariffs. Prices went up.")


def labelled_project(path: Path) -> Project:
    """One article, five sentences; A, B, C label the first four (s2 is irrelevant for all)."""
    folder = path.parent / "in"
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    p = Project.open(path)
    assert p.import_files([folder], ner=False).articles_added == 1
    art = p.articles()[0]
    s = [x.id for x in p.sentences(art.id)][1:]  # the title line is sentence 0
    assert len(s) == 5, [x.text for x in p.sentences(art.id)]
    ru = p.create_target("Russia", "LOC", "setup", aliases=["Moscow"]).id
    spec = {  # sentence: {annotator: (stance toward Russia, frames, irrelevant)}
        0: {"A": ("AGAINST", ["political"], False), "B": ("AGAINST", ["political"], False),
            "C": ("NEUTRAL", ["political", "economic"], False)},
        1: {"A": ("FAVOR", ["economic"], False), "B": ("FAVOR", ["economic"], False),
            "C": ("FAVOR", [], True)},
        2: {"A": (None, [], True), "B": (None, [], True), "C": (None, [], True)},
        3: {"A": ("AGAINST", ["economic"], False), "B": (None, ["economic"], False),
            "C": ("AGAINST", ["economic", "political"], False)},
        4: {"A": (None, ["economic"], False)},  # one annotator only: not a unit
    }
    for i, by in spec.items():
        for name, (stance, frames, irrelevant) in by.items():
            p.set_label(s[i], name, {ru: stance} if stance else None, frames, irrelevant)
    p.set_gold(s[0], "rev", {ru: "NEUTRAL"}, ["morality"], rationale="gold is left out")
    return p


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    with labelled_project(tmp_path / "p.annot") as p:
        yield p


def test_hand_checked_numbers(project: Project) -> None:
    r = agreement_report(project, n_boot=200, seed=1, confusion=("A", "C"))
    assert r.annotators == ["A", "B", "C"]
    assert (r.units, r.labelled) == (4, 5)

    # irrelevant: values F F F | F F T | T T T | F F F. n = 12 (4 T, 8 F); only unit 2 disagrees,
    # o_FT = o_TF = 2·1/(3−1) = 1, so α = 1 − (n−1)·2 / (2·4·8) = 1 − 22/64 = 0.65625.
    irr = r.field("irrelevant")
    assert irr.units == 4
    assert irr.alpha.value == pytest.approx(0.65625)
    assert irr.agreement == pytest.approx((1 + 1 / 3 + 1 + 1) / 4)
    assert irr.alpha.ci is not None and irr.alpha.ci[0] <= irr.alpha.ci[1] <= 1.0

    # stance toward Russia on s0, s1, s3 (nobody gave one on s2: not a unit for it):
    # AG AG NE | FA FA FA | AG none AG -> n = 9, counts AG 4, NE 1, FA 3, none 1.
    # Nominal: Σ o over disagreeing pairs = 4, so α = 1 − 8·4 / (81 − 27) = 11/27.
    stance = r.field("stance")
    assert stance.units == 3
    assert stance.alpha.value == pytest.approx(11 / 27)
    # Ordinal ("none" left out): n = 8, AG 4, NE 1, FA 3; δ²(AG,NE) = (5 − 2.5)² = 6.25,
    # δ²(NE,FA) = (4 − 2)² = 4, δ²(AG,FA) = (8 − 3.5)² = 20.25; Σ n_c n_k δ² = 2·280 = 560;
    # observed Σ o δ² = 2·6.25 (unit s0), so α = 1 − 7·12.5/560 = 0.84375.
    assert stance.ordinal is not None
    assert stance.ordinal.value == pytest.approx(0.84375)
    per_target = [f for f in r.fields if f.key.startswith("stance:")]
    assert [f.title for f in per_target] == ["stance: Russia"]
    assert per_target[0].alpha.value == pytest.approx(11 / 27)
    assert stance.chosen == 8 and r.field("frame:economic").chosen == 6

    # frame sets with MASI, checked against the pure function on the same columns.
    sets = [[frozenset(x) for x in row] for row in (
        [["political"], ["economic"], [], ["economic"]],
        [["political"], ["economic"], [], ["economic"]],
        [["political", "economic"], [], [], ["economic", "political"]])]
    assert r.field("frames").alpha.value == pytest.approx(
        krippendorff_alpha_sets(sets, distance=masi_distance))
    # a frame nobody chose is "n/a" with a reason, not 1.0
    morality = r.field("frame:morality")
    assert morality.alpha.value is None and "no annotator chose" in morality.alpha.reason

    pairs = {(p.a, p.b): p for p in r.pairs}
    ab, ac = pairs[("A", "B")], pairs[("A", "C")]
    assert ab.irrelevant_kappa.value == pytest.approx(1.0)
    # A: F F T F, C: F T T F -> p_o = 3/4, p_e = 1/4·2/4 + 3/4·2/4 = 1/2, κ = 0.5
    assert ac.irrelevant_kappa.value == pytest.approx(0.5)
    # A/B stance: AG FA AG vs AG FA none -> κ = (2/3 − 1/3)/(1 − 1/3) = 0.5; weighted drops "none"
    assert ab.stance_kappa.value == pytest.approx(0.5)
    assert ab.stance_weighted.value == pytest.approx(1.0)
    assert ab.units == 4 and ab.stance_units == 3

    assert r.confusion is not None and r.confusion.categories[-1] == NO_STANCE
    cats = r.confusion.categories
    m = {(cats[i], cats[j]): v for i, row in enumerate(r.confusion.matrix) for j, v in enumerate(row)}
    assert m[("AGAINST", "NEUTRAL")] == 1 and m[("AGAINST", "AGAINST")] == 1
    assert m[("FAVOR", "FAVOR")] == 1 and sum(r.confusion.matrix[i][j] for i in range(4)
                                             for j in range(4)) == 3

    assert len(r.articles) == 1 and r.articles[0].units == 4
    assert r.articles[0].fields[2].alpha.value == pytest.approx(0.65625)


def test_bootstrap_is_seeded_and_text_says_na(project: Project) -> None:
    one = agreement_report(project, n_boot=100, seed=7)
    two = agreement_report(project, n_boot=100, seed=7)
    assert one.field("stance").alpha.ci == two.field("stance").alpha.ci
    text = one.text()
    assert "0.656" in text and "frames nobody chose (n/a): Capacity and resources" in text
    assert "stance: Russia" in text


def test_subset_of_annotators(project: Project) -> None:
    r = agreement_report(project, annotators=["A", "B"])
    assert r.units == 4 and len(r.pairs) == 1
    assert r.field("irrelevant").alpha.value == pytest.approx(1.0)
    with pytest.raises(ValueError, match="no annotator"):
        agreement_report(project, annotators=["A", "Zed"])


def test_no_overlap_gives_na_with_reason(tmp_path: Path) -> None:
    with labelled_project(tmp_path / "p.annot") as p:
        data = read_project(p)
        for u in data.units:  # keep only A's labels
            u.labels = {k: v for k, v in u.labels.items() if k == "A"}
        r = compute_agreement(data)
    assert r.units == 0
    assert r.field("irrelevant").alpha.value is None
    assert "no unit labelled by two" in r.field("irrelevant").alpha.reason
    assert "n/a(1)" in r.text()


def test_review_queue_puts_disagreements_first(project: Project) -> None:
    data = read_project(project)
    items = review_queue(data)
    assert len(items) == 5
    flags = [it.disagreement for it in items]
    assert flags == sorted(flags, reverse=True)
    assert sum(flags) == 3  # s0, s1, s3 (s2 all agree, s4 has one label)
    first = items[0]
    assert first.gold is not None and first.gold.decided_by == "rev"
    assert {"frames"} <= differing_fields(first.labels.values())


def test_chart_data(project: Project) -> None:
    data = read_project(project)
    d = label_distribution(data)
    assert d.annotators == ["A", "B", "C", "gold"]
    assert d.stance_counts["A"] == [2, 0, 1]
    assert d.frame_counts["gold"][[f for f, _ in d.frames].index("morality")] == 1
    series = progress_series(data)
    assert series["A"][1] == [1, 2, 3, 4, 5]
    few = progress_series(data, points=3)  # a big project's: evenly spaced, first and last kept
    assert few["A"] == ([series["A"][0][i] for i in (0, 2, 4)], [1, 3, 5])
    o = outlet_comparison(data)
    assert o.outlets == ["(no outlet)"] and o.targets[0][1] == "Russia"
    # AG AG NE FA FA FA AG AG -> (−4 + 3) / 8
    assert o.stance_mean["(no outlet)"][0] == pytest.approx(-1 / 8)
    gold = outlet_comparison(data, "gold")
    assert gold.stance_mean["(no outlet)"] == [0.0]


def test_cli_agreement_text_and_json(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    path = project.path
    assert main(["agreement", path, "--bootstrap", "50", "--confusion", "A,C", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Agreement between A, B, C: 4 units" in out and "Stance confusion: A (rows)" in out
    assert main(["agreement", path, "--json", "--bootstrap", "0"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["units"] == 4 and data["fields"][0]["key"] == "stance"
    assert main(["agreement", path, "--confusion", "A"]) == 2


def test_cli_agreement_needs_two_distinct_annotators(project: Project, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agreement", project.path, "--annotators", "A,A", "--quiet"]) == 2
    assert "at least two" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["agreement", project.path, "--bootstrap", "-5"])
    assert exit_.value.code == 2 and "must be 0 or more" in capsys.readouterr().err
    one = tmp_path / "one.annot"
    main(["import", str(one), str(tmp_path / "in"), "--no-ner", "--quiet"])
    with Project.open(one) as p:
        p.set_label(p.sentences(p.articles()[0].id)[1].id, "A", frames=["economic"])
        p.set_gold(p.sentences(p.articles()[0].id)[1].id, "A", frames=["economic"])
    capsys.readouterr()
    assert main(["agreement", str(one), "--quiet"]) == 1
    assert "labels by A only" in capsys.readouterr().err


def test_report_from_arrays_equals_report_from_units(project: Project,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # The command reads arrays from the store; the review window passes Unit objects.
    from_units = compute_agreement(read_project(project), n_boot=30, seed=3, confusion=("A", "C"))
    monkeypatch.setattr(type(project.store), "spelling_sample", 1)  # the rest found by the fallback
    from_store = agreement_report(project, n_boot=30, seed=3, confusion=("A", "C"))
    assert from_store.as_dict() == from_units.as_dict()


def test_review_arrays_hold_every_human_label(project: Project) -> None:
    arrays = project.store.review_arrays()
    humans = [lab for lab in project.store.iter_labels() if lab.annotator != "gold"]
    got = sorted(zip(arrays.label_sentence.tolist(), arrays.label_irrelevant.tolist(),
                     [arrays.spellings[f] for f in arrays.label_frames.tolist()]))
    assert got == sorted((lab.sentence_id, int(lab.irrelevant), lab.frames) for lab in humans)
    assert arrays.stance_sentence.size == sum(len(lab.stance) for lab in humans)
    assert sorted(arrays.unit_index.tolist()) == [1, 2, 3, 4, 5]
    assert not project.store.conn.in_transaction


def test_empty_project_reads_no_arrays(tmp_path: Path) -> None:
    with Project.open(tmp_path / "e.annot") as p:
        arrays = p.store.review_arrays()
    assert arrays.label_sentence.size == 0 and arrays.spellings == []


def test_sparse_sentence_ids_map_to_the_same_units(project: Project) -> None:
    from types import SimpleNamespace

    from annotator.review.coded import read_arrays

    dense = read_arrays(project)
    raw = project.store.review_arrays()
    shift = 10**12  # ids far apart: searched, not tabulated
    for name in ("label_sentence", "stance_sentence", "unit_sentence", "mention_sentence"):
        setattr(raw, name, getattr(raw, name) * shift)
    store = SimpleNamespace(review_arrays=lambda: raw, annotator_id=project.store.annotator_id,
                            article_headers_at=project.store.article_headers_at)
    sparse = read_arrays(SimpleNamespace(store=store, annotators=project.annotators))
    assert sparse.label_unit.tolist() == dense.label_unit.tolist()
    assert sparse.stance_unit.tolist() == dense.stance_unit.tolist()


# -- reading and computing in threads ----------------------------------------------------------------


class _Hooked:
    """A connection that runs ``hook`` right after each statement ``sql`` (an injected race)."""

    def __init__(self, conn, sql: str, hook) -> None:  # type: ignore[no-untyped-def]
        self._conn, self._sql, self._hook = conn, sql, hook

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._conn, name)

    def execute(self, sql: str, *args):  # type: ignore[no-untyped-def]
        cursor = self._conn.execute(sql, *args)
        if sql == self._sql:
            self._hook()
        return cursor


def _readers_started(monkeypatch: pytest.MonkeyPatch, hook) -> list[object]:  # type: ignore[no-untyped-def]
    """Make Store.read_together's extra connections run ``hook`` once the first has started its
    read (between the first and the second reader's snapshot); returns the connections made."""
    import annotator.machine as machine
    import annotator.store as store_module

    monkeypatch.setattr(machine, "usable_cores", lambda: 4)
    made: list[object] = []
    real = store_module.connect

    def connect(*args, **kwargs):  # type: ignore[no-untyped-def]
        conn = real(*args, **kwargs)
        made.append(conn)
        return _Hooked(conn, "SELECT count(*) FROM sqlite_master", hook) if len(made) == 1 else conn

    monkeypatch.setattr(store_module, "connect", connect)
    return made


def test_review_arrays_are_the_same_read_in_threads(project: Project,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    import annotator.machine as machine

    made = _readers_started(monkeypatch, lambda: None)
    threaded = project.store.review_arrays()
    assert len(made) == 3  # one connection per scan: the threads were used
    monkeypatch.setattr(machine, "usable_cores", lambda: 1)
    serial = project.store.review_arrays()
    assert len(made) == 3  # one core: read on the store's own connection
    for f in dataclasses.fields(threaded):
        a, b = getattr(threaded, f.name), getattr(serial, f.name)
        assert (a.tolist() if hasattr(a, "tolist") else a) == (b.tolist() if hasattr(b, "tolist") else b), f.name
    assert not project.store.conn.in_transaction


def _count_labels(conn) -> int:  # type: ignore[no-untyped-def]
    return conn.execute("SELECT count(*) FROM labels").fetchone()[0]


def test_read_together_sees_one_snapshot_while_another_process_commits(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.annot"
    sentence = project.sentences(project.articles()[0].id)[5].id
    before = _count_labels(project.store.conn)
    with Project.open(path) as other:
        names = iter(["D", "E", "F", "G"])
        # Another connection commits a label while the readers start, on the first try only:
        # the first reader would see one label fewer than the others. The readers start again.
        commits = iter([True])
        made = _readers_started(monkeypatch, lambda: next(commits, False) and other.set_label(
            sentence, next(names), frames=["economic"]))
        assert project.store.read_together([_count_labels] * 3) == [before + 1] * 3
        assert len(made) == 3  # the same connections, started again
        # It commits on every try: the scans run one after another on the store's connection.
        monkeypatch.setattr("annotator.store.READ_TOGETHER_TRIES", 2)
        made.clear()
        commits = iter([True] * 10)
        counts = project.store.read_together([_count_labels] * 3)
        assert counts == [_count_labels(project.store.conn)] * 3 == [before + 3] * 3
    assert not project.store.conn.in_transaction


def _two_target_project(project: Project) -> Project:
    sentences = project.sentences(project.articles()[0].id)
    prices = project.create_target("Prices", "MISC", "setup").id
    for name, value in (("A", "FAVOR"), ("B", "FAVOR"), ("C", "AGAINST")):
        project.set_label(sentences[5].id, name, {prices: value}, ["economic"])
    return project


def test_report_is_the_same_with_per_target_intervals_in_threads(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    import annotator.review.report as report

    _two_target_project(project)
    monkeypatch.setattr(report, "THREADED_COLUMNS", 0)  # these fields are tiny
    pools: list[object] = []

    class Counted(report.ThreadPoolExecutor):  # type: ignore[name-defined,misc]
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            pools.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(report, "ThreadPoolExecutor", Counted)
    monkeypatch.setattr(report, "usable_cores", lambda: 1)
    alone = agreement_report(project, n_boot=40, seed=2).as_dict()
    assert not pools
    monkeypatch.setattr(report, "usable_cores", lambda: 3)
    threaded = agreement_report(project, n_boot=40, seed=2).as_dict()
    assert len(pools) == 1
    assert threaded == alone
    assert [f["key"] for f in threaded["fields"]].count("stance") == 1
    assert sum(f["key"].startswith("stance:") for f in threaded["fields"]) == 2


def test_cancelled_report_leaves_no_thread_running(project: Project,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import annotator.review.report as report
    from annotator.progress import Cancelled, Progress

    _two_target_project(project)
    monkeypatch.setattr(report, "THREADED_COLUMNS", 0)
    monkeypatch.setattr(report, "usable_cores", lambda: 3)
    progress = Progress(lambda done, total, message: message == "stance per target" and progress.cancel())
    with pytest.raises(Cancelled):
        agreement_report(project, n_boot=40, progress=progress)
    assert not [t for t in threading.enumerate() if t.name.startswith(("agreement", "store-read"))]


def test_confusion_from_arrays_equals_confusion_from_units(project: Project) -> None:
    """The review window counts a pair's confusion from the arrays it read for the report."""
    from annotator.review import stance_confusion
    from annotator.review.coded import read_arrays

    units, arrays = read_project(project).units, read_arrays(project)
    for a, b in (("A", "B"), ("A", "C"), ("C", "B")):
        from_units, from_arrays = stance_confusion(units, a, b), stance_confusion(arrays, a, b)
        assert from_arrays == from_units
    assert sum(map(sum, stance_confusion(arrays, "A", "C").matrix)) > 0
    assert agreement_report(project, confusion=("A", "C"), arrays=arrays).confusion == \
        stance_confusion(arrays, "A", "C")


def test_review_queue_keeps_its_counts_and_rows_as_gold_is_decided(project: Project) -> None:
    from annotator.review import FILTERS, ReviewQueue

    items = review_queue(read_project(project))
    queue = ReviewQueue(items)

    def recount() -> tuple[int, int, int]:
        return (sum(1 for it in items if it.disagreement), sum(1 for it in items if it.decided),
                sum(1 for it in items if it.disagreement and not it.decided))

    assert (queue.differ, queue.decided, queue.open_differ) == recount()
    differing = next(it for it in items if it.disagreement)
    label = next(iter(differing.labels.values()))
    differing.gold = project.set_gold(differing.sentence_id, "rev", stance=dict(label.stance),
                                      frames=list(label.frames), irrelevant=label.irrelevant)
    queue.changed(differing)
    assert (queue.differ, queue.decided, queue.open_differ) == recount()
    assert queue.decided == 1 and queue.open_differ == queue.differ - 1
    for name in FILTERS:
        rows, positions = queue.rows(name)
        expected = {"All": items, "Disagreements": [it for it in items if it.disagreement],
                    "Undecided": [it for it in items if not it.decided]}[name]
        assert rows == expected
        assert [queue.row_in(positions, it.sentence_id) for it in items] == \
            [rows.index(it) if it in rows else -1 for it in items]
    assert queue.row_in(queue.rows("Undecided")[1], differing.sentence_id) == -1
    differing.gold = None
    queue.changed(differing)
    assert queue.decided == 0 and queue.row_in(queue.rows("Undecided")[1], differing.sentence_id) >= 0
    assert queue.item(differing.sentence_id) is differing and queue.item(-5) is None
    with pytest.raises(ValueError, match="no filter"):
        queue.rows("Mine")
