"""Tasks from other tools into the project: find or make their sentence, map their labels, count all.

A :class:`~annotator.ingest.peer.PeerTask` names its sentence by our export's link (article id
and offsets), else by content: a text that is a whole article of the project, else a sentence of
it, else it becomes a new article (a short text is one sentence; a long one is split and its
labels go to each of its sentences). Labels go through the :class:`LabelMapping`; entity spans
become mentions whose origin is the annotator; predictions become model suggestions. Every
choice, span and field is counted in the report's tally, skipped ones with the reason.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from .ingest.base import RawArticle, article_id
from .ingest.encoding import normalise_text
from .ingest.mapping import MOST, ONLY, FrameNames, LabelMapping
from .ingest.peer import PeerAnnotation, PeerTask, span_issue
from .model import GOLD_ANNOTATOR, ImportIssue, ImportReport, Mention, Sentence
from .progress import Progress

if TYPE_CHECKING:
    from .importer import Importer
    from .nlp.targets import TargetResolver

#: A task text with no blank line and at most this many characters stays one sentence.
SHORT_TASK = 1000


def is_short(text: str) -> bool:
    return len(text) <= SHORT_TASK and "\n\n" not in text


class PeerImporter:
    """Applies the peer tasks of one import run (see the module docstring)."""

    def __init__(self, importer: Importer, mapping: LabelMapping) -> None:
        self.importer = importer
        self.store = importer.store
        self.mapping = mapping
        self.frames = FrameNames(importer.project.codebook)
        #: (sentence id, annotator) already labelled by this import: a second is not a merge.
        self.done: set[tuple[int, str]] = set()

    # -- finding sentences ---------------------------------------------------------------------

    def run(self, tasks: Sequence[PeerTask], report: ImportReport, ner: bool, lang: str | None,
            seen: dict[str, str], resolver: TargetResolver | None) -> TargetResolver | None:
        for task in tasks:
            for (kind, outcome), n in task.tally.items():
                report.count(kind, outcome, n)
        report.count("task", f"read ({tasks[0].tool})" if tasks else "read", len(tasks))
        located: list[tuple[PeerTask, list[Sentence], int]] = []  # task, sentences, offset
        pending: list[PeerTask] = []
        by_text = self.store.sentences_with_text(normalise_text(t.text) for t in tasks
                                                 if not self._linked(t))
        for task in tasks:
            found = self._locate(task, by_text, report)
            if found is None:
                pending.append(task)
            elif found:
                located.append((task, *found))
        # New texts: one article each (two tasks of one text share it).
        new: dict[str, RawArticle] = {}
        for task in pending:
            text = normalise_text(task.text)
            aid = article_id(text)
            if aid not in new and not self.store.has_article(aid):
                info = task.article
                new[aid] = RawArticle(text=text, source=task.source, line=task.line,
                                      title=info.get("title") or (text[:80] if is_short(text)
                                                                  else None),
                                      outlet=info.get("outlet"), date=info.get("date"),
                                      url=info.get("url"), lang=info.get("lang"),
                                      meta=dict(task.meta), single_unit=is_short(text))
        if new:
            before = report.articles_added
            resolver = self.importer._import_chunk(list(new.values()), ner, lang, report, seen,
                                                   resolver)
            report.count("task text", "new article", report.articles_added - before)
        for task in pending:
            aid = article_id(normalise_text(task.text))
            if not self.store.has_article(aid):
                report.count("task", "skipped: its text could not be imported (see problems)")
                continue
            located.append((task, self._units(aid), 0))
        by_article: dict[str, list[dict[str, Any]]] = {}
        for task, sentences, offset in located:
            self._apply(task, sentences, offset, report, by_article)
        for aid, annotations in by_article.items():
            self.importer._import_annotations(aid, annotations, annotations[0]["source"], report)
        report.mapping = self.mapping.table()
        return resolver

    def _linked(self, task: PeerTask) -> bool:
        return task.where is not None and self.store.has_article(task.where[0])

    def _units(self, aid: str) -> list[Sentence]:
        sentences = self.store.sentences(aid)
        units = [s for s in sentences if not s.boilerplate]
        return units or sentences

    def _locate(self, task: PeerTask, by_text: dict[str, list[tuple[str, int, int]]],
                report: ImportReport) -> tuple[list[Sentence], int] | None | tuple[()]:
        """(sentences, offset of the task text in the article) or None for a new text; an empty
        tuple when the task was skipped (counted)."""
        if self._linked(task):
            assert task.where is not None
            aid, start, end = task.where
            s = next((s for s in self.store.sentences(aid) if (s.start, s.end) == (start, end)),
                     None)
            if s is not None and s.text == normalise_text(task.text):
                report.count("task", "matched by our export's article id and offsets")
                return [s], s.start
        text = normalise_text(task.text)
        aid = article_id(text)
        if self.store.has_article(aid):
            report.count("task", "matched a whole article by content")
            units = self._units(aid)
            return units, 0
        where = by_text.get(text, [])
        if len(where) == 1:
            aid, start, end = where[0]
            s = next(s for s in self.store.sentences(aid) if (s.start, s.end) == (start, end))
            report.count("task", "matched a sentence by content")
            return [s], s.start
        if len(where) > 1:
            report.count("task", f"skipped: its text is in {len(where)} sentences (which one "
                         "is meant is unknown)")
            report.issues.append(ImportIssue(task.source, task.line, (
                f"the text is in {len(where)} sentences of the project; labels skipped")))
            return ()
        return None

    # -- labels --------------------------------------------------------------------------------

    def _apply(self, task: PeerTask, sentences: list[Sentence], offset: int,
               report: ImportReport, by_article: dict[str, list[dict[str, Any]]]) -> None:
        if not sentences:
            report.count("task", "skipped: its article has no sentences")
            return
        if len(sentences) > 1 and (task.annotations or task.predictions):
            report.count("task", f"long text: labels given to each of its {len(sentences)} "
                         "sentences", 1)
        aid = sentences[0].article_id
        text = self.store.article(aid).text  # type: ignore[union-attr]
        for ann in task.annotations:
            self._spans(task, ann, text, offset, report, prediction=False)
            label = self._label(task, ann, report)
            if label is None:
                continue
            untargeted = label.pop("_stance_any", {})
            for s in sentences:
                stance, targets = self._stance(task, untargeted, s, report) if untargeted \
                    else ({}, {})
                one = {**label, "stance": {**label["stance"], **stance},
                       "targets": {**task.targets, **targets}}
                if not (one["stance"] or one["frames"] or one["irrelevant"] or one["note"]):
                    report.count("annotation", "nothing to import (no mapped label)")
                    continue
                key = (s.id, one["annotator"])
                if key in self.done:
                    report.count("annotation", "skipped: a second annotation by the same "
                                 "annotator on one sentence")
                    continue
                self.done.add(key)
                by_article.setdefault(aid, []).append({
                    **one, "kind": "label", "line": task.line, "start": s.start, "end": s.end,
                    "text": s.text, "source": task.source})
                report.count("annotation", "imported as a label" if ann.annotator != GOLD_ANNOTATOR
                             else "imported as a gold label")
        for pred in task.predictions:
            self._spans(task, pred, text, offset, report, prediction=True)
            label = self._label(task, pred, report, kind="prediction choice")
            if label is None:
                continue
            untargeted = label.pop("_stance_any", {})
            for s in sentences:
                stance, _ = self._stance(task, untargeted, s, report) if untargeted else ({}, {})
                resolved = {str(self._target_id(k, task.targets)): v
                            for k, v in {**label["stance"], **stance}.items()}
                value = {"stance": resolved, "frames": label["frames"],
                         "irrelevant": label["irrelevant"]}
                if not (resolved or label["frames"] or label["irrelevant"]):
                    continue
                if self.store.put_suggestion(s.id, pred.annotator, value,
                                             Path(task.source).name):
                    report.count("prediction", "kept as a model suggestion")
                else:
                    report.count("prediction", "already a suggestion")

    def _label(self, task: PeerTask, ann: PeerAnnotation, report: ImportReport,
               kind: str = "choice") -> dict[str, Any] | None:
        stance: dict[str, str] = {}
        untargeted: dict[str, str] = {}  # value given without a target: field -> value
        frames: list[str] = []
        irrelevant = False
        notes = list(ann.notes)
        for field_name, value in self._split(ann.choices):
            got = self.mapping.choice(field_name, value, self.frames)
            if got.kind == "frame" and got.value:
                frames.append(got.value)
                report.count(kind, "mapped to a frame")
            elif got.kind == "stance":
                target = got.target or _field_target(field_name) or task.meta.get("target")
                if target:
                    stance[str(target)] = str(got.value)
                    report.count(kind, "mapped to a stance")
                else:
                    untargeted[field_name] = str(got.value)
            elif got.kind == "irrelevant":
                irrelevant = True
                report.count(kind, "mapped to irrelevant")
            elif got.kind == "relevant":
                report.count(kind, "relevant (no label)")
            elif got.kind == "note":
                notes.append(f"{field_name}: {value}" if field_name != "note" else value)
                report.count(kind, "kept as the note")
            elif got.kind == "ignore":
                report.count(kind, "ignored (mapping)")
            else:
                report.count(kind, "skipped: not mapped (see the mapping; --map FILE)")
        if ann.notes:
            report.count("text area", "kept as the note", len(ann.notes))
        label: dict[str, Any] = {
            "annotator": ann.annotator, "stance": stance, "frames": frames,
            "irrelevant": irrelevant, "note": "\n".join(notes), "created": ann.created,
            "updated": ann.updated, "decided_by": ann.decided_by,
        }
        if untargeted:
            label["_stance_any"] = untargeted
        return label

    def _split(self, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """A value that maps to nothing but whose comma-separated parts all map: the parts
        (a spreadsheet cell "Economic, Political"; frame names themselves contain commas)."""
        out = []
        for field_name, value in choices:
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if len(parts) > 1 and self.mapping._choice(field_name, value, self.frames).kind == \
                    "unknown" and all(self.mapping._choice(field_name, p, self.frames).kind
                                      != "unknown" for p in parts):
                out += [(field_name, p) for p in parts]
            else:
                out.append((field_name, value))
        return out

    def _stance(self, task: PeerTask, untargeted: dict[str, str], s: Sentence,
                report: ImportReport) -> tuple[dict[str, str], dict[str, Any]]:
        """Stances the tool gave without a target, toward the target ``--stance-target`` picks."""
        choice = self.mapping.stance_target
        if not choice:
            report.count("stance", "skipped: no target (give --stance-target NAME, @only or "
                         "@most)", len(untargeted))
            return {}, {}
        if choice in (ONLY, MOST):
            counts = Counter(m.target_id for m in s.mentions if m.target_id is not None)
            best = counts.most_common()
            if not best or (choice == ONLY and len(best) > 1) or (
                    choice == MOST and len(best) > 1 and best[0][1] == best[1][1]):
                why = ("no target mentioned" if not best else "several targets mentioned"
                       if choice == ONLY else "a tie between targets")
                report.count("stance", f"skipped: {choice} found {why} in the sentence",
                             len(untargeted))
                return {}, {}
            target = self.store.target(int(best[0][0]))
            assert target is not None
            name, info = target.name, {"id": target.id, "name": target.name, "kind": target.kind}
        else:
            name, info = choice, {"name": choice}
        report.count("stance", f"target from --stance-target {choice}", len(untargeted))
        value = list(untargeted.values())[-1]
        return {name: value}, {name: info}

    def _target_id(self, key: str, targets: dict[str, Any]) -> int:
        return self.importer._import_target(key, targets.get(key), {})

    # -- spans ---------------------------------------------------------------------------------

    def _spans(self, task: PeerTask, ann: PeerAnnotation, text: str, offset: int,
               report: ImportReport, prediction: bool) -> None:
        if not ann.spans:
            return
        kind = "prediction span" if prediction else "span"
        aid = article_id(text)
        have = {(m.start, m.end): m for m in self.store.mentions(aid)}
        task_text = task.text if offset or normalise_text(task.text) != text else text
        new: list[Mention] = []
        for span in ann.spans:
            if not isinstance(span.start, int) or not isinstance(span.end, int):
                report.count(kind, "skipped: no start/end")
                continue
            issue = span_issue(task.source, task.line, span, task_text)
            start, end = span.start + offset, span.end + offset
            if issue is None and text[start:end] != task_text[span.start:span.end]:
                issue = ImportIssue(task.source, task.line, f"span {span.start}-{span.end} does "
                                    "not match the project's text; skipped")
            if issue is not None:
                report.issues.append(issue)
                report.count(kind, "skipped: offsets do not fit the text")
                continue
            got = self.mapping.entity(span.field, span.label)
            if got.kind == "ignore":
                report.count(kind, "ignored (mapping)")
                continue
            label = str(got.value)
            same = have.get((start, end))
            if same is not None and (prediction or same.label == label):
                report.count(kind, "already an entity there")
                continue
            origin = ann.annotator if prediction else f"annotator:{ann.annotator}"
            found = self.store.find_targets(text[start:end])
            m = Mention(start=start, end=end, label=label, text=text[start:end], origin=origin,
                        raw_label=span.label, target_id=found[0][0] if found else None)
            have[(start, end)] = m
            new.append(m)
            report.count(kind, "imported as an entity" + (" (label MISC: not one we know)"
                                                           if got.how.startswith("auto (") else ""))
        if new:
            self.store.insert_mentions(aid, new)
            report.mentions += len(new)


def _field_target(field_name: str) -> str | None:
    """``stance:Joe Biden`` / ``stance_Joe Biden``: a column or control whose name is the target."""
    for prefix in ("stance:", "stance_", "stance "):
        if field_name.casefold().startswith(prefix) and len(field_name) > len(prefix):
            return field_name[len(prefix):].strip()
    return None


@dataclass
class PeerPreview:
    """What an import of some files would bring from other tools, read without writing:
    the mapping rows (see :meth:`LabelMapping.table`), the tasks per tool and the problems."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    tools: Counter[str] = field(default_factory=Counter)  # tool -> tasks
    annotations: int = 0
    predictions: int = 0
    spans: int = 0
    #: Stance choices that come without a target (they need the stance target choice).
    untargeted: int = 0

    @property
    def tasks(self) -> int:
        return sum(self.tools.values())


