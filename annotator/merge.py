"""Merging another project file's or native JSONL export's labels, entity edits and targets."""
from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

from .ingest.base import RawArticle, reader_for
from .ingest.encoding import NotText
from .ingest.fields import language_code
from .model import ENTITY_LABELS, STANCE_VALUES, Article, ImportIssue, Label, Mention, Sentence, Target
from .nlp.language import detect_language
from .progress import Cancelled, Progress
from .store import Change, Store, StoreError

#: The name merge events are logged under (``Project.undo("merge")`` reverts the last article merged).
MERGE_ACTOR = "merge"


#: Splits an article from a file the way import does: ``Project.prepare_article``.
Prepare = Callable[[RawArticle], tuple[Article, list[Sentence]]]


class MergeError(Exception):
    """The other file cannot be read at all (missing, not a project, unknown format)."""


# -- what a source gives ------------------------------------------------------------------------------


@dataclass
class SourceArticle:
    """One article of the other file. Ids in ``labels``/``mentions`` are the source's own."""

    article: Article
    sentences: list[Sentence]  # ``id`` is the source's sentence id, referenced by ``Label.sentence_id``
    labels: list[Label]  # stance keys are source target ids
    mentions: list[Mention]  # every mention (model ones are used only when the article is copied)
    #: ``sentences`` are the article's complete split (a project file); else only labelled ones,
    #: and ``raw`` (when the file has the text) is split the way import does to copy the article.
    complete: bool = True
    raw: RawArticle | None = None


class MergeSource(Protocol):
    name: str
    issues: list[str]

    def targets(self) -> dict[int, Target]: ...

    def count(self) -> int: ...

    def __iter__(self) -> Iterator[SourceArticle]: ...

    def late_issues(self) -> list[str]: ...

    def close(self) -> None: ...


class ProjectSource:
    """Another project file, read in place through a read-only connection.

    Never opened for writing (that would switch it to WAL and upgrade an older schema, changing
    another annotator's file) and never copied (a killed merge would leave the copy behind).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.name = str(path)
        self.issues: list[str] = []
        try:
            self.store = Store(path, readonly=True)
        except StoreError as exc:
            raise MergeError(f"{path}: {exc}") from exc

    def targets(self) -> dict[int, Target]:
        return {t.id: t for t in self.store.targets() if t.id is not None}

    def count(self) -> int:
        return self.store.count_articles()

    def __iter__(self) -> Iterator[SourceArticle]:
        for article in self.store.iter_articles():
            yield SourceArticle(
                article=article,
                sentences=self.store.sentences(article.id, with_mentions=False),
                labels=self.store.labels(article_id=article.id),
                mentions=self.store.mentions(article.id),
            )

    def late_issues(self) -> list[str]:
        """Read immutable (nobody had it open), but someone opened it for writing meanwhile:
        what was read may be stale. Merging is idempotent, so merging again makes sure."""
        if self.store.immutable and os.path.exists(self.name + "-wal"):
            return [f"{self.name} was opened by another program during the merge; merge it again"
                    " to be sure every change in it was read"]
        return []

    def close(self) -> None:
        self.store.close()


def _read_reporting(read: Callable[[Path], Any], path: Path, issues: list[str]) -> Iterator[Any]:
    """A reader's items; a file found not to be text ends them with an issue, not an exception."""
    try:
        yield from read(path)
    except NotText as exc:
        issues.append(f"{path}: {exc}")


