"""The dataset card (README.md) of the hf format: splits, label counts and inter-annotator agreement."""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable

from ..model import ENTITY_LABELS, GOLD_ANNOTATOR, STANCE_VALUES
from .options import ExportOptions, ExportResult, LabelCounts

#: Agreement is computed on at most this many multiply-annotated sentences (the first ones in
#: project order), so memory stays bounded on any project.
MAX_UNITS = 50_000


class AgreementSample:
    """Coder rows for Krippendorff's alpha from sentences labelled by two or more people.

    Rows hold shared (interned) values, a pointer per coder and unit, so a full sample costs a
    few MB; units past :data:`MAX_UNITS` are only counted.
    """

    def __init__(self) -> None:
        self.coders: dict[str, int] = {}
        self.frames: list[list[Any]] = []  # coder -> frame set per sentence (None: not coded)
        self.irrelevant: list[list[Any]] = []
        self.stance: list[list[Any]] = []  # coder -> value per (sentence, target) unit
        self.units = 0
        self.seen = 0
        self._sets: dict[frozenset[str], frozenset[str]] = {}

    def _row(self, name: str) -> int:
        if name not in self.coders:
            self.coders[name] = len(self.coders)
            self.frames.append([None] * self.units)
            self.irrelevant.append([None] * self.units)
            self.stance.append([None] * len(self.stance[0]) if self.stance else [])
        return self.coders[name]

    def add(self, labels: dict[str, dict[str, Any]]) -> None:
        humans = {a: lab for a, lab in labels.items() if a != GOLD_ANNOTATOR}
        if len(humans) < 2:
            return
        self.seen += 1
        if self.units >= MAX_UNITS:
            return
        rows = {self._row(a): lab for a, lab in sorted(humans.items())}
        for c in range(len(self.coders)):
            lab = rows.get(c)
            frames = frozenset(lab["frames"]) if lab is not None else None
            self.frames[c].append(None if frames is None else self._sets.setdefault(frames, frames))
            self.irrelevant[c].append(None if lab is None else bool(lab["irrelevant"]))
        for key in sorted({k for lab in rows.values() for k in lab["stance"]}):
            for c in range(len(self.coders)):
                lab = rows.get(c)
                self.stance[c].append(None if lab is None else lab["stance"].get(key))
        self.units += 1

    def alphas(self) -> dict[str, float | None] | None:
        """Alpha for frames (MASI), irrelevant (nominal) and stance (ordinal), or None when the
        agreement functions are missing or no sentence has two annotators."""
        try:
            from ..agreement import krippendorff_alpha, krippendorff_alpha_sets
        except ImportError:
            return None
        if not self.units:
            return None
        return {
            "frames": krippendorff_alpha_sets(self.frames),
            "irrelevant": krippendorff_alpha(self.irrelevant, "nominal"),
            "stance": krippendorff_alpha(self.stance, "ordinal", categories=list(STANCE_VALUES))
            if self.stance and self.stance[0] else None,
        }


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def _counts_table(title: str, names: list[str], per: dict[str, LabelCounts],
                  pick: Callable[[LabelCounts], Counter[str]]) -> list[str]:
    keys = sorted({k for n in names for k in pick(per[n])})
    if not keys:
        return [f"### {title}", "", "none", ""]
    rows = [[k] + [pick(per[n]).get(k, 0) for n in names] for k in keys]
    return [f"### {title}", "", *_table([title.split()[0].lower()] + names, rows), ""]


def _classes(names: list[str]) -> dict[str, Any]:
    return {"class_label": {"names": {str(i): n for i, n in enumerate(names)}}}


def features(frame_ids: list[str]) -> list[dict[str, Any]]:
    """The rows' features as the card's ``dataset_info`` spells them (``datasets`` reads them):
    every column typed (a column that is null in the first rows is not ``null``-typed) and
    frames, stance values and entity labels as class labels with their names."""
    def col(name: str, dtype: Any) -> dict[str, Any]:
        return {"name": name, "dtype": dtype}

    stance = {"name": "stance", "list": [col("target", "string"), col("target_id", "int64"),
                                         col("value", _classes(list(STANCE_VALUES)))]}
    frames = {"name": "frames", "list": _classes(frame_ids)}
    return [
        *(col(n, "string") for n in ("id", "article_id")), col("index", "int64"),
        *(col(n, "string") for n in ("title", "outlet", "date", "url", "lang", "text")),
        col("start", "int64"), col("end", "int64"), col("boilerplate", "bool"),
        {"name": "entities", "list": [
            col("start", "int64"), col("end", "int64"), col("label", _classes(list(ENTITY_LABELS))),
            *(col(n, "string") for n in ("raw_label", "text", "origin", "target")),
            col("target_id", "int64")]},
        col("label_source", "string"), frames, stance, col("irrelevant", "bool"),
        {"name": "unresolved", "list": "string"},
        {"name": "annotations", "list": [col("annotator", "string"), frames, stance,
                                         col("irrelevant", "bool"), col("note", "string")]},
    ]


