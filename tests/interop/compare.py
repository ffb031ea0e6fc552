"""What a project holds, keyed so two projects (with different ids) can be compared."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from annotator import Project


def labels_by_text(p: Project) -> dict[tuple[str, str], dict[str, Any]]:
    """(sentence text, annotator) -> stance by target name, frames, irrelevant, note, decided_by."""
    names = {t.id: t.name for t in p.targets()}
    out = {}
    for a in p.iter_articles():
        texts = {s.id: s.text for s in p.sentences(a.id)}
        for lab in p.labels(article_id=a.id):
            out[(texts[lab.sentence_id], lab.annotator)] = {
                "stance": {names[t]: v for t, v in lab.stance.items()},
                "frames": sorted(lab.frames), "irrelevant": lab.irrelevant, "note": lab.note,
                "decided_by": lab.decided_by}
    return out


def spans_by_text(p: Project) -> set[tuple[str, str, str, str]]:
    """(entity text, label, origin, sentence text) of every mention."""
    out = set()
    for a in p.iter_articles():
        for s in p.sentences(a.id):
            out |= {(m.text, m.label, m.origin, s.text) for m in s.mentions}
    return out


def survival(before: dict[tuple[str, str], Any], after: dict[tuple[str, str], Any]) -> dict[str, int]:
    return {"labels": len(before), "kept": sum(after.get(k) == v for k, v in before.items()),
            "annotators": len({a for _, a in after}), "gold": sum(a == "gold" for _, a in after)}


#: What each round trip kept, for the closing table: (tool, direction) -> counts.
ROUND_TRIPS: dict[tuple[str, str], dict[str, Any]] = {}
OUT = Path(os.environ.get("ANNOTATOR_INTEROP_OUT",
                          Path(__file__).resolve().parents[2] / "out" / "interop-round-trips.json"))


def record(tool: str, direction: str, counts: dict[str, Any]) -> None:
    """Keep one round trip's counts; the whole table is rewritten to :data:`OUT` each time and
    printed at the end of the run (``conftest.pytest_terminal_summary``)."""
    ROUND_TRIPS[(tool, direction)] = counts
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps([{"tool": t, "direction": d, **c}
                               for (t, d), c in ROUND_TRIPS.items()], indent=1) + "\n",
                   encoding="utf-8")


def table_lines() -> list[str]:
    """The round trips as a Markdown table (labels, annotators, gold, entity spans: before → kept)."""
    if not ROUND_TRIPS:
        return []
    out = ["| tool | direction | labels kept | annotators | gold labels | entity spans kept | "
           "skipped (counted) |", "|---|---|---|---|---|---|---|"]
    for (tool, direction), c in ROUND_TRIPS.items():
        labels = f"{c['kept']}/{c['labels']}" if "labels" in c else "–"
        spans = f"{c['spans_kept']}/{c['spans']}" if "spans_kept" in c else "–"
        out.append(f"| {tool} | {direction} | {labels} | {c.get('annotators', '–')} | "
                   f"{c.get('gold', '–')} | {spans} | {c.get('skipped', 0)} |")
    return out