class JsonlSource:
    """A native JSONL export (sentence lines or article lines), read with the import readers.

    Sentence lines carry labels only: their articles cannot be copied in and their entity edits
    are not in the file. Article lines carry the text and every entity as well.
    """

    def __init__(self, path: Path, read: Callable[[Path], Any]) -> None:
        self.name = str(path)
        self.issues: list[str] = []
        self._targets: dict[int, Target] = {}
        self._keys: dict[tuple[str, int | None], int] = {}
        self._articles: dict[str, SourceArticle] = {}
        self._spans: dict[str, dict[tuple[int, int], Sentence]] = {}
        for item in _read_reporting(read, path, self.issues):
            if isinstance(item, ImportIssue):
                self.issues.append(str(item))
            elif isinstance(item, RawArticle):
                aid = item.content_id
                art = Article(id=aid, title=item.title or "", text=item.text,
                              lang=item.lang or "und", outlet=item.outlet, date=item.date,
                              url=item.url, source=self.name, meta=dict(item.meta))
                self._add(self._article(art, item), item.annotations)
            else:  # RawLabels: sentence lines of an article the file has no text of
                art = Article(id=item.article_id, title=f"(article {item.article_id})", text="")
                self._add(self._article(art, None), item.annotations)

    def _article(self, art: Article, raw: RawArticle | None) -> SourceArticle:
        if art.id not in self._articles:
            self._articles[art.id] = SourceArticle(art, [], [], [], complete=False, raw=raw)
            self._spans[art.id] = {}
        elif raw is not None and self._articles[art.id].raw is None:
            self._articles[art.id].raw = raw
            self._articles[art.id].article = art
        return self._articles[art.id]

    def _target(self, key: str, targets: Any) -> int | None:
        info = targets.get(key) if isinstance(targets, dict) else None
        info = info if isinstance(info, dict) else {}
        their_id = info.get("id") if isinstance(info.get("id"), int) else None
        slot = (key, their_id)
        if slot not in self._keys:
            kind = info.get("kind")
            if kind not in ENTITY_LABELS:
                self.issues.append(f"target {key!r} has no kind in the file: matched by name only")
                kind = None
            name = str(info.get("name") or key.rsplit(" #", 1)[0])
            local = len(self._keys) + 1
            self._keys[slot] = local
            self._targets[local] = Target(name=name, kind=kind or "", aliases=[name], id=local)
        return self._keys[slot]

    def _add(self, item: SourceArticle, annotations: list[dict[str, Any]]) -> None:
        spans = self._spans[item.article.id]
        for ann in annotations:
            try:
                if ann.get("kind") == "mention":
                    start, end = int(ann["start"]), int(ann["end"])
                    key = ann.get("target")
                    item.mentions.append(Mention(
                        start=start, end=end, label=str(ann.get("label") or "MISC"),
                        text=str(ann.get("text") or item.article.text[start:end]),
                        origin=str(ann.get("origin") or "import"), raw_label=ann.get("raw_label"),
                        target_id=self._target(str(key), ann.get("targets")) if key else None))
                    continue
                start, end = int(ann["start"]), int(ann["end"])
                if (start, end) not in spans:
                    text = ann.get("text") or item.article.text[start:end]
                    spans[(start, end)] = Sentence(len(spans) + 1, item.article.id, -1, start, end,
                                                   str(text))
                    item.sentences.append(spans[(start, end)])
                stance = {}
                for key, value in (ann.get("stance") or {}).items():
                    if str(value).upper() not in STANCE_VALUES:
                        raise ValueError(f"stance {value!r} toward {key!r}")
                    stance[self._target(str(key), ann.get("targets"))] = str(value).upper()
                item.labels.append(Label(
                    sentence_id=spans[(start, end)].id, annotator=str(ann["annotator"]),
                    stance={t: v for t, v in stance.items() if t is not None},
                    frames=[str(f) for f in ann.get("frames") or []],
                    irrelevant=bool(ann.get("irrelevant")), note=str(ann.get("note") or ""),
                    created=ann.get("created"), updated=ann.get("updated"),
                    decided_by=ann.get("decided_by")))
            except (KeyError, TypeError, ValueError) as exc:
                self.issues.append(f"{self.name}:{ann.get('line')}: annotation skipped ({exc})")

    def targets(self) -> dict[int, Target]:
        return self._targets

    def count(self) -> int:
        return len(self._articles)

    def __iter__(self) -> Iterator[SourceArticle]:
        return iter(list(self._articles.values()))

    def late_issues(self) -> list[str]:
        return []

    def close(self) -> None:
        pass


