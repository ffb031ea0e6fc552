"""Label Studio exports of text tasks: JSON (tasks with annotations), JSON_MIN and CSV/TSV.

JSON keeps everything: ``data`` (the text in ``data.text`` or another field), per annotation
``result`` items (``choices``, ``labels`` spans, ``textarea``), ``completed_by`` (an id or an
object), ``ground_truth``, ``was_cancelled`` and ``predictions``. JSON_MIN and CSV flatten one
annotation per row: data fields and one column per control (``from_name``), with ``annotator``
(an id or e-mail) and ``annotation_id``; ground truth and predictions are not in them.

Our own export adds a ``labelled_by`` text area whose text is the annotator's name (and a
``meta`` with ``decided_by``, ``created``, ``updated``), so names survive every export shape.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path
from typing import Any, Iterator

from ..export.labelstudio import LABELLED_BY
from ..model import GOLD_ANNOTATOR, ImportIssue
from .annotations import _tasks
from .base import register
from .encoding import decode
from .peer import OWN_FIELDS, PeerAnnotation, PeerSpan, PeerTask, linked_task

#: "gold (decided by dana)": our export's name for a gold label, so JSON_MIN and CSV keep who.
_DECIDED = re.compile(r"^(.*\S) \(decided by (.+)\)$")
#: Keys Label Studio adds to JSON_MIN/CSV rows (not data, not results).
MIN_KEYS = frozenset({"id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time"})
_SNIFF_BYTES = 1 << 16


def _head(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            return decode(fh.read(_SNIFF_BYTES))[0].lstrip()
    except (OSError, UnicodeDecodeError):
        return ""


def _is_json(path: Path) -> bool:
    head = _head(path)
    return head.startswith("[") and '"data"' in head


def _is_json_min(path: Path) -> bool:
    head = _head(path)
    return head.startswith("[") and '"data"' not in head and (
        '"annotation_id"' in head or '"annotator"' in head)


def _is_csv(path: Path) -> bool:
    first = _head(path).split("\n", 1)[0]
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    header = next(csv.reader([first], delimiter=delimiter), [])
    return "annotation_id" in header and "annotator" in header


# -- shared -----------------------------------------------------------------------------------------


def text_field(data: dict[str, Any], skip: frozenset[str] = frozenset()) -> str | None:
    """``text``, else the data field with the longest string (``$content``, ``$body`` configs)."""
    if isinstance(data.get("text"), str):
        return "text"
    strings = [(len(v), k) for k, v in data.items()
               if isinstance(v, str) and k not in skip and k not in OWN_FIELDS]
    return max(strings)[1] if strings else None


def annotator_name(by: Any) -> str:
    """Label Studio's ``completed_by`` / ``annotator``: an object, an e-mail or a user id."""
    if isinstance(by, dict):
        for key in ("username", "email"):
            if by.get(key):
                return str(by[key]).split("@")[0]
        by = by.get("id")
    if isinstance(by, str) and "@" in by:
        return by.split("@")[0]
    if by in (None, ""):
        return "labelstudio"
    return f"labelstudio-{by}"


def _result_item(ann: PeerAnnotation, r: dict[str, Any], task: PeerTask) -> None:
    value = r.get("value") if isinstance(r.get("value"), dict) else {}
    name = str(r.get("from_name") or r.get("type") or "result")
    kind = r.get("type")
    if name == LABELLED_BY:
        return  # read by _annotation
    if kind == "choices" or "choices" in value:
        ann.choices += [(name, str(c)) for c in value.get("choices") or []]
    elif kind in ("labels", "hypertextlabels") or "labels" in value:
        for label in value.get("labels") or []:
            ann.spans.append(PeerSpan(value.get("start"), value.get("end"), str(label),
                                      value.get("text"), name))
    elif kind == "textarea" or "text" in value:
        ann.notes += [str(t) for t in value.get("text") or [] if str(t).strip()]
    elif kind == "relation":
        task.tally[("relation", "not carried (no relations here)")] += 1
    else:
        task.tally[(f"result type {kind}", "not carried")] += 1


