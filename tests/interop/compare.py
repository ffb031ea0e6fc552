"""What a project holds, keyed so two projects (with different ids) can be compared."""
from __future__ import annotations

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