#: The import readers whose output is a merge source (the native formats, which keep timestamps).
NATIVE_READERS = ("native-sentences", "native-articles")


def open_source(path: str | os.PathLike[str]) -> MergeSource:
    p = Path(path)
    if not p.is_file():
        raise MergeError(f"{p}: no such file")
    entry = reader_for(p)
    if entry is not None and entry.name in NATIVE_READERS:
        return JsonlSource(p, entry.read)
    # Anything else must be a project file. Its header is read by SQLite, never with open():
    # this process may have that file open in SQLite, and closing a plain descriptor of it
    # would drop SQLite's locks (see annotator.store.probe).
    try:
        return ProjectSource(p)
    except MergeError as exc:
        raise MergeError(f"{p}: neither a project file nor a native JSONL export"
                         f" (annotator export --format jsonl or articles): {exc.__cause__}") from exc


# -- the report ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelConflict:
    """The same annotator labelled the same sentence differently in both files."""

    article_id: str
    sentence_index: int
    annotator: str
    kept: str  # "this" (ours was newer or as new) or "other" (theirs was newer: it replaced ours)
    this_updated: str | None
    other_updated: str | None


@dataclass(frozen=True)
class MentionConflict:
    article_id: str
    start: int
    end: int
    text: str
    this: str  # "LABEL -> target" as kept
    other: str  # as in the other file (not taken)


@dataclass(frozen=True)
class UnmatchedSentence:
    article_id: str
    start: int
    end: int
    text: str
    labels: int


@dataclass(frozen=True)
class MissingArticle:
    article_id: str
    title: str
    labels: int


@dataclass
class MergeReport:
    source: str
    articles_seen: int = 0
    articles_matched: int = 0
    articles_added: int = 0
    labels_added: int = 0
    labels_replaced: int = 0  # ours was older: the other file's label replaced it (also a conflict)
    labels_same: int = 0
    targets_matched: int = 0
    targets_created: int = 0
    aliases_added: int = 0
    mentions_added: int = 0
    mentions_updated: int = 0  # a model mention the other file's annotator had edited
    mentions_same: int = 0
    conflicts: list[LabelConflict] = field(default_factory=list)
    mention_conflicts: list[MentionConflict] = field(default_factory=list)
    missing_articles: list[MissingArticle] = field(default_factory=list)
    unmatched_sentences: list[UnmatchedSentence] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    cancelled: bool = False
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.articles_added or self.labels_added or self.labels_replaced
                    or self.targets_created or self.aliases_added or self.mentions_added
                    or self.mentions_updated)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return data

    def lines(self) -> list[str]:
        out = [
            f"merged {self.source}: {self.articles_matched} of {self.articles_seen} articles matched"
            + (f", {self.articles_added} added" if self.articles_added else ""),
            f"  labels: {self.labels_added} added, {self.labels_replaced} replaced by newer,"
            f" {self.labels_same} already present, {len(self.conflicts)} conflicts",
            f"  targets: {self.targets_matched} matched, {self.targets_created} created,"
            f" {self.aliases_added} aliases added",
            f"  entity edits: {self.mentions_added} added, {self.mentions_updated} updated,"
            f" {self.mentions_same} already present, {len(self.mention_conflicts)} conflicts",
        ]
        for c in self.conflicts:
            out.append(f"  conflict: {c.annotator} on sentence {c.sentence_index + 1} of"
                       f" {c.article_id[:12]}: kept {c.kept}'s label (this {c.this_updated},"
                       f" other {c.other_updated})")
        for m in self.mention_conflicts:
            out.append(f"  entity conflict: '{m.text}' {m.start}-{m.end} in {m.article_id[:12]}:"
                       f" kept {m.this}, other has {m.other}")
        if self.missing_articles:
            out.append(f"  {len(self.missing_articles)} articles are not in this project"
                       f" ({sum(a.labels for a in self.missing_articles)} labels not merged);"
                       " use --add-articles to copy them in:")
            out += [f"    {a.article_id[:12]} {a.title[:60]} ({a.labels} labels)"
                    for a in self.missing_articles]
        if self.unmatched_sentences:
            out.append(f"  {len(self.unmatched_sentences)} labelled sentences have no sentence with"
                       " the same span here (different sentence splitting?):")
            out += [f"    {u.article_id[:12]} {u.start}-{u.end} '{u.text[:50]}' ({u.labels} labels)"
                    for u in self.unmatched_sentences]
        out += [f"  problem: {i}" for i in self.issues]
        if self.cancelled:
            out.append("  cancelled: the articles merged so far are kept")
        return out


