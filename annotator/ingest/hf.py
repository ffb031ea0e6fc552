"""Our Hugging Face export's rows (``train.jsonl`` …) back in: every annotator's label and the spans.

A row holds the sentence (with our export's link), ``annotations`` (per annotator: frames, a
stance list, irrelevant, note) and ``entities`` with their origin. Annotators' labels become
tasks' annotations in our flat spelling (``frame:ID``, ``stance:TARGET:VALUE``, ``irrelevant``);
an entity found by an annotator goes with that annotator, one found by a model is kept as that
model's prediction. The resolved label columns are derived from the annotations: counted, not
carried.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from ..model import ImportIssue
from .annotations import _first_object
from .base import register
from .peer import PeerAnnotation, PeerSpan, PeerTask, row_tasks

#: The resolved label columns (from the annotations by --labels gold/majority).
RESOLVED = ("label_source", "frames", "stance", "irrelevant", "unresolved")
ANNOTATOR_ORIGIN = "annotator:"


def is_hf_row(obj: dict[str, Any] | None) -> bool:
    return obj is not None and isinstance(obj.get("annotations"), list) and all(
        k in obj for k in ("text", "entities", "label_source"))


@register("hf", (".jsonl",), sniff=lambda path: is_hf_row(_first_object(path)))
def read_hf(path: Path) -> Iterator[PeerTask | ImportIssue]:
    for got in row_tasks(path, "Hugging Face export", lambda obj: obj):
        if isinstance(got, ImportIssue):
            yield got
            continue
        task, obj, _fields = got
        by_name: dict[str, PeerAnnotation] = {}
        for a in obj.get("annotations") or []:
            if not isinstance(a, dict) or not a.get("annotator"):
                task.tally[("annotation", "skipped: no annotator")] += 1
                continue
            ann = by_name[str(a["annotator"])] = PeerAnnotation(annotator=str(a["annotator"]))
            ann.choices += [("hf", f"frame:{f}") for f in a.get("frames") or []]
            ann.choices += [("hf", f"stance:{s['target']}:{s['value']}")
                            for s in a.get("stance") or []
                            if isinstance(s, dict) and s.get("target") and s.get("value")]
            if a.get("irrelevant"):
                ann.choices.append(("hf", "irrelevant"))
            if a.get("note"):
                ann.notes.append(str(a["note"]))
            task.annotations.append(ann)
        models: dict[str, PeerAnnotation] = {}
        for e in obj.get("entities") or []:
            if not isinstance(e, dict) or not all(k in e for k in ("start", "end", "label")):
                task.tally[("span", "skipped: no start/end/label")] += 1
                continue
            span = PeerSpan(e["start"], e["end"], str(e["label"]), e.get("text"), "entities")
            origin = str(e.get("origin") or "hf")
            if origin.startswith(ANNOTATOR_ORIGIN):
                name = origin[len(ANNOTATOR_ORIGIN):]
                if name not in by_name:
                    by_name[name] = PeerAnnotation(annotator=name)
                    task.annotations.append(by_name[name])
                by_name[name].spans.append(span)
            else:
                models.setdefault(origin, PeerAnnotation(annotator=origin)).spans.append(span)
        task.predictions = list(models.values())
        if obj.get("label_source"):
            task.tally[("resolved label", "not carried (derived from the annotations)")] += 1
        yield task
