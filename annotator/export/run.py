"""``export()``: one call that streams a project into any registered format, atomically."""
from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from ..progress import Cancelled, Progress
from . import native
from .atomic import atomic_output, recover
from .base import ExportContext, exporter_class
from .guard import check_output
from .marker import MARKER, write_marker
from .options import ExportError, ExportOptions, ExportResult, LabelCounts
from .records import ArticleBundle, RecordBuilder, label_units, stratum
from .split import SplitItem, assign_splits

_TIE_EXAMPLES = 10


def export(
    project: Any,
    out: str | os.PathLike[str],
    format: str = "jsonl",
    options: ExportOptions | None = None,
    progress: Progress | Callable[[int, int, str], None] | None = None,
    overwrite: bool = False,
) -> ExportResult:
    """Export ``project`` (a :class:`~annotator.project.Project` or a project file path) to ``out``.

    Streams article by article (memory does not grow with the project), writes into a temporary
    beside ``out`` and renames it into place only when everything was written: a failure or a
    cancel leaves ``out`` as it was. The same project and options give byte-identical output.
    Cancelling ``progress`` returns a result with ``cancelled=True``; other errors propagate.
    Raises :class:`ExportError` for bad options or an unusable ``out`` (see
    :func:`~annotator.export.guard.check_output`: never the project's place, a folder only when
    new, empty or an export's own, a file only when an export's own or ``overwrite``). Leftovers
    of killed exports beside ``out`` are recovered first and reported in ``result.notes``.
    From a worker thread, pass the project's path: the export then opens (and closes) its own
    connection.
    """
    started = time.perf_counter()
    cls = exporter_class(format)
    options = options or ExportOptions()
    if options.split is None and cls.default_split is not None:
        options = replace(options, split=cls.default_split)
    options.check()
    out_path = Path(out)
    result = ExportResult(format=format, out=str(out_path))
    prog = Progress.wrap(progress)
    owned = not hasattr(project, "iter_articles")
    project_path = project if owned else project.path
    if owned and not Path(project).is_file():
        raise ExportError(f"{project}: no such project file")
    real = check_output(out_path, cls.folder, project_path, overwrite)
    cleanup = recover(real.parent)
    result.cleaned, result.cleaned_bytes = cleanup.removed, cleanup.removed_bytes
    result.notes += cleanup.notes()
    if cleanup.restored:  # an OUT came back: check it again
        real = check_output(out_path, cls.folder, project_path, overwrite)
    if owned:
        from ..project import Project

        project = Project.open(project)
    try:
        builder = RecordBuilder(project, options)
        if cls.single_label and not builder.resolves:
            raise ExportError(f"the {format} format holds one label per item: use --labels gold "
                              "or majority, or name one --annotator")
        _check_filters(project, options, result)
        ctx = ExportContext(project=project, options=options, builder=builder, result=result)
        total = builder.count()
        splits: dict[str, str] | None = None
        passes = 2 if options.split else 1
        if options.split:
            splits = _plan_splits(builder, options, prog, total * passes)
            for name in options.split_names:
                result.splits[name] = {"articles": 0, "sentences": 0}
                result.split_counts[name] = LabelCounts()
        with atomic_output(real, cls.folder, result.notes) as tmp:
            if cls.folder:
                tmp.mkdir(exist_ok=True)
            exporter = cls(ctx, tmp)
            try:
                exporter.begin()
                done = total * (passes - 1)
                if exporter.writes_lines and native.applies(builder, options):
                    for lines in native.native_lines(builder, result, prog, total):
                        exporter.write_lines(lines)
                else:
                    for bundle in builder.bundles(prog, total * passes, done, "writing"):
                        if splits is not None:
                            bundle.split = splits[bundle.article.id]
                            for rec in bundle.records:
                                rec["split"] = bundle.split
                        _count(result, bundle, builder.resolves)
                        exporter.write(bundle)
                exporter.end()
            finally:
                exporter.close()
            result.rows = exporter.rows
            files = exporter.files()
            if cls.folder:
                write_marker(tmp, format)  # last: a folder with a marker is a whole export
                files.append(MARKER)
        result.files = [str(out_path / f) if f else str(out_path) for f in files]
    except Cancelled:
        result.cancelled = True
    finally:
        if owned:
            project.close()
    result.seconds = time.perf_counter() - started
    return result


def _check_filters(project: Any, options: ExportOptions, result: ExportResult) -> None:
    """A mistyped filter should not pass silently for an empty dataset: an annotator, language or
    outlet the project does not have is noted in the result. (Not an error: naming an annotator
    nobody is, say, exports texts without labels.)"""
    known = project.annotators(include_gold=True)
    unknown = [a for a in options.annotators if a not in known]
    if unknown:
        result.notes.append(f"no annotator named {', '.join(map(repr, unknown))} "
                            f"(annotators: {', '.join(known) or 'none yet'})")
    languages = project.languages()
    if options.lang is not None and options.lang not in languages:
        result.notes.append(f"no article is in language {options.lang!r} "
                            f"(languages: {', '.join(languages) or 'none'})")
    outlets = project.outlets()
    if options.outlet is not None and options.outlet not in outlets:
        result.notes.append(f"no article is from outlet {options.outlet!r} "
                            f"(outlets: {', '.join(outlets) or 'none'})")


def _plan_splits(builder: RecordBuilder, options: ExportOptions, prog: Progress,
                 total: int) -> dict[str, str]:
    assert options.split is not None
    items = [SplitItem(b.article.id, stratum(b.records, builder.resolves), len(b.records))
             for b in builder.bundles(prog, total, 0, "planning splits", light=True)]
    return assign_splits(items, options.split, options.split_names, options.seed)


def _count(result: ExportResult, bundle: ArticleBundle, resolves: bool) -> None:
    targets = [result.counts]
    if bundle.split is not None:
        targets.append(result.split_counts[bundle.split])
        result.splits[bundle.split]["articles"] += 1
        result.splits[bundle.split]["sentences"] += len(bundle.records)
    result.articles += 1
    result.sentences += len(bundle.records)
    for rec in bundle.records:
        label = rec["label"]
        if label is not None:
            ties = [f for f, why in label["unresolved"].items() if why == "tie"]
            result.unresolved_fields += len(label["unresolved"]) - len(ties)
            if ties:
                result.tied_sentences += 1
                if len(result.tie_examples) < _TIE_EXAMPLES:
                    result.tie_examples.append(f"{rec['id']}: {', '.join(ties)}")
        for counts in targets:
            counts.sentences += 1
            for _, unit in label_units(rec, resolves):
                if unit is not None:
                    counts.add_unit(unit)