# -- merging ------------------------------------------------------------------------------------------


def _same_label(a: Label, b: Label) -> bool:
    return (a.stance == b.stance and sorted(a.frames) == sorted(b.frames)
            and a.irrelevant == b.irrelevant and a.note == b.note and a.decided_by == b.decided_by)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Merger:
    def __init__(self, store: Store, source: MergeSource, report: MergeReport, frame_ids: set[str],
                 add_articles: bool, prepare: Prepare | None) -> None:
        self.store = store
        self.prepare = prepare
        self.source = source
        self.report = report
        self.frame_ids = frame_ids
        self.add_articles = add_articles
        self.their_targets = source.targets()
        self.target_map: dict[int, int] = {}  # their target id -> ours
        self.ours: list[Target] = store.targets()
        self._seen_version = store.data_version()
        self._pending_ids: dict[str, int] = {}

    def _refresh_if_changed(self) -> None:
        """Another process wrote the project since: read our targets again (one may have been
        merged away or renamed), and drop mappings to targets that are gone."""
        version = self.store.data_version()
        if version == self._seen_version:
            return
        self._seen_version = version
        self.ours = self.store.targets()
        alive = {t.id for t in self.ours}
        self.target_map = {k: v for k, v in self.target_map.items() if v in alive}

    # Ids for rows created inside one article's transaction (next_id only sees written rows).
    def _new_id(self, table: str) -> int:
        nid = max(self.store.next_id(table), self._pending_ids.get(table, 0))
        self._pending_ids[table] = nid + 1
        return nid

    def _target_label(self, tid: int | None) -> str:
        if tid is None:
            return "no target"
        t = self.their_targets.get(tid)
        return t.name if t else f"target {tid}"

    def _find_target(self, theirs: Target) -> Target | None:
        names = [_fold(theirs.name)] + [_fold(a) for a in theirs.aliases]
        # An unknown kind ("": a file that did not say) matches on the name alone.
        same_kind = [t for t in self.ours if t.kind == theirs.kind or not theirs.kind]
        for t in same_kind:  # the canonical name first, then any alias
            if _fold(t.name) == names[0]:
                return t
        for t in same_kind:
            known = {_fold(t.name), *(_fold(a) for a in t.aliases)}
            if known.intersection(names):
                return t
        return None

    def map_target(self, their_id: int, changes: list[Change], created: list[int]) -> int | None:
        if their_id in self.target_map:
            return self.target_map[their_id]
        theirs = self.their_targets.get(their_id)
        if theirs is None:
            self.report.issues.append(f"target {their_id} is referenced but not defined in the other file")
            return None
        mine = self._find_target(theirs)
        if mine is None and not theirs.kind:
            self.report.issues.append(f"target {theirs.name!r} is not in this project and the file"
                                      " does not give its kind: not created")
            return None
        if mine is None:
            tid = self._new_id("targets")
            changes.append(Change("targets", {"id": tid}, None,
                                  {"id": tid, "name": theirs.name, "kind": theirs.kind,
                                   "pinned": int(theirs.pinned)}))
            aliases = list(dict.fromkeys([theirs.name, *theirs.aliases]))
            for alias in aliases:
                key = {"target_id": tid, "alias": alias}
                changes.append(Change("target_aliases", key, None, dict(key)))
            mine = Target(name=theirs.name, kind=theirs.kind, aliases=aliases, id=tid)
            self.ours.append(mine)
            self.report.targets_created += 1
        else:
            assert mine.id is not None
            for alias in [a for a in dict.fromkeys([theirs.name, *theirs.aliases])
                          if a not in mine.aliases]:
                key = {"target_id": mine.id, "alias": alias}
                changes.append(Change("target_aliases", key, None, dict(key)))
                mine.aliases.append(alias)
                self.report.aliases_added += 1
            self.report.targets_matched += 1
        assert mine.id is not None
        self.target_map[their_id] = mine.id
        created.append(their_id)
        return mine.id

    def merge_article(self, item: SourceArticle) -> None:
        """One article in one transaction: a failure leaves the article as it was."""
        report = self.report
        saved = self.report_counts()
        created: list[int] = []
        try:
            with self.store.transaction():
                self._refresh_if_changed()
                self._pending_ids.clear()
                self._merge_article(item, created)
        except StoreError:
            raise  # the project file itself (e.g. read-only): no article would merge
        except Exception as exc:
            for tid in created:
                self.target_map.pop(tid, None)
            self.restore_counts(saved)
            # Targets created or given aliases in the rolled-back transaction: read them again.
            self.ours = self.store.targets()
            report.issues.append(f"article {item.article.id[:12]} ({item.article.title[:40]}) not"
                                 f" merged: {exc}")
        finally:
            self._pending_ids.clear()

    _COUNTS = ("articles_matched", "articles_added", "labels_added", "labels_replaced",
               "labels_same", "targets_matched", "targets_created", "aliases_added",
               "mentions_added", "mentions_updated", "mentions_same")

    def report_counts(self) -> tuple[Any, ...]:
        r = self.report
        return (tuple(getattr(r, k) for k in self._COUNTS), len(r.conflicts),
                len(r.mention_conflicts), len(r.unmatched_sentences))

    def restore_counts(self, saved: tuple[Any, ...]) -> None:
        r = self.report
        for k, v in zip(self._COUNTS, saved[0]):
            setattr(r, k, v)
        del r.conflicts[saved[1]:], r.mention_conflicts[saved[2]:], r.unmatched_sentences[saved[3]:]

    def _merge_article(self, item: SourceArticle, created: list[int]) -> None:
        store, report, art = self.store, self.report, item.article
        changes: list[Change] = []
        new_article = not store.has_article(art.id)
        if new_article:
            if item.complete:
                if language_code(art.lang or "") is None:  # another file: check, as import does
                    report.issues.append(f"article {art.id}: language {art.lang!r} is not a "
                                         "language code; detected instead")
                    art = replace(art, lang=detect_language(art.text))
                sentences = [Sentence(0, art.id, s.index, s.start, s.end, s.text,
                                      s.lang if language_code(s.lang or "") else art.lang,
                                      s.boilerplate) for s in item.sentences]
            elif item.raw is not None and self.prepare is not None:
                art, sentences = self.prepare(item.raw)
            else:
                sentences = []
            if not self.add_articles or not sentences:
                report.missing_articles.append(MissingArticle(art.id, art.title, len(item.labels)))
                if self.add_articles:
                    report.issues.append(f"article {art.id} cannot be copied in: the file has"
                                         " its labels but not its text (export --format articles)")
                return
            store.insert_article(art, sentences)
            report.articles_added += 1
        else:
            report.articles_matched += 1

        self._merge_mentions(item, new_article, changes, created)

        ours_by_span = {(s.start, s.end): s for s in store.sentences(art.id, with_mentions=False)}
        theirs_by_id = {s.id: s for s in item.sentences}
        our_labels = {(lab.sentence_id, lab.annotator): lab for lab in store.labels(article_id=art.id)}
        unmatched: dict[int, int] = {}
        for theirs in item.labels:
            sent = theirs_by_id.get(theirs.sentence_id)
            mine = ours_by_span.get((sent.start, sent.end)) if sent else None
            if sent is None or mine is None:
                unmatched[theirs.sentence_id] = unmatched.get(theirs.sentence_id, 0) + 1
                continue
            unknown = [f for f in theirs.frames if f not in self.frame_ids]
            if unknown:
                report.issues.append(
                    f"{theirs.annotator}'s label on sentence {mine.index + 1} of {art.id[:12]} uses"
                    f" frames not in this project's codebook ({', '.join(unknown)}): not merged")
                continue
            stance: dict[int, str] = {}
            ours_of: dict[int, int] = {}
            for tid, value in theirs.stance.items():
                ours_tid = self.map_target(tid, changes, created)
                if ours_tid is not None:
                    stance[ours_tid] = value
                    ours_of[tid] = ours_tid
            if len(stance) < len(theirs.stance):
                report.issues.append(f"{theirs.annotator}'s label on sentence {mine.index + 1} of"
                                     f" {art.id[:12]} names a target that could not be matched:"
                                     " not merged")
                continue
            label = Label(sentence_id=mine.id, annotator=theirs.annotator, stance=stance,
                          frames=list(theirs.frames), irrelevant=theirs.irrelevant,
                          note=theirs.note, created=theirs.created, updated=theirs.updated,
                          decided_by=theirs.decided_by,
                          suggestion=_mapped_suggestion(theirs.suggestion, ours_of))
            existing = our_labels.get((mine.id, theirs.annotator))
            if existing is not None:
                if _same_label(existing, label):
                    report.labels_same += 1
                    continue
                newer = (label.updated or "") > (existing.updated or "")
                report.conflicts.append(LabelConflict(
                    art.id, mine.index, theirs.annotator, "other" if newer else "this",
                    existing.updated, label.updated))
                if not newer:
                    continue
                report.labels_replaced += 1
            else:
                report.labels_added += 1
            aid = store.annotator_id(theirs.annotator)
            assert aid is not None  # created before the article transactions
            changes += store.label_changes(label, aid)
        for sid, n in unmatched.items():
            sent = theirs_by_id.get(sid)
            report.unmatched_sentences.append(UnmatchedSentence(
                art.id, sent.start if sent else -1, sent.end if sent else -1,
                sent.text if sent else f"(sentence {sid} missing from the other file)", n))
        # Row order matters for the foreign keys: targets and aliases, then mentions, then labels.
        order = {"targets": 0, "target_aliases": 1, "mentions": 2}
        changes.sort(key=lambda c: order.get(c.table, 3))
        store.apply(MERGE_ACTOR, "merge", changes,
                    summary=f"merge {Path(self.source.name).name}: {art.title[:40]}")

    def _merge_mentions(self, item: SourceArticle, new_article: bool, changes: list[Change],
                        created: list[int]) -> None:
        report, art = self.report, item.article
        ours = {} if new_article else {(m.start, m.end): m for m in self.store.mentions(art.id)}
        for m in item.mentions:
            edited = m.origin.startswith("annotator:")
            if not (edited or new_article):
                continue
            tid = None if m.target_id is None else self.map_target(m.target_id, changes, created)
            row = {"article_id": art.id, "start": m.start, "end": m.end, "label": m.label,
                   "raw_label": m.raw_label, "text": m.text, "normal": m.normal,
                   "origin": m.origin, "target_id": tid}
            mine = ours.get((m.start, m.end))
            if mine is None:
                mid = self._new_id("mentions")
                changes.append(Change("mentions", {"id": mid}, None, {"id": mid, **row}))
                ours[(m.start, m.end)] = Mention(m.start, m.end, m.label, m.text, m.origin,
                                                 target_id=tid, id=mid)
                if edited:
                    report.mentions_added += 1
                continue
            if (mine.label, mine.target_id, mine.origin) == (m.label, tid, m.origin):
                report.mentions_same += 1
            elif not mine.origin.startswith("annotator:"):
                assert mine.id is not None
                before = self.store.mention_row(mine.id)
                assert before is not None
                changes.append(Change("mentions", {"id": mine.id}, before,
                                      {**before, "label": m.label, "origin": m.origin,
                                       "target_id": tid}))
                report.mentions_updated += 1
            else:
                ours_target = self.store.target(mine.target_id) if mine.target_id else None
                report.mention_conflicts.append(MentionConflict(
                    art.id, m.start, m.end, m.text,
                    f"{mine.label} -> {ours_target.name if ours_target else 'no target'}"
                    f" ({mine.origin})",
                    f"{m.label} -> {self._target_label(m.target_id)} ({m.origin})"))