def _labelled_by(result: list[Any]) -> tuple[str | None, dict[str, Any]]:
    for r in result:
        if isinstance(r, dict) and r.get("from_name") == LABELLED_BY:
            texts = (r.get("value") or {}).get("text") or []
            meta = r.get("meta") if isinstance(r.get("meta"), dict) else {}
            if texts and str(texts[0]).strip():
                return _decided(str(texts[0]).strip(), meta)
    return None, {}


def _decided(name: str, meta: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    m = _DECIDED.match(name)
    if m is None:
        return name, meta
    return m.group(1), {"decided_by": m.group(2), **meta}


def _annotation(a: dict[str, Any], task: PeerTask, model: bool = False) -> PeerAnnotation:
    result = [r for r in a.get("result") or [] if isinstance(r, dict)]
    name, meta = _labelled_by(result)
    if model:
        name = str(a.get("model_version") or "labelstudio-prediction")
    elif name is None:
        name = str(a["annotator"]) if a.get("annotator") else annotator_name(a.get("completed_by"))
    gold = name == GOLD_ANNOTATOR or (bool(a.get("ground_truth")) and not model)
    ann = PeerAnnotation(annotator=GOLD_ANNOTATOR if gold else name, gold=gold,
                         decided_by=meta.get("decided_by") or a.get("decided_by")
                         or (name if gold and name != GOLD_ANNOTATOR else None),
                         created=meta.get("created") or a.get("created_at"),
                         updated=meta.get("updated") or a.get("updated_at"))
    for r in result:
        _result_item(ann, r, task)
    return ann


# -- JSON -------------------------------------------------------------------------------------------


def _load_array(path: Path) -> list[tuple[int, Any]] | ImportIssue:
    text, _ = decode(path.read_bytes())
    try:
        return list(_tasks(text))
    except (ValueError, json.JSONDecodeError) as exc:
        return ImportIssue(str(path), None, f"not a Label Studio JSON export ({exc}); file skipped")


@register("labelstudio", (".json",), sniff=_is_json)
def read_json(path: Path) -> Iterator[PeerTask | ImportIssue]:
    """Label Studio JSON: one task per element, every annotation with its annotator."""
    tasks = _load_array(path)
    if isinstance(tasks, ImportIssue):
        yield tasks
        return
    for line, obj in tasks:
        if not isinstance(obj, dict) or not isinstance(obj.get("data"), dict):
            yield ImportIssue(str(path), line, 'a task needs a "data" object; skipped')
            continue
        data = obj["data"]
        key = text_field(data)
        if key is None or not str(data[key]).strip():
            yield ImportIssue(str(path), line, "a task without text (data.text or another text "
                              "field); skipped")
            continue
        task = linked_task(str(data[key]), path, line, "Label Studio JSON", data)
        if key != "text":
            task.tally[("task text", f"read from data.{key}")] += 1
        for k in sorted(set(data) - OWN_FIELDS - {key}):
            task.tally[(f"data.{k}", "not carried")] += 1
        for a in obj.get("annotations") or []:
            if not isinstance(a, dict):
                continue
            if a.get("was_cancelled"):
                task.tally[("annotation", "skipped: cancelled (was_cancelled)")] += 1
                continue
            task.annotations.append(_annotation(a, task))
        for pred in obj.get("predictions") or []:
            if isinstance(pred, dict):
                task.predictions.append(_annotation(pred, task, model=True))
            else:  # the export's default writes prediction ids, not their results
                task.tally[("prediction", "not carried (exported as an id only)")] += 1
        if obj.get("drafts"):
            task.tally[("draft", "not carried (drafts are not submitted)")] += len(obj["drafts"])
        yield task


# -- JSON_MIN and CSV ---------------------------------------------------------------------------


def _flat_value(name: str, value: Any, ann: PeerAnnotation, task: PeerTask) -> bool:
    """One JSON_MIN/CSV column as a result; False when it is not shaped like one."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            value = json.loads(value)
        except ValueError:
            return False
    if isinstance(value, dict) and isinstance(value.get("choices"), list):
        ann.choices += [(name, str(c)) for c in value["choices"]]
        return True
    if isinstance(value, dict) and isinstance(value.get("text"), list):
        ann.notes += [str(t) for t in value["text"] if str(t).strip()]
        return True
    if isinstance(value, list) and value and all(isinstance(v, dict) and "labels" in v
                                                 for v in value):
        for v in value:
            for label in v.get("labels") or []:
                ann.spans.append(PeerSpan(v.get("start"), v.get("end"), str(label), v.get("text"),
                                          name))
        return True
    return False


def _min_task(row: dict[str, Any], path: Path, line: int, tool: str
              ) -> PeerTask | ImportIssue:
    data = {k: v for k, v in row.items() if k not in MIN_KEYS}
    for k in ("start", "end", "index"):  # CSV cells are text
        if isinstance(data.get(k), str) and data[k].isdigit():
            data[k] = int(data[k])
    if isinstance(data.get("targets"), str):
        try:
            data["targets"] = json.loads(data["targets"])
        except ValueError:
            pass
    key = text_field(data)
    if key is None or not str(data[key]).strip():
        return ImportIssue(str(path), line, "a row without text; skipped")
    task = linked_task(str(data[key]), path, line, tool, data)
    by = row.get(LABELLED_BY)
    if isinstance(by, str) and by[:1] == "{":
        try:
            by = json.loads(by)
        except ValueError:
            pass
    if isinstance(by, dict):  # a text area with several texts: {"text": [...]}
        by = (by.get("text") or [""])[0]
    name, meta = _decided(str(by or "").strip(), {})
    ann = PeerAnnotation(annotator="", created=row.get("created_at") or None,
                         updated=row.get("updated_at") or None, decided_by=meta.get("decided_by"))
    for k, v in sorted(data.items()):
        if k in OWN_FIELDS or k == key or v in (None, ""):
            continue
        if k == LABELLED_BY:
            continue
        if _flat_value(k, v, ann, task):
            continue
        if isinstance(v, str):  # a single choice is written as the bare string
            ann.choices.append((k, v))
        else:
            task.tally[(f"column {k}", "not carried")] += 1
    if name:
        ann.annotator = name
    else:
        ann.annotator = annotator_name(row.get("annotator"))
        task.tally[("annotator", f"from Label Studio's user ({ann.annotator})")] += 1
    ann.gold = ann.annotator == GOLD_ANNOTATOR
    if row.get("annotation_id") not in (None, ""):
        task.annotations.append(ann)
    return task


@register("labelstudio-min", (".json",), sniff=_is_json_min)
def read_json_min(path: Path) -> Iterator[PeerTask | ImportIssue]:
    """JSON_MIN: one flat object per annotation (tasks without annotations have none)."""
    rows = _load_array(path)
    if isinstance(rows, ImportIssue):
        yield rows
        return
    for line, row in rows:
        if not isinstance(row, dict):
            yield ImportIssue(str(path), line, "expected an object; skipped")
            continue
        yield _min_task(row, path, line, "Label Studio JSON_MIN")


@register("labelstudio-csv", (".csv", ".tsv"), sniff=_is_csv)
def read_csv(path: Path) -> Iterator[PeerTask | ImportIssue]:
    """CSV/TSV export: JSON_MIN's columns, lists and objects written as JSON in the cell."""
    text, _ = decode(path.read_bytes())
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    reader = csv.DictReader(io.StringIO(text, newline=""),
                            delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
    line = 2
    try:
        for row in reader:
            yield _min_task(dict(row), path, line, "Label Studio CSV")
            line = reader.line_num + 1
    except csv.Error as exc:
        yield ImportIssue(str(path), reader.line_num, f"CSV error: {exc}; rest of file skipped")
