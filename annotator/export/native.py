"""The fast path of the native jsonl export with ``--labels all``: lines straight from row tuples.

:class:`~annotator.export.records.RecordBuilder` reads an article at a time into Article, Label
and Mention objects and per-label dicts, which every format can use. For the native format with
every label side by side (no resolved label, no split) this module reads a span of articles with
a few queries (:meth:`~annotator.store.Store.export_rows`) and builds each sentence's record
from the tuples, as :meth:`RecordBuilder.sentence_record` would, dict keys in any order (orjson
sorts them). Articles whose records hold floats (a label that accepted a model suggestion, a
stored suggestion) go through the builder, so that they are spelt by ``dumps`` as before.
"""
from __future__ import annotations

import pickle
import uuid
from collections import Counter, deque
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ..codebooks import Codebook
from ..machine import usable_cores, workers_asked
from ..model import Target
from ..progress import Progress
from ..store import ExportRows, SentencePick
from ..workers import WorkerPool
from .options import ExportOptions, ExportResult
from .records import Record, RecordBuilder

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
#: Articles read per span: ~1,500 sentences of a realistic project, a few MB held at a time,
#: a progress step (and a chance to cancel) every few tens of milliseconds.
SPAN = 50
#: Articles below which an export builds its lines in this process: a worker starts in ~0.4 s.
WORKERS_MIN_ARTICLES = 5_000
#: ``ANNOTATOR_EXPORT_WORKERS=N`` sets the number of worker processes (0: none, all here).
WORKERS_ENV = "ANNOTATOR_EXPORT_WORKERS"


def applies(builder: RecordBuilder, options: ExportOptions) -> bool:
    """Whether the fast path writes what the builder would: every label, none resolved, no split."""
    return not builder.resolves and options.split is None


def pick(options: ExportOptions) -> SentencePick:
    return SentencePick(annotators=options.annotators, lang=options.lang, outlet=options.outlet,
                        unlabelled=options.include_unlabelled,
                        boilerplate=options.include_boilerplate)


def native_lines(builder: RecordBuilder, result: ExportResult, progress: Progress, total: int,
                 done: int = 0, batch: int = SPAN, workers: int | None = None
                 ) -> Iterator[list[bytes]]:
    """The lines of every picked sentence, a list per span of ``batch`` articles, in project
    order; counts go into ``result`` as :func:`~annotator.export.run.export` counts bundles.
    ``workers``: processes that build the lines (None: :func:`export_workers` decides; 0: here)."""
    store = builder.project.store
    chosen = pick(builder.options)
    spans = store.article_spans(chosen, batch)
    if workers is None:
        workers = export_workers(builder.project, total)
    if workers > 0:
        yield from _lines_in_workers(builder, result, progress, total, done, spans, workers)
        return
    writer = _Lines(builder, result)
    for first, last, picked in spans:
        lines = writer.span(first, last)
        done += picked
        progress.update(done, total, "writing")
        yield lines
    writer.flush_counts()


def export_workers(project: Any, articles: int) -> int:
    """How many worker processes should build the lines of an export of ``articles`` articles
    (0: all in this process): every core for a big export of a project file whose reads see
    what this connection sees (not inside a transaction of its own)."""
    asked = workers_asked(WORKERS_ENV)
    if asked is not None:
        return asked
    cores = usable_cores()
    store = project.store
    if cores < 2 or articles < WORKERS_MIN_ARTICLES or store.in_transaction \
            or not Path(project.path).is_file():
        return 0
    return cores


@dataclass(frozen=True)
class _Context:
    """What a worker needs to write the lines this export would: the project file, the options,
    and the targets and codebook as they were when the export began (one naming of the targets
    for the whole file, whichever process writes a span)."""

    path: str
    options: ExportOptions
    targets: tuple[Target, ...]
    codebook: Codebook


#: The writers of the exports this process builds lines for, by the export's token: a worker's
#: (the project opened here, from the context) or, in the exporting process, its own (a span
#: whose worker died is built there, on the export's connection: a second connection opened and
#: closed in that process would drop its SQLite locks).
_serving: dict[str, _Lines] = {}
_opened: set[str] = set()  # the tokens of those opened here