def merge_source(
    store: Store,
    source: MergeSource,
    frame_ids: set[str],
    progress: Progress | Callable[[int, int, str], None] | None = None,
    add_articles: bool = False,
    prepare: Prepare | None = None,
) -> MergeReport:
    """Merge ``source`` into ``store`` (see :func:`merge_project`); ``prepare`` splits new articles."""
    started = time.perf_counter()
    prog = Progress.wrap(progress)
    report = MergeReport(source=source.name)
    report.issues += source.issues
    merger = _Merger(store, source, report, frame_ids, add_articles, prepare)
    total = source.count()
    prog.update(0, total, "starting")
    try:
        annotators: set[str] = set()
        for item in source:
            report.articles_seen += 1
            # Annotators are made outside the article transactions: the store caches their ids.
            wanted = add_articles or store.has_article(item.article.id)
            for lab in item.labels if wanted else ():
                if lab.annotator not in annotators:
                    store.annotator_id(lab.annotator, create=True)
                    annotators.add(lab.annotator)
            merger.merge_article(item)
            prog.update(report.articles_seen, total, item.article.title[:40])
    except Cancelled:
        report.cancelled = True
    report.issues += source.late_issues()
    report.seconds = time.perf_counter() - started
    return report


def merge_project(
    project: Any,
    other_path: str | os.PathLike[str],
    progress: Progress | Callable[[int, int, str], None] | None = None,
    add_articles: bool = False,
) -> MergeReport:
    """Merge ``other_path`` (a project file or a native JSONL export) into ``project``.

    Brings every annotator's labels (gold too), annotator-made entity edits and the targets they
    use. Articles match by content hash, sentences by (article, start, end). Another annotator's
    label is never overwritten; when the *same* annotator labelled a sentence differently in both
    files, the newer ``updated`` wins and the pair is reported as a conflict. Merging twice changes
    nothing. One transaction (and one undoable ``merge`` event) per article.
    """
    if Path(other_path).resolve() == Path(project.path).resolve():
        raise MergeError("cannot merge a project into itself")
    source = open_source(other_path)
    try:
        project.maybe_backup_quietly()
        report = merge_source(project.store, source, set(project.codebook.frame_ids), progress,
                              add_articles, project.prepare_article)
        if project.backup_error:
            report.issues.insert(0, f"no backup was made before the merge: {project.backup_error}")
        return report
    finally:
        source.close()


def _mapped_suggestion(suggestion: dict[str, Any] | None,
                       ours_of: dict[int, int]) -> dict[str, Any] | None:
    """A label's suggestion provenance with its stance targets renamed to this file's ids
    (a target the label itself does not name is left out)."""
    if not suggestion:
        return None
    stance = {str(ours_of[int(t)]): v for t, v in (suggestion.get("stance") or {}).items()
              if str(t).isdigit() and int(t) in ours_of}
    return {**suggestion, "stance": stance}