def _yaml(value: Any, indent: int) -> list[str]:
    """A small YAML writer for the card's nested lists and maps of plain strings."""
    pad = "  " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            key = _yaml_str(k) if not k.isidentifier() else k
            if isinstance(v, (dict, list)):
                out += [f"{pad}{key}:"] + _yaml(v, indent + 1)
            else:
                out.append(f"{pad}{key}: {_yaml_str(str(v))}")
    else:
        for item in value:
            inner = _yaml(item, indent + 1)
            out.append(f"{pad}- {inner[0].lstrip()}")
            out += inner[1:]
    return out


def dataset_card(name: str, result: ExportResult, options: ExportOptions, split_files: dict[str, str],
                 languages: list[str], codebook: str, sample: AgreementSample,
                 frame_ids: list[str] | None = None) -> str:
    """README.md text: YAML front matter the Hub reads (configs, features, languages) and the
    tables."""
    names = [n for n in options.split_names if n in split_files]
    lines = ["---", f"pretty_name: {_yaml_str(name)}"]
    if languages:
        lines += ["language:"] + [f"- {lang}" for lang in languages]
    lines += ["task_categories:", "- text-classification", "- token-classification"]
    # No ``configs``: with them ``datasets`` keys its cache by the file *patterns*, so a new
    # export into the same folder loaded the old rows; without, it finds train/validation/test
    # by name and keys the cache by each file's mtime.
    if frame_ids is not None:
        lines += ["dataset_info:", "  features:"] + _yaml(features(frame_ids), 1)
    lines += ["---", "", f"# {name}", "",
              "Sentences from news articles with stance toward entities (targets) and frames, "
              f"exported by the news annotator (codebook `{codebook}`).", "",
              f"- labels: `{options.labels}`"
              + (f" (min agreement {options.min_agreement:g})" if options.labels == "majority" else ""),
              f"- annotators: {', '.join(options.annotators) if options.annotators else 'all'}",
              f"- split: {','.join(f'{r:g}' for r in options.split or ())} by article "
              f"(seed {options.seed}); no article is in two splits",
              f"- boilerplate sentences {'included' if options.include_boilerplate else 'left out'}; "
              f"unlabelled sentences {'included' if options.include_unlabelled else 'left out'}", ""]
    lines += ["## Splits", ""]
    rows = [[n, result.splits[n]["articles"], result.splits[n]["sentences"],
             result.split_counts[n].labels, result.split_counts[n].irrelevant]
            for n in options.split_names]
    lines += _table(["split", "articles", "sentences", "labels", "irrelevant"], rows) + [""]
    empty = [n for n in options.split_names if n not in split_files]
    if empty:
        lines += [f"Empty splits (no file written): {', '.join(empty)}.", ""]
    lines += ["## Label counts per split", ""]
    lines += _counts_table("Frame counts", list(options.split_names), result.split_counts,
                           lambda c: c.frames)
    lines += _counts_table("Stance counts", list(options.split_names), result.split_counts,
                           lambda c: c.stance)
    if result.tied_sentences or result.unresolved_fields:
        lines += [f"Majority vote left {result.tied_sentences} sentences with ties and "
                  f"{result.unresolved_fields} fields below the minimum agreement unresolved "
                  "(listed in each row's `unresolved`).", ""]
    lines += ["## Inter-annotator agreement", ""]
    alphas = sample.alphas()
    if alphas is None:
        lines += ["Not computed: no sentence in the export has labels from two annotators.", ""]
    else:
        used = sample.units
        lines += [f"Krippendorff's alpha over {used} sentences labelled by two or more annotators"
                  + (f" (the first {used} of {sample.seen})" if sample.seen > used else "") + ":", ""]
        lines += _table(["field", "alpha", "distance"],
                        [["frames", _fmt(alphas["frames"]), "MASI"],
                         ["irrelevant", _fmt(alphas["irrelevant"]), "nominal"],
                         ["stance (per target)", _fmt(alphas["stance"]), "ordinal"]]) + [""]
    lines += ["## Fields", "",
              "`id` (`<article id>:<sentence index>`), `article_id`, `text`, `lang`, `title`, `outlet`, "
              "`date`, `url`, `start`/`end` (offsets in the article), `entities` (offsets in `text`), "
              "`label_source`, `frames`, `stance` (list of target, target_id, value), `irrelevant`, "
              "`unresolved`, `annotations` (every annotator's label). See docs/formats.md.", ""]
    return "\n".join(lines)


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