def preview(paths: Sequence[str | Path], codebook: Any, mapping: LabelMapping,
            progress: Progress | None = None) -> PeerPreview:
    """Read ``paths`` as an import would (nothing written) and map every choice and span label
    with ``mapping``; ``progress`` counts files and can cancel."""
    from .ingest import expand_paths, read_paths
    from .ingest.mapping import ACTIVE

    frames = FrameNames(codebook)
    out = PeerPreview()
    token = ACTIVE.set(mapping)
    try:
        files, out.issues = expand_paths(paths)
        for k, f in enumerate(files):
            if progress is not None:
                progress.update(k, len(files), f"reading {f.name}")
            for item in read_paths([f]):
                if isinstance(item, ImportIssue):
                    out.issues.append(item)
                elif isinstance(item, PeerTask):
                    out.tools[item.tool] += 1
                    out.annotations += len(item.annotations)
                    out.predictions += len(item.predictions)
                    for ann in item.annotations + item.predictions:
                        out.spans += len(ann.spans)
                        for field_name, value in ann.choices:
                            got = mapping.choice(field_name, value, frames)
                            if got.kind == "stance" and not (
                                    got.target or _field_target(field_name)
                                    or item.meta.get("target")):
                                out.untargeted += 1
                        for span in ann.spans:
                            mapping.entity(span.field, span.label)
    finally:
        ACTIVE.reset(token)
    out.rows = mapping.table()
    return out


def preview_mapping(paths: Sequence[str | Path], codebook: Any, mapping: LabelMapping
                    ) -> tuple[list[dict[str, Any]], list[ImportIssue]]:
    """The mapping an import of ``paths`` would use, read from the files without writing
    anything: one row per (field, value) with what it becomes, how decided and how often."""
    got = preview(paths, codebook, mapping)
    return got.rows, got.issues


def mapping_lines(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The mapping as aligned text lines (the CLI's summary and --show-mapping)."""
    if not rows:
        return []
    width = max(len(f"{r['field']} = {r['value']}") for r in rows)
    return [f"  {(r['field'] + ' = ' + r['value']).ljust(width)}  -> {r['to']}  ({r['how']}, "
            f"{r['count']}x)" for r in rows]


def tally_lines(tally: dict[tuple[str, str], int]) -> list[str]:
    """The tally grouped by kind, skipped outcomes marked."""
    out = []
    for (kind, outcome), n in sorted(tally.items()):
        mark = "!" if outcome.startswith("skipped") else " "
        out.append(f" {mark}{n:6d}  {kind}: {outcome}")
    return out
