"""A Hugging Face dataset folder: train/validation/test JSONL and a dataset card (README.md)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .base import Exporter, register
from .card import AgreementSample, dataset_card
from .records import ArticleBundle, Record


def stance_list(stance: dict[str, str], targets: dict[str, Record]) -> list[dict[str, Any]]:
    return [{"target": k, "target_id": targets.get(k, {}).get("id"), "value": v}
            for k, v in sorted(stance.items())]


def hf_row(rec: Record) -> Record:
    """A native record with fixed-shape fields (lists of structs, no name-keyed maps), which is
    what Arrow (``datasets``) wants."""
    label = rec["label"]
    targets = rec["targets"]
    return {
        "id": rec["id"], "article_id": rec["article_id"], "index": rec["index"],
        "title": rec["title"], "outlet": rec["outlet"], "date": rec["date"], "url": rec["url"],
        "lang": rec["lang"], "text": rec["text"], "start": rec["start"], "end": rec["end"],
        "boilerplate": rec["boilerplate"],
        "entities": [{k: e[k] for k in ("start", "end", "label", "raw_label", "text", "origin",
                                         "target", "target_id")} for e in rec["entities"]],
        "label_source": label["source"] if label else None,
        "frames": list(label["frames"]) if label else [],
        "stance": stance_list(label["stance"], targets) if label else [],
        "irrelevant": label["irrelevant"] if label else None,
        "unresolved": sorted(label["unresolved"]) if label else [],
        "annotations": [{"annotator": a, "frames": list(lab["frames"]),
                         "stance": stance_list(lab["stance"], targets),
                         "irrelevant": lab["irrelevant"], "note": lab["note"]}
                        for a, lab in sorted(rec["labels"].items())],
    }


@register
class HuggingFace(Exporter):
    name = "hf"
    title = "Hugging Face dataset folder: train/validation/test JSONL + README.md dataset card"
    folder = True
    suffix = ""
    default_split = (0.8, 0.1, 0.1)

    def begin(self) -> None:
        self.sample = AgreementSample()
        self.langs: set[str] = set()

    def write(self, bundle: ArticleBundle) -> None:
        assert bundle.split is not None
        for rec in bundle.records:
            self.line(hf_row(rec), f"{bundle.split}.jsonl")
            self.sample.add(rec["labels"])
            self.langs.add(rec["lang"])

    def end(self) -> None:
        ctx = self.ctx
        split_files = {n: f"{n}.jsonl" for n in ctx.options.split_names
                       if ctx.result.splits[n]["sentences"]}
        name = Path(ctx.project.path).stem
        text = dataset_card(name, ctx.result, ctx.options, split_files, sorted(self.langs - {"und"}),
                            ctx.builder.codebook.name, self.sample, ctx.builder.codebook.frame_ids)
        self.write_text("README.md", text)
