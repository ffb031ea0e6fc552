"""The dataset card (README.md) of the hf format: splits, label counts and inter-annotator agreement."""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable

from ..model import GOLD_ANNOTATOR, STANCE_VALUES
from .options import ExportOptions, ExportResult, LabelCounts

#: Agreement is computed on at most this many multiply-annotated sentences (the first ones in
#: project order), so memory stays bounded on any project.
MAX_UNITS = 50_000


class AgreementSample:
    """Collects what Krippendorff's alpha needs from sentences labelled by two or more people."""

    def __init__(self) -> None:
        self.units: list[dict[str, Any]] = []  # annotator -> (frames, irrelevant, stance)
        self.seen = 0

    def add(self, labels: dict[str, dict[str, Any]]) -> None:
        humans = {a: lab for a, lab in labels.items() if a != GOLD_ANNOTATOR}
        if len(humans) < 2:
            return
        self.seen += 1
        if len(self.units) < MAX_UNITS:
            self.units.append({a: (frozenset(lab["frames"]), bool(lab["irrelevant"]),
                                   dict(lab["stance"])) for a, lab in humans.items()})

    def alphas(self) -> dict[str, float | None] | None:
        """Alpha for frames (MASI), irrelevant (nominal) and stance (ordinal) or None when the
        agreement functions are missing or no sentence has two annotators."""
        try:
            from ..agreement import krippendorff_alpha, krippendorff_alpha_sets
        except ImportError:
            return None
        if not self.units:
            return None
        coders = sorted({a for u in self.units for a in u})

        def rows(value: Callable[[tuple[Any, ...]], Any], units: list[dict[str, Any]]) -> list[list[Any]]:
            return [[value(u[c]) if c in u else None for u in units] for c in coders]

        stance_units: list[dict[str, Any]] = []
        for u in self.units:
            for key in sorted({k for v in u.values() for k in v[2]}):
                stance_units.append({c: (None, None, v[2].get(key)) for c, v in u.items()})
        return {
            "frames": krippendorff_alpha_sets(rows(lambda v: v[0], self.units)),
            "irrelevant": krippendorff_alpha(rows(lambda v: v[1], self.units), "nominal"),
            "stance": krippendorff_alpha(rows(lambda v: v[2], stance_units), "ordinal",
                                         categories=list(STANCE_VALUES))
            if stance_units else None,
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


def dataset_card(name: str, result: ExportResult, options: ExportOptions, split_files: dict[str, str],
                 languages: list[str], codebook: str, sample: AgreementSample) -> str:
    """README.md text: YAML front matter the Hub reads (configs, languages) and the tables."""
    names = [n for n in options.split_names if n in split_files]
    lines = ["---", f"pretty_name: {_yaml_str(name)}"]
    if languages:
        lines += ["language:"] + [f"- {lang}" for lang in languages]
    lines += ["task_categories:", "- text-classification", "- token-classification",
              "configs:", "- config_name: default", "  data_files:"]
    for n in names:
        lines += [f"  - split: {n}", f"    path: {split_files[n]}"]
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
        used = len(sample.units)
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
