"""The native records every format is made from: one dict per sentence, grouped by article."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

from ..codebooks import Codebook
from ..model import GOLD_ANNOTATOR, Article, Label, Mention, Target
from ..progress import Progress
from .options import ExportOptions
from .resolve import Field, Resolved, from_label, majority

Record = dict[str, Any]


class TargetKeys:
    """How targets are named in exports: the canonical name, made unique with ``" #id"``.

    Keys are what stance maps use, so a file reads naturally ("Antony Blinken": "FAVOR") and can
    be imported into another project, where ids differ; every record also lists its targets'
    ``id``, ``name`` and ``kind`` so an importer can tell apart two targets of the same name.
    """

    def __init__(self, targets: Sequence[Target]) -> None:
        self.targets = tuple(targets)
        folded = Counter(t.name.casefold() for t in targets)
        self._key: dict[int, str] = {}
        self._info: dict[int, dict[str, Any]] = {}
        for t in targets:
            assert t.id is not None
            unique = folded[t.name.casefold()] == 1
            self._key[t.id] = t.name if unique else f"{t.name} #{t.id}"
            self._info[t.id] = {"id": t.id, "name": t.name, "kind": t.kind}

    def key(self, target_id: int) -> str:
        key = self._key.get(target_id)
        return key if key is not None else f"#{target_id}"

    def stance(self, stance: dict[int, str]) -> dict[str, str]:
        """A stance map with targets named by key (the hot loop of every export)."""
        known = self._key
        return {known[t] if t in known else f"#{t}": v for t, v in stance.items()}

    def info(self, target_id: int) -> dict[str, Any]:
        return dict(self._info.get(target_id, {"id": target_id, "name": None, "kind": None}))


def field_name(f: Field, keys: TargetKeys) -> str:
    """``stance:<target key>``, ``frame:<frame id>`` or ``irrelevant`` (as in flat label lists)."""
    kind, value = f
    if kind == "stance":
        assert isinstance(value, int)
        return f"stance:{keys.key(value)}"
    if kind == "frame":
        return f"frame:{value}"
    return kind


def provenance_dict(label: Label, keys: TargetKeys) -> Record | None:
    """The model suggestion a label accepted, targets named by key, and whether the annotator
    changed the label since (``changed``); None for a label typed by hand."""
    sug = label.suggestion
    if not sug:
        return None
    stance = {int(t): v for t, v in (sug.get("stance") or {}).items() if str(t).isdigit()}
    accepted = {t: v for t, v in stance.items() if t in label.stance}
    changed = (sorted(sug.get("frames") or []) != sorted(label.frames) if not label.irrelevant
               else not sug.get("irrelevant")) or any(label.stance[t] != v
                                                       for t, v in accepted.items())
    return {"from": "suggestion", "model": sug.get("model"), "version": sug.get("version"),
            "frames": list(sug.get("frames") or []), "irrelevant": bool(sug.get("irrelevant")),
            "stance": {keys.key(t): v for t, v in stance.items()}, "changed": bool(changed)}


def suggested_dict(label: dict[str, Any], keys: TargetKeys) -> Record:
    """A stored suggestion (the project model's or a peer tool's prediction) for export."""
    conf = label.get("confidence") or {}
    stance = {int(t): v for t, v in (label.get("stance") or {}).items() if str(t).isdigit()}
    out: Record = {"frames": list(label.get("frames") or []),
                   "irrelevant": bool(label.get("irrelevant")),
                   "stance": {keys.key(t): v for t, v in stance.items()}}
    if "version" in label:
        out["version"] = label["version"]
    if conf:
        out["confidence"] = {
            "frames": dict(conf.get("frames") or {}), "irrelevant": conf.get("irrelevant"),
            "stance": {keys.key(int(t)): p for t, p in (conf.get("stance") or {}).items()
                       if str(t).isdigit()}}
    return out


def label_dict(label: Label, keys: TargetKeys) -> Record:
    return {
        "stance": keys.stance(label.stance),
        "frames": list(label.frames),
        "irrelevant": label.irrelevant,
        "note": label.note,
        "created": label.created,
        "updated": label.updated,
        "decided_by": label.decided_by,
        "suggestion": provenance_dict(label, keys),
    }


def resolved_dict(res: Resolved, keys: TargetKeys) -> Record:
    return {
        "source": res.source,
        "stance": keys.stance(res.stance),
        "frames": list(res.frames),
        "irrelevant": res.irrelevant,
        "n_annotators": res.n_annotators,
        "unresolved": {field_name(f, keys): why for f, why in res.unresolved.items()},
        "decided_by": res.decided_by,
        "note": res.note,
        "created": res.created,
        "updated": res.updated,
    }


def mention_dict(m: Mention, offset: int, keys: TargetKeys) -> Record:
    """A mention with offsets made relative to ``offset`` (the sentence start, or 0)."""
    return {
        "start": m.start - offset, "end": m.end - offset, "label": m.label,
        "raw_label": m.raw_label, "text": m.text, "origin": m.origin,
        "target_id": m.target_id,
        "target": keys.key(m.target_id) if m.target_id is not None else None,
    }


@dataclass
class ArticleBundle:
    """One article with its selected sentence records (in order) and all its mentions."""

    article: Article
    records: list[Record]
    mentions: list[Mention]
    split: str | None = None
    targets: dict[str, Record] = field(default_factory=dict)  # key -> id, name, kind


class RecordBuilder:
    """Turns a project's articles into :class:`ArticleBundle` s, streaming, per the options."""

    def __init__(self, project: Any, options: ExportOptions,
                 targets: Sequence[Target] | None = None, codebook: Codebook | None = None) -> None:
        """``targets`` and ``codebook``: as read by another process when the export began (an
        export's worker), else the project's now."""
        self.project = project
        self.options = options
        self.keys = TargetKeys(project.targets() if targets is None else targets)
        self.codebook = project.codebook if codebook is None else codebook
        self.frame_order = project.codebook.frame_ids
        self.selected = set(options.annotators)
        # With one annotator named, "all" has a natural single label: that annotator's.
        self.single = options.annotators[0] if (options.labels == "all"
                                                and len(options.annotators) == 1) else None

    @property
    def resolves(self) -> bool:
        """True when each sentence has (at most) one label: gold, majority or a single annotator."""
        return self.options.labels != "all" or self.single is not None

    def _wanted(self, article: Article) -> bool:
        o = self.options
        return (o.lang is None or article.lang == o.lang) and (o.outlet is None or
                                                               article.outlet == o.outlet)

    def count(self) -> int:
        from ..store import ArticleFilter

        return int(self.project.count_articles(ArticleFilter(lang=self.options.lang,
                                                             outlet=self.options.outlet)))

    def bundles(self, progress: Progress, total: int, done: int = 0,
                message: str = "exporting", light: bool = False) -> Iterator[ArticleBundle]:
        """Bundles of the wanted articles that have sentences to export. ``light`` records hold
        only ``labels`` and ``label`` (enough to plan splits) and skip entities."""
        labelled = self.project.store.labels_by_article()  # in article order: merged below
        pending = next(labelled, None)
        for article in self.project.iter_articles():
            labels: list[Label] = []
            if pending is not None and pending[0] == article.id:
                labels = pending[1]
                pending = next(labelled, None)
            if not self._wanted(article):
                continue
            bundle = self.bundle(article, light, labels)
            done += 1
            progress.update(done, total, message)
            if bundle.records:
                yield bundle

    def _resolve(self, labels: list[Label]) -> Resolved | None:
        mode = self.options.labels
        if mode == "gold":
            gold = [lab for lab in labels if lab.annotator == GOLD_ANNOTATOR]
            return from_label(gold[0], GOLD_ANNOTATOR) if gold else None
        if mode == "majority":
            humans = [lab for lab in labels if lab.annotator != GOLD_ANNOTATOR
                      and (not self.selected or lab.annotator in self.selected)]
            if not humans:
                return None
            return majority(humans, self.options.min_agreement, self.frame_order)
        mine = [lab for lab in labels if lab.annotator == self.single]
        return from_label(mine[0]) if mine else None

    def _may_have_rows(self, by_sentence: dict[int, list[Label]]) -> bool:
        """Whether any sentence with these labels is labelled for this export (as in :meth:`bundle`)."""
        for labels in by_sentence.values():
            if self.resolves:
                if self._resolve(labels) is not None:
                    return True
            elif any(not self.selected or lab.annotator in self.selected for lab in labels):
                return True
        return False

    def bundle(self, article: Article, light: bool = False,
               labels: list[Label] | None = None) -> ArticleBundle:
        """The bundle of one article; ``labels`` are its labels when the caller has read them
        (:meth:`bundles` reads them for many articles at once), else they are read here."""
        o = self.options
        by_sentence: dict[int, list[Label]] = {}
        if labels is None:
            labels = self.project.labels(article_id=article.id)
        for lab in labels:
            by_sentence.setdefault(lab.sentence_id, []).append(lab)
        if not o.include_unlabelled and not self._may_have_rows(by_sentence):
            # No sentence can make a row: skip reading its sentences and mentions (most articles
            # of a big project, where a third are labelled). The bundle is the one the loop
            # below would build: no records, no mentions, no targets.
            return ArticleBundle(article=article, records=[], mentions=[])
        mentions = [] if light else self.project.mentions(article.id)  # ordered by start
        suggested = {} if light else self.project.store.article_suggestions(article.id)
        records: list[Record] = []
        used: set[int] = set()
        first = 0
        for s in self.project.store.sentences(article.id, with_mentions=False):
            while first < len(mentions) and mentions[first].start < s.start:
                first += 1
            inside = []
            i = first
            while i < len(mentions) and mentions[i].start < s.end:
                if mentions[i].end <= s.end:
                    inside.append(mentions[i])
                i += 1
            if s.boilerplate and not o.include_boilerplate:
                continue
            labels = by_sentence.get(s.id, [])
            shown = [lab for lab in labels if not self.selected or lab.annotator in self.selected]
            resolved = self._resolve(labels)
            labelled = resolved is not None if self.resolves else bool(shown)
            if not labelled and not o.include_unlabelled:
                continue
            if light:
                records.append({
                    "labels": {lab.annotator: label_dict(lab, self.keys) for lab in shown},
                    "label": resolved_dict(resolved, self.keys) if resolved is not None else None,
                })
                continue
            rec = self.sentence_record(article, s.index, s.start, s.end, s.text, s.lang,
                                       s.boilerplate, inside, shown, resolved)
            if s.id in suggested:
                rec["suggested"] = {model: suggested_dict(lab, self.keys)
                                    for model, lab in sorted(suggested[s.id].items())}
            used.update(rec["targets"][k]["id"] for k in rec["targets"])
            records.append(rec)
        if records:
            used.update(m.target_id for m in mentions if m.target_id is not None)
        targets = {self.keys.key(t): self.keys.info(t) for t in sorted(used)}
        return ArticleBundle(article=article, records=records, mentions=mentions if records else [],
                             targets=targets)

    def sentence_record(self, article: Article, index: int, start: int, end: int, text: str,
                        lang: str, boilerplate: bool, mentions: list[Mention],
                        labels: list[Label], resolved: Resolved | None) -> Record:
        keys = self.keys
        targets: set[int] = {m.target_id for m in mentions if m.target_id is not None}
        for lab in labels:
            targets.update(lab.stance)
        if resolved is not None:
            targets.update(resolved.stance)
            targets.update(int(t) for kind, t in resolved.unresolved if kind == "stance"
                           and t is not None)
        return {
            "id": f"{article.id}:{index}",
            "article_id": article.id,
            "index": index,
            "title": article.title,
            "outlet": article.outlet,
            "date": article.date,
            "url": article.url,
            "lang": lang,
            "article_lang": article.lang,
            "text": text,
            "start": start,
            "end": end,
            "boilerplate": boilerplate,
            "entities": [mention_dict(m, start, keys) for m in mentions],
            "targets": {keys.key(t): keys.info(t) for t in sorted(targets)},
            "labels": {lab.annotator: label_dict(lab, keys) for lab in labels},
            "label": resolved_dict(resolved, keys) if resolved is not None else None,
            "codebook": self.codebook.name,
        }


def label_units(rec: Record, resolves: bool) -> list[tuple[str | None, Record | None]]:
    """The (annotator, label) pairs a row-per-label format writes for one sentence record.

    With a resolved label that is the one pair; with ``--labels all`` one pair per annotator;
    an unlabelled sentence gives ``(None, None)``.
    """
    if resolves:
        label = rec["label"]
        return [(label["source"], label)] if label is not None else [(None, None)]
    if rec["labels"]:
        return sorted(rec["labels"].items())
    return [(None, None)]


def stratum(records: list[Record], resolves: bool) -> str:
    """An article's main label, for stratified splits: its commonest frame, else stance value,
    else "irrelevant", else "none"."""
    frames: Counter[str] = Counter()
    stances: Counter[str] = Counter()
    irrelevant = 0
    for rec in records:
        for _, label in label_units(rec, resolves):
            if label is None:
                continue
            frames.update(label["frames"])
            stances.update(label["stance"].values())
            irrelevant += bool(label["irrelevant"])
    for prefix, counter in (("frame", frames), ("stance", stances)):
        if counter:
            best = max(counter.values())
            return f"{prefix}:{min(k for k, v in counter.items() if v == best)}"
    return "irrelevant" if irrelevant else "none"