def lines_of_spans(items: Sequence[tuple[str, bytes, int, int]]
                   ) -> list[tuple[list[bytes], ExportResult]]:
    """Lines of spans of articles ``(token, context, after rowid, last rowid)``, with their
    counts (what the export's worker processes run)."""
    out = []
    for token, context, first, last in items:
        writer = _serving.get(token)
        if writer is None:
            for old in _opened:  # a worker serves one export at a time
                _serving.pop(old).builder.project.close()
            _opened.clear()
            from ..project import Project

            ctx: _Context = pickle.loads(context)
            project = Project.open(ctx.path, create=False)
            builder = RecordBuilder(project, ctx.options, ctx.targets, ctx.codebook)
            writer = _serving[token] = _Lines(builder, ExportResult(format="jsonl", out=""))
            _opened.add(token)
        result = writer.restart()
        lines = writer.span(first, last)
        writer.flush_counts()
        out.append((lines, result))
    return out


def _lines_in_workers(builder: RecordBuilder, result: ExportResult, progress: Progress,
                      total: int, done: int, spans: Iterator[tuple[int, int, int]],
                      workers: int) -> Iterator[list[bytes]]:
    """:func:`native_lines` with the spans' lines built by ``workers`` processes, a few spans
    ahead of the writing, taken back in order (the same bytes as built here)."""
    token = uuid.uuid4().hex
    context = pickle.dumps(_Context(builder.project.path, builder.options,
                                    builder.keys.targets, builder.codebook))
    ahead: deque[tuple[int, int]] = deque()  # (ticket, articles picked)
    _serving[token] = _Lines(builder, ExportResult(format="jsonl", out=""))
    try:
        with WorkerPool(workers) as pool:
            for first, last, picked in spans:
                ahead.append((pool.submit([(token, context, first, last)], lines_of_spans),
                              picked))
                if len(ahead) > 2 * workers:
                    done = yield from _take(pool, ahead, result, progress, done, total)
            while ahead:
                done = yield from _take(pool, ahead, result, progress, done, total)
            for death in pool.deaths:
                result.notes.append(f"export worker: {death}; its articles were written by the "
                                    "main process")
    finally:
        _serving.pop(token, None)


def _take(pool: WorkerPool, ahead: deque[tuple[int, int]], result: ExportResult,
          progress: Progress, done: int, total: int) -> Generator[list[bytes], None, int]:
    ticket, picked = ahead.popleft()
    [(lines, counted)] = pool.result(ticket, progress.check)
    result.articles += counted.articles
    result.sentences += counted.sentences
    result.counts.add(counted.counts)
    done += picked
    progress.update(done, total, "writing")
    yield lines
    return done


