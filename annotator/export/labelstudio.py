"""Label Studio tasks (JSON): sentence text, labels as annotations, model entities and suggestions as predictions."""
from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import quoteattr

from ..model import ENTITY_LABELS, GOLD_ANNOTATOR, STANCE_VALUES
from .base import Exporter, dumps, register
from .flat import IRRELEVANT, stance_choice
from .records import ArticleBundle, Record

#: The text area holding the annotator's name: Label Studio keeps results verbatim in every
#: export shape (JSON, JSON_MIN, CSV), but not our annotation fields or its own timestamps.
LABELLED_BY = "labelled_by"

DATA_FIELDS = ("article_id", "index", "start", "end", "title", "outlet", "date", "lang")


def labeling_config(codebook: Any) -> str:
    """The Label Studio labeling config (XML) that these tasks are made for.

    Every ``Choices`` has at least two ``Choice`` s: Label Studio's validator reads a single child
    as an object and refuses the config ("is not of type 'array'"), so irrelevant has a
    "relevant" partner (read back as no label)."""
    frames = "\n".join(f"    <Choice value={quoteattr(f.id)} hint={quoteattr(f.name)}/>"
                       for f in codebook.frames)
    entities = "\n".join(f"    <Label value={quoteattr(lab)}/>" for lab in ENTITY_LABELS)
    return f"""<View>
  <Text name="text" value="$text"/>
  <Labels name="entity" toName="text">
{entities}
  </Labels>
  <Header value="Frames"/>
  <Choices name="frames" toName="text" choice="multiple" showInline="true">
{frames}
  </Choices>
  <Header value="Stance toward targets"/>
  <Choices name="stance" toName="text" choice="multiple" value="$stance_options"/>
  <Choices name="irrelevant" toName="text" showInline="true">
    <Choice value="relevant"/>
    <Choice value="{IRRELEVANT}"/>
  </Choices>
  <TextArea name="note" toName="text"/>
  <Header value="Annotator name (kept when the tasks come back)"/>
  <TextArea name="{LABELLED_BY}" toName="text" maxSubmissions="1" rows="1"/>
</View>
"""


def _choices(rid: str, name: str, values: list[str]) -> dict[str, Any]:
    return {"id": rid, "from_name": name, "to_name": "text", "type": "choices",
            "value": {"choices": values}}


def label_result(rid: str, label: Record) -> list[dict[str, Any]]:
    out = []
    if label["frames"]:
        out.append(_choices(f"{rid}-frames", "frames", list(label["frames"])))
    if label["stance"]:
        out.append(_choices(f"{rid}-stance", "stance",
                            [stance_choice(k, v) for k, v in sorted(label["stance"].items())]))
    if label["irrelevant"]:
        out.append(_choices(f"{rid}-irrelevant", "irrelevant", [IRRELEVANT]))
    if label.get("note"):
        out.append({"id": f"{rid}-note", "from_name": "note", "to_name": "text",
                    "type": "textarea", "value": {"text": [label["note"]]}})
    return out


def labelled_by(rid: str, annotator: str, label: Record) -> dict[str, Any]:
    """The annotator's name as a text-area result, with what Label Studio would drop in meta."""
    meta = {k: label[k] for k in ("decided_by", "created", "updated") if label.get(k)}
    name = f"{annotator} (decided by {label['decided_by']})" if label.get("decided_by") else annotator
    return {"id": f"{rid}-by", "from_name": LABELLED_BY, "to_name": "text", "type": "textarea",
            "value": {"text": [name]}, "meta": meta}


def task(rec: Record, units: list[tuple[str | None, Record | None]]) -> dict[str, Any]:
    data = {"text": rec["text"], "sentence_id": rec["id"], **{k: rec[k] for k in DATA_FIELDS},
            "targets": rec["targets"],
            "stance_options": [{"value": stance_choice(k, v)} for k in sorted(rec["targets"])
                               for v in STANCE_VALUES]}
    if "split" in rec:
        data["split"] = rec["split"]
    annotations = []
    for annotator, label in units:
        if label is None:
            continue
        ann = {
            "annotator": annotator,  # ours; Label Studio keeps its own completed_by
            "ground_truth": annotator == GOLD_ANNOTATOR,
            "created_at": label.get("created"), "updated_at": label.get("updated"),
            "result": label_result(f"{rec['id']}-{annotator}", label)
            + [labelled_by(f"{rec['id']}-{annotator}", str(annotator), label)],
        }
        if label.get("decided_by"):
            ann["decided_by"] = label["decided_by"]
        annotations.append(ann)
    by_origin: dict[str, list[dict[str, Any]]] = {}
    for i, e in enumerate(rec["entities"]):
        by_origin.setdefault(e["origin"], []).append({
            "id": f"{rec['id']}-e{i}", "from_name": "entity", "to_name": "text", "type": "labels",
            "value": {"start": e["start"], "end": e["end"], "text": e["text"],
                      "labels": [e["label"]]},
        })
    predictions = [{"model_version": origin, "result": result}
                   for origin, result in sorted(by_origin.items())]
    for model, sug in sorted((rec.get("suggested") or {}).items()):
        result = label_result(f"{rec['id']}-{model}", sug)
        if not result:
            continue
        pred: dict[str, Any] = {"model_version": f"{model} v{sug['version']}" if "version" in sug
                                else model, "result": result}
        score = _score(sug)
        if score is not None:
            pred["score"] = score
        predictions.append(pred)
    return {"data": data, "annotations": annotations, "predictions": predictions}


def _score(sug: Record) -> float | None:
    """Label Studio's prediction score: the model's least confident choice in the suggestion."""
    conf = sug.get("confidence") or {}
    values = [p for f, p in (conf.get("frames") or {}).items() if f in sug["frames"]]
    values += list((conf.get("stance") or {}).values())
    if sug.get("irrelevant") and conf.get("irrelevant") is not None:
        values.append(conf["irrelevant"])
    return round(min(values), 4) if values else None


@register
class LabelStudio(Exporter):
    name = "labelstudio"
    title = "Label Studio JSON tasks: labels as annotations, model entities as predictions"
    suffix = ".json"

    @classmethod
    def recognises(cls, lines: list[str]) -> bool:
        """``[`` alone on the first line, then a task as :meth:`write` spells it (or ``]``)."""
        if len(lines) < 2 or lines[0] != "[\n":
            return False
        if lines[1] == "]\n":
            return True
        try:
            obj = json.loads(lines[1].rstrip("\n").rstrip(","))
        except ValueError:
            return False
        return isinstance(obj, dict) and {"data", "annotations", "predictions"} <= obj.keys()

    def begin(self) -> None:
        self.stream().write("[")

    def write(self, bundle: ArticleBundle) -> None:
        out = self.stream()
        for rec in bundle.records:
            out.write(("\n" if self.rows == 0 else ",\n") + dumps(task(rec, self.ctx.units(rec))))
            self.rows += 1

    def end(self) -> None:
        self.stream().write("\n]\n")
