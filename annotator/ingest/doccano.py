"""doccano exports (JSONL): sequence labelling, relation mode and text classification, per user.

* sequence labelling: ``{"text", "label": [[start, end, "ORG"], ...]}``
* relation mode: ``{"text", "entities": [{"id", "start_offset", "end_offset", "label"}],
  "relations": [...]}`` (intent detection: ``"cats"`` and ``"entities"``)
* text classification: ``{"text", "label": ["positive", ...]}``

Extra columns are doccano's metadata: at the top level or under ``meta``, depending on the
version. doccano writes ``all.jsonl`` (shared annotation) or one ``<user>.jsonl`` per user, so
the annotator is the row's ``annotator`` (our export), else ``user``, else the file name.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from ..model import ImportIssue
from .annotations import _first_object
from .base import register
from .peer import OWN_FIELDS, PeerAnnotation, PeerSpan, PeerTask, row_tasks

_LABEL_KEYS = ("label", "labels", "entities", "cats")
_DOCCANO_KEYS = frozenset({"id", "text", "label", "labels", "entities", "relations", "cats",
                           "origins", "Comments", "comments", "meta", "user", "annotator", "annotation_approver"})


def _is_doccano(path: Path) -> bool:
    obj = _first_object(path)
    if obj is None or not isinstance(obj.get("text"), str):
        return False
    if any(k in obj for k in ("answer", "_input_hash", "_task_hash", "sentences")):
        return False  # Prodigy, our article lines
    return any(k in obj for k in _LABEL_KEYS)


def _spans(value: Any, field_name: str) -> list[PeerSpan] | None:
    """``[[s, e, "L"], ...]`` or ``[{"start_offset", "end_offset", "label"}, ...]``, else None."""
    if not isinstance(value, list) or not value:
        return None
    out = []
    for v in value:
        if isinstance(v, (list, tuple)) and len(v) == 3 and isinstance(v[2], str):
            out.append(PeerSpan(v[0], v[1], v[2], None, field_name))
        elif isinstance(v, dict) and "label" in v and ("start_offset" in v or "start" in v):
            out.append(PeerSpan(v.get("start_offset", v.get("start")),
                                v.get("end_offset", v.get("end")), str(v["label"]), None,
                                field_name))
        else:
            return None
    return out


def _fields(obj: dict[str, Any]) -> dict[str, Any]:
    """doccano's metadata: under ``meta`` or at the top level, depending on its version."""
    meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
    return {**meta, **obj}


@register("doccano", (".jsonl", ".json"), sniff=_is_doccano)
def read_doccano(path: Path) -> Iterator[PeerTask | ImportIssue]:
    user_file = path.stem if path.stem not in ("all", "admin_all") else None
    for got in row_tasks(path, "doccano", _fields):
        if isinstance(got, ImportIssue):
            yield got
            continue
        task, obj, where = got
        name = where.get("annotator") or where.get("user") or user_file or "doccano"
        ann = PeerAnnotation(annotator=str(name), created=_str(where.get("created")),
                             updated=_str(where.get("updated")),
                             decided_by=_str(where.get("decided_by")))
        if where.get("note"):
            ann.notes.append(str(where["note"]))
        for key in _LABEL_KEYS:
            value = obj.get(key)
            if value in (None, [], ""):
                continue
            spans = _spans(value, key)
            if spans is not None:
                ann.spans += spans
            elif isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
                ann.choices += [(key, str(v)) for v in value]
            elif isinstance(value, str):  # the "LabelA#LabelB" joined export
                ann.choices += [(key, v) for v in value.split("#") if v]
            else:
                task.tally[(f"doccano {key}", "skipped: not a list of labels or spans")] += 1
        if where.get("origins"):  # our doccano-spans export: who found each span
            task.tally[("metadata origins", "not carried (the spans' origin is the doccano "
                        "user)")] += 1
        if obj.get("relations"):
            task.tally[("doccano relation", "not carried (no relations here)")] += len(
                obj["relations"])
        comments = obj.get("Comments") or obj.get("comments") or []
        ann.notes += [str(c) for c in comments if str(c).strip()] if isinstance(comments, list) \
            else [str(comments)]
        for k in sorted(set(where) - _DOCCANO_KEYS - OWN_FIELDS - {"created", "updated", "decided_by",
                                                                    "note"}):
            task.tally[(f"metadata {k}", "kept in the article's metadata")] += 1
            task.meta[k] = where[k]
        if ann.choices or ann.spans or ann.notes:
            task.annotations.append(ann)
        yield task


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