class _Lines:
    """Builds and counts the lines of a span's rows (caches that live for the whole export)."""

    def __init__(self, builder: RecordBuilder, result: ExportResult) -> None:
        self.builder = builder
        self.pick = pick(builder.options)
        self.keys = builder.keys
        self.codebook = builder.codebook.name
        self.result = result
        self.counts = result.counts
        self._info: dict[int, Record] = {}
        # frames column as stored -> the list as orjson writes it (a few spellings, parsed once)
        self._frames: dict[str, orjson.Fragment] = {}
        self._frame_lists: dict[orjson.Fragment, list[Any]] = {}
        self._frame_uses: Counter[orjson.Fragment] = Counter()

    def info(self, target_id: int) -> Record:
        info = self._info.get(target_id)
        if info is None:
            info = self._info[target_id] = self.keys.info(target_id)
        return info

    def frames(self, spelling: str) -> orjson.Fragment:
        parsed = list(orjson.loads(spelling))
        encoded = self._frames[spelling] = orjson.Fragment(orjson.dumps(parsed))
        self._frame_lists[encoded] = parsed
        return encoded

    def restart(self) -> ExportResult:
        """Count into a new result from now on (a worker's counts go back span by span)."""
        self.result = ExportResult(format="jsonl", out="")
        self.counts = self.result.counts
        return self.result

    def span(self, first: int, last: int) -> list[bytes]:
        """The lines of the picked sentences of the articles with rowid in (``first``, ``last``]."""
        from .jsonl import encode_line

        builder, result = self.builder, self.result
        store = builder.project.store
        lines: list[bytes] = []
        for article_id, records in self.articles(store.export_rows(self.pick, first, last)):
            if records is None:  # floats inside: the builder's records, spelt as before
                bundle = builder.bundle(store.article(article_id))
                records = [encode_line(rec) for rec in bundle.records]
                self.count_records(bundle.records)
            if records:
                result.articles += 1
                result.sentences += len(records)
                lines += records
        return lines

    def count_records(self, records: list[Record]) -> None:
        for rec in records:
            self.counts.sentences += 1
            for unit in rec["labels"].values():
                self.counts.add_unit(unit)

    def flush_counts(self) -> None:
        frames = self.counts.frames
        for encoded, n in self._frame_uses.items():
            for frame in self._frame_lists[encoded]:
                frames[frame] += n
        self._frame_uses.clear()

    def articles(self, rows: ExportRows) -> Iterator[tuple[str, list[bytes] | None]]:
        """``(article id, its lines)``, None for an article the builder must write."""
        stance_of: dict[tuple[int, int], dict[int, str]] = {}
        for sid, aid, tid, value in rows.stances:
            stance_of.setdefault((sid, aid), {})[tid] = value
        to_keys, frames_of, known = self.keys.stance, self.frames, self._frames
        # sentence id -> (its labels by annotator, their stance targets)
        labels: dict[int, tuple[dict[str, Record], list[int]]] = {}
        floats = set(rows.suggested)
        names = rows.annotators
        for sid, aid, frames, irrelevant, note, created, updated, decided_by, suggestion \
                in rows.labels:
            if suggestion is not None:
                floats.add(sid)
            stance = stance_of.get((sid, aid))
            shown = labels.get(sid)
            if shown is None:
                shown = labels[sid] = ({}, [])
            shown[0][names[aid]] = {
                "stance": to_keys(stance) if stance else {},
                "frames": known.get(frames) or frames_of(frames),
                "irrelevant": bool(irrelevant), "note": note, "created": created,
                "updated": updated, "decided_by": decided_by, "suggestion": None}
            if stance:
                shown[1].extend(stance)
        mentions: dict[str, list[tuple[Any, ...]]] = {}
        for m in rows.mentions:
            mentions.setdefault(m[0], []).append(m)
        articles = {a[0]: a for a in rows.articles}
        sentences = rows.sentences
        first = 0
        for i in range(1, len(sentences) + 1):
            if i < len(sentences) and sentences[i][0] == sentences[first][0]:
                continue
            span, first = sentences[first:i], i
            article_id = span[0][0]
            if any(s[1] in floats for s in span):
                yield article_id, None
            else:
                yield article_id, self._lines(articles[article_id], span, labels,
                                              mentions.get(article_id, []))

    def _lines(self, article: tuple[Any, ...], sentences: list[tuple[Any, ...]],
               labels: dict[int, tuple[dict[str, Record], list[int]]],
               mentions: list[tuple[Any, ...]]) -> list[bytes]:
        """One article's lines, records as RecordBuilder.sentence_record makes them, counted."""
        key, info, dumps = self.keys.key, self.info, orjson.dumps
        frame_uses, stance_counts = self._frame_uses, self.counts.stance
        article_id, title, outlet, date, url, article_lang = article
        lines = []
        n_labels = n_irrelevant = first = 0
        nothing: tuple[dict[str, Record], list[int]] = ({}, [])
        for _, sid, index, start, end, text, lang, boilerplate in sentences:
            while first < len(mentions) and mentions[first][1] < start:
                first += 1
            entities = []
            shown, targets = labels.get(sid, nothing)
            targets = set(targets)
            i = first
            while i < len(mentions) and mentions[i][1] < end:
                _, m_start, m_end, label, raw_label, m_text, origin, target_id = mentions[i]
                if m_end <= end:
                    entities.append({
                        "start": m_start - start, "end": m_end - start, "label": label,
                        "raw_label": raw_label, "text": m_text, "origin": origin,
                        "target_id": target_id,
                        "target": key(target_id) if target_id is not None else None})
                    if target_id is not None:
                        targets.add(target_id)
                i += 1
            n_labels += len(shown)
            for label_dict in shown.values():
                n_irrelevant += label_dict["irrelevant"]
                frame_uses[label_dict["frames"]] += 1
                for value in label_dict["stance"].values():
                    stance_counts[value] += 1
            lines.append(dumps({
                "id": f"{article_id}:{index}", "article_id": article_id, "index": index,
                "title": title, "outlet": outlet, "date": date, "url": url, "lang": lang,
                "article_lang": article_lang, "text": text, "start": start, "end": end,
                "boilerplate": bool(boilerplate), "entities": entities,
                "targets": {key(t): info(t) for t in sorted(targets)},
                "labels": shown, "label": None, "codebook": self.codebook,
            }, option=_OPTIONS))
        self.counts.sentences += len(lines)
        self.counts.labels += n_labels
        self.counts.irrelevant += n_irrelevant
        return lines
