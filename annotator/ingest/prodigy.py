"""Prodigy JSONL (``db-out``): text, ``spans``, ``accept`` (chosen option ids), ``answer``.

Only ``answer: accept`` counts as a label; reject and ignore are counted and skipped. A binary
task's ``label`` with ``accept`` is a chosen value. The annotator is ``_annotator_id``, else
``_session_id``, else the file name.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..model import ImportIssue
from .annotations import _first_object
from .base import register
from .peer import PeerAnnotation, PeerSpan, PeerTask, row_tasks


def _is_prodigy(path: Path) -> bool:
    obj = _first_object(path)
    return obj is not None and isinstance(obj.get("text"), str) and "sentences" not in obj and any(
        k in obj for k in ("answer", "_input_hash", "_task_hash", "options", "spans"))


@register("prodigy", (".jsonl",), sniff=_is_prodigy)
def read_prodigy(path: Path) -> Iterator[PeerTask | ImportIssue]:
    for got in row_tasks(path, "Prodigy", lambda obj: obj.get("meta") if isinstance(
            obj.get("meta"), dict) else {}):
        if isinstance(got, ImportIssue):
            yield got
            continue
        task, obj, meta = got
        text = obj["text"]
        answer = obj.get("answer")
        if answer is None:
            yield task  # not answered yet: the text only
            continue
        if answer != "accept":
            task.tally[("Prodigy answer", f"skipped: {answer} (only accepted answers are labels)")
                       ] += 1
            yield task
            continue
        name = obj.get("_annotator_id") or obj.get("_session_id") or path.stem
        ann = PeerAnnotation(annotator=str(name), created=meta.get("created"),
                             updated=meta.get("updated"), decided_by=meta.get("decided_by"))
        if meta.get("note"):
            ann.notes.append(str(meta["note"]))
        options = {o.get("id"): o.get("text") for o in obj.get("options") or [] if isinstance(o, dict)}
        for choice in obj.get("accept") or []:
            # Option ids may be numbers; then the option's text names the choice.
            value = choice if isinstance(choice, str) else options.get(choice, choice)
            ann.choices.append(("accept", str(value)))
        if isinstance(obj.get("label"), str):
            ann.choices.append(("label", obj["label"]))
        for s in obj.get("spans") or []:
            if isinstance(s, dict) and "label" in s:
                ann.spans.append(PeerSpan(s.get("start"), s.get("end"), str(s["label"]),
                                          s.get("text"), "spans"))
            else:
                task.tally[("Prodigy span", "skipped: no label")] += 1
        task.annotations.append(ann)
        yield task
