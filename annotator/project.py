"""The public Python API: a project file with its articles, targets, labels and history."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from .codebooks import Codebook, CodebookError, load_codebook
from .ingest import RawArticle, expand_paths, read_paths
from .ingest.annotations import RawLabels
from .model import (
    ENTITY_LABELS,
    GOLD_ANNOTATOR,
    Article,
    ImportIssue,
    ImportReport,
    Label,
    Mention,
    Sentence,
    Target,
)
from .nlp.boilerplate import is_boilerplate, title_line
from .nlp.entities import find_entities_batch
from .nlp.language import detect_language, sentence_language
from .nlp.sentences import split_paragraphs, split_sentences
from .nlp.targets import TargetResolver
from .progress import Cancelled, Progress
from .store import (
    ArticleFilter,
    ArticleRow,
    Change,
    Event,
    HistoryConflict,
    Store,
    StoreError,
    check_stance,
)

DEFAULT_CODEBOOK = "pfc"
_NER_CHUNK = 16  # articles per NER batch: large enough for nlp.pipe, small enough to cancel


class ProjectError(Exception):
    """A user-facing problem (bad value, unknown target, unreadable file)."""


class Project:
    """One project file. Use :meth:`open`; also a context manager.

    Every write is committed at once (one transaction per operation), so a killed program
    loses nothing that was reported as done.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._codebook: Codebook | None = None

    # -- opening -----------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], codebook: str | None = None, *,
             create: bool = True) -> "Project":
        """Open ``path``, creating the project file if missing (unless ``create`` is false).

        ``codebook`` (a built-in name or a JSON file) is recorded in a new project; given for an
        existing one it replaces the recorded codebook.
        """
        where = Path(path)
        if where.is_dir():
            raise ProjectError(f"{path} is a folder, not a project file")
        if not where.exists():
            if not create:
                raise ProjectError(f"{path}: no such project file (create one with "
                                   "'annotator init' or 'annotator import')")
            if not where.absolute().parent.is_dir():
                raise ProjectError(f"cannot create {path}: the folder "
                                   f"{where.absolute().parent} does not exist")
        try:
            store = Store(path)
        except StoreError as exc:
            raise ProjectError(str(exc)) from exc
        project = cls(store)
        if codebook is not None or store.get_meta("codebook") is None:
            project.set_codebook(codebook or DEFAULT_CODEBOOK)
        return project

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def path(self) -> str:
        return self.store.path

    # -- codebook ----------------------------------------------------------------------------------

    @property
    def codebook(self) -> Codebook:
        if self._codebook is None:
            text = self.store.get_meta("codebook")
            self._codebook = Codebook.from_json(text) if text else load_codebook(DEFAULT_CODEBOOK)
        return self._codebook

    def set_codebook(self, name_or_path: str) -> Codebook:
        try:
            codebook = load_codebook(name_or_path)
        except (CodebookError, FileNotFoundError) as exc:
            raise ProjectError(str(exc)) from exc
        self.store.set_meta("codebook", codebook.to_json())
        self._codebook = codebook
        return codebook

    # -- import ------------------------------------------------------------------------------------

    def import_files(
        self,
        paths: Iterable[str | os.PathLike[str]],
        ner: bool = True,
        progress: Progress | Callable[[int, int, str], None] | None = None,
        lang: str | None = None,
    ) -> ImportReport:
        """Import files and folders (any registered format). Re-importing an article is a no-op.

        Bad rows become issues in the report; the good ones still go in, one transaction each.
        ``progress`` gets ``(bytes done, bytes total, message)``; cancelling it stops after the
        current article, keeping what was imported.
        """
        started = time.perf_counter()
        prog = Progress.wrap(progress)
        report = ImportReport()
        files, issues = expand_paths(paths)
        report.issues += issues
        report.files = len(files)
        sizes = [f.stat().st_size or 1 for f in files]
        prog.update(0, sum(sizes), "starting")
        resolver = TargetResolver(self.store.targets()) if ner else None
        seen: dict[str, str] = {}  # article id -> where this import first read it
        done_bytes = 0
        pending: list[RawArticle] = []
        try:
            for f, size in zip(files, sizes):
                raws: list[RawArticle] = []
                labels_only: list[RawLabels] = []  # label files: articles already in the project
                for item in read_paths([f]):
                    if isinstance(item, ImportIssue):
                        report.issues.append(item)
                    elif isinstance(item, RawLabels):
                        labels_only.append(item)
                    else:
                        raws.append(item)
                # Chunks span files, so a folder of one-article files still gets batched NER.
                for k, raw in enumerate(raws, start=1):
                    pending.append(raw)
                    if len(pending) >= _NER_CHUNK:
                        resolver = self._import_chunk(pending, ner, lang, report, seen, resolver)
                        pending = []
                        prog.update(done_bytes + size * k // len(raws), None,
                                    f"{f.name}: {k}/{len(raws)}")
                if labels_only and pending:  # their articles may be in the pending chunk
                    resolver = self._import_chunk(pending, ner, lang, report, seen, resolver)
                    pending = []
                self._import_label_items(labels_only, report, prog)
                done_bytes += size
                # Progress (and the cancel check) only where work was committed, so "done"
                # never runs ahead of what is in the file.
            if pending:
                resolver = self._import_chunk(pending, ner, lang, report, seen, resolver)
            prog.update(done_bytes, None, "done")
        except Cancelled:
            report.cancelled = True
        report.seconds = time.perf_counter() - started
        return report

    def _import_chunk(
        self,
        raws: list[RawArticle],
        ner: bool,
        lang: str | None,
        report: ImportReport,
        seen: dict[str, str],
        resolver: TargetResolver | None,
    ) -> TargetResolver | None:
        prepared: list[tuple[RawArticle, Article, list[Sentence]]] = []
        for raw in raws:
            aid = raw.content_id
            if aid in seen or self.store.has_article(aid):
                report.articles_skipped += 1
                if aid in seen and not raw.annotations:
                    # Not a re-import: two rows of this import have one text. Say so, or the
                    # second's title and metadata vanish without a word.
                    report.issues.append(ImportIssue(raw.source, raw.line, (
                        f"same text as {seen[aid]}; skipped (one article per text)")))
                if raw.annotations:  # labels carried by the file apply to the article we have
                    self._import_annotations(aid, raw.annotations, raw.source, report)
                continue
            seen[aid] = f"{raw.source}:{raw.line}" if raw.line else raw.source
            try:
                article, sentences = self._prepare(raw, aid, lang)
            except Exception as exc:  # one bad article must not stop the import
                report.issues.append(ImportIssue(raw.source, raw.line, f"cannot process: {exc}"))
                continue
            prepared.append((raw, article, sentences))
        found: list[list[Mention]] = [[] for _ in prepared]
        if ner and prepared:
            found = find_entities_batch([(a.text, a.lang) for _, a, _ in prepared])
        for (raw, article, sentences), mentions in zip(prepared, found):
            try:
                with self.store.transaction():
                    self._write_article(article, sentences, mentions, resolver)
            except StoreError:
                raise  # the project file itself (e.g. read-only): no article would go in
            except Exception as exc:
                report.issues.append(ImportIssue(raw.source, raw.line, f"not imported: {exc}"))
                # The resolver may hold targets whose insert was rolled back: rebuild it.
                resolver = TargetResolver(self.store.targets()) if resolver is not None else None
                continue
            report.articles_added += 1
            report.sentences += len(sentences)
            report.mentions += len(mentions)
            if raw.annotations:
                self._import_annotations(article.id, raw.annotations, raw.source, report)
        return resolver

    def _prepare(self, raw: RawArticle, aid: str, lang: str | None) -> tuple[Article, list[Sentence]]:
        text = raw.text
        article_lang = lang or raw.lang or detect_language(text)
        paragraphs = [text[s:e] for s, e in split_paragraphs(text)]
        title = raw.title
        skip_before = 0
        if not title:
            t = title_line(paragraphs) if paragraphs else 0
            title = paragraphs[t].strip() if paragraphs else text[:80]
            # Lines above the title are section kickers or navigation, not content.
            skip_before = split_paragraphs(text)[t][0] if paragraphs else 0
        meta = dict(raw.meta)
        if raw.id is not None:
            meta["source_id"] = raw.id
        article = Article(
            id=aid, title=title[:500], text=text, lang=article_lang, outlet=raw.outlet,
            date=raw.date, url=raw.url, source=raw.source, meta=meta,
        )
        sentences = []
        for i, (s, e) in enumerate(split_sentences(text, article_lang)):
            chunk = text[s:e]
            sentences.append(Sentence(
                id=0, article_id=aid, index=i, start=s, end=e, text=chunk,
                lang=sentence_language(chunk, article_lang),
                boilerplate=s < skip_before or is_boilerplate(chunk),
            ))
        article.n_sentences = len(sentences)
        return article, sentences

    def _write_article(
        self,
        article: Article,
        sentences: list[Sentence],
        mentions: list[Mention],
        resolver: TargetResolver | None,
    ) -> None:
        ids = self.store.insert_article(article, sentences)
        for s, sid in zip(sentences, ids):
            s.id = sid
        if resolver is not None:
            resolved = resolver.resolve_all([(m, article.lang) for m in mentions])
            for m, target in zip(mentions, resolved):
                if target is None:
                    continue
                if target.id is None:
                    self.store.insert_target(target)  # sets target.id, which the resolver sees
                m.target_id = target.id
            for target in resolver.take_changes():
                self.store.update_target(target)
        self.store.insert_mentions(article.id, mentions)

    # -- reading -----------------------------------------------------------------------------------

    def articles(self) -> list[Article]:
        return self.store.articles()

    def iter_articles(self) -> Iterator[Article]:
        return self.store.iter_articles()

    def article(self, article_id: str) -> Article | None:
        return self.store.article(article_id)

    def article_rows(self, offset: int, limit: int, filter: ArticleFilter = ArticleFilter(),
                     annotator: str | None = None) -> list[ArticleRow]:
        return self.store.article_rows(offset, limit, filter, annotator)

    def count_articles(self, filter: ArticleFilter = ArticleFilter(),
                       annotator: str | None = None) -> int:
        return self.store.count_articles(filter, annotator)

    def sentences(self, article_id: str) -> list[Sentence]:
        """The article's sentences in order, each with the entity mentions inside it."""
        return self.store.sentences(article_id)

    def sentence(self, sentence_id: int) -> Sentence | None:
        return self.store.sentence(sentence_id)

    def sentence_texts(self, sentence_ids: Iterable[int]) -> dict[int, str]:
        """Sentence id -> text, for lists that show many sentences without their articles."""
        return self.store.sentence_texts(sentence_ids)

    def mentions(self, article_id: str) -> list[Mention]:
        return self.store.mentions(article_id)

    def targets(self) -> list[Target]:
        return self.store.targets()

    def target(self, target_id: int) -> Target | None:
        return self.store.target(target_id)

    def annotators(self, include_gold: bool = False) -> list[str]:
        return self.store.annotators(include_gold)

    def outlets(self) -> list[str]:
        return self.store.outlets()

    def languages(self) -> dict[str, int]:
        return self.store.languages()

    def stats(self) -> dict[str, Any]:
        return self.store.stats()

    # -- labels ------------------------------------------------------------------------------------

    def resolve_target(self, key: int | str) -> int:
        """A target id from an id, a canonical name or an alias (case-insensitive)."""
        if isinstance(key, int):
            if self.store.target_row(key) is None:
                raise ProjectError(f"no target with id {key}")
            return key
        folded = key.strip().casefold()
        matches = [t.id for t in self.targets()
                   if t.name.casefold() == folded or folded in (a.casefold() for a in t.aliases)]
        if not matches:
            raise ProjectError(f"no target named {key!r}")
        if len(set(matches)) > 1:
            raise ProjectError(f"{key!r} names several targets ({', '.join(map(str, matches))});"
                               " use the target id")
        return int(matches[0])

    def _frame_ids(self, frames: Iterable[str]) -> list[str]:
        by_id = {f.id: f for f in self.codebook.frames}
        by_name = {f.name.casefold(): f for f in self.codebook.frames}
        out = []
        for f in frames:
            frame = by_id.get(f) or by_name.get(str(f).casefold())
            if frame is None:
                raise ProjectError(f"frame {f!r} is not in the codebook '{self.codebook.name}'"
                                   f" ({', '.join(by_id)})")
            out.append(frame.id)
        order = list(by_id)
        return sorted(set(out), key=order.index)

    def set_label(
        self,
        sentence_id: int,
        annotator: str,
        stance: Mapping[int | str, str | None] | None = None,
        frames: Sequence[str] = (),
        irrelevant: bool = False,
        note: str = "",
        decided_by: str | None = None,
    ) -> Label | None:
        """Store the annotator's whole label for a sentence (an empty label removes it).

        ``stance`` maps targets (id, name or alias) to AGAINST / NEUTRAL / FAVOR (None clears).
        The change is committed at once and can be undone with :meth:`undo`.
        """
        if not annotator or not annotator.strip():
            raise ProjectError("an annotator name is needed")
        if self.store.sentence(sentence_id) is None:
            raise ProjectError(f"no sentence with id {sentence_id}")
        resolved: dict[int, str] = {}
        for key, value in (stance or {}).items():
            if value is None:
                continue
            try:
                resolved[self.resolve_target(key)] = check_stance(value)
            except ValueError as exc:
                raise ProjectError(str(exc)) from exc
        label = Label(sentence_id=sentence_id, annotator=annotator, stance=resolved,
                      frames=self._frame_ids(frames), irrelevant=irrelevant, note=note,
                      decided_by=decided_by)
        aid = self.store.annotator_id(annotator, create=True)
        assert aid is not None
        changes = self.store.label_changes(label, aid)
        self.store.apply(annotator, "label", changes, summary=f"sentence {sentence_id}")
        return self.label(sentence_id, annotator)

    def label(self, sentence_id: int, annotator: str) -> Label | None:
        found = self.store.labels(sentence_id=sentence_id, annotator=annotator)
        return found[0] if found else None

    def labels(
        self,
        *,
        sentence_id: int | None = None,
        article_id: str | None = None,
        annotator: str | None = None,
        include_gold: bool = True,
    ) -> list[Label]:
        return self.store.labels(sentence_id=sentence_id, article_id=article_id,
                                 annotator=annotator, include_gold=include_gold)

    def iter_labels(self) -> Iterator[Label]:
        return self.store.iter_labels()

    def set_gold(self, sentence_id: int, decided_by: str, stance: Mapping[int | str, str | None]
                 | None = None, frames: Sequence[str] = (), irrelevant: bool = False,
                 rationale: str = "") -> Label | None:
        """Store the adjudicated gold label (kept under the reserved ``gold`` annotator)."""
        return self.set_label(sentence_id, GOLD_ANNOTATOR, stance, frames, irrelevant,
                              rationale, decided_by=decided_by)

    # -- history -----------------------------------------------------------------------------------

    def undo(self, annotator: str) -> Event | None:
        """Undo the annotator's latest change (labels, mentions, targets); None if none left.

        Refused with :class:`ProjectError` (nothing changed) when another annotator or an import
        has since changed what that change wrote, e.g. labelled with a target it created.
        """
        try:
            return self.store.undo(annotator)
        except HistoryConflict as exc:
            raise ProjectError(str(exc)) from exc

    def redo(self, annotator: str) -> Event | None:
        try:
            return self.store.redo(annotator)
        except HistoryConflict as exc:
            raise ProjectError(str(exc)) from exc

    def can_undo(self, annotator: str) -> bool:
        return self.store.can_undo(annotator)

    def can_redo(self, annotator: str) -> bool:
        return self.store.can_redo(annotator)

    def history(self, annotator: str | None = None, limit: int = 100) -> list[Event]:
        return self.store.events(annotator, limit)

    def event_scope(self, event_id: int) -> tuple[list[str], list[int]]:
        """(article ids, sentence ids) an event touched: where to look after undo/redo."""
        return self.store.event_targets(event_id)

    def progress(self, annotator: str) -> tuple[int, int]:
        """(labelled, total) annotatable sentences for ``annotator`` over the whole project."""
        return self.store.progress(annotator)

    # -- entity and target edits (all undoable, origin = the annotator) ---------------------------

    def _mention_change(self, mention_id: int, **updates: Any) -> Change:
        before = self.store.mention_row(mention_id)
        if before is None:
            raise ProjectError(f"no mention with id {mention_id}")
        return Change("mentions", {"id": mention_id}, before, {**before, **updates})

    def add_mention(self, article_id: str, start: int, end: int, label: str, annotator: str,
                    target_id: int | None = None) -> Mention:
        article = self.store.article(article_id)
        if article is None:
            raise ProjectError(f"no article {article_id}")
        if label not in ENTITY_LABELS:
            raise ProjectError(f"label {label!r} is not one of {', '.join(ENTITY_LABELS)}")
        if not (0 <= start < end <= len(article.text)) or not article.text[start:end].strip():
            raise ProjectError(f"span {start}-{end} is not a piece of the article text")
        if target_id is not None:
            self.resolve_target(target_id)
        mid = self.store.next_id("mentions")
        row = {"id": mid, "article_id": article_id, "start": start, "end": end, "label": label,
               "raw_label": None, "text": article.text[start:end], "normal": None,
               "origin": f"annotator:{annotator}", "target_id": target_id}
        self.store.apply(annotator, "add_mention", [Change("mentions", {"id": mid}, None, row)],
                         summary=f"add {label} '{row['text']}'")
        m = self.store.mention(mid)
        assert m is not None
        return m

    def relabel_mention(self, mention_id: int, label: str, annotator: str) -> None:
        if label not in ENTITY_LABELS:
            raise ProjectError(f"label {label!r} is not one of {', '.join(ENTITY_LABELS)}")
        change = self._mention_change(mention_id, label=label, origin=f"annotator:{annotator}")
        self.store.apply(annotator, "relabel_mention", [change], summary=f"relabel as {label}")

    def remove_mention(self, mention_id: int, annotator: str) -> None:
        before = self.store.mention_row(mention_id)
        if before is None:
            raise ProjectError(f"no mention with id {mention_id}")
        self.store.apply(annotator, "remove_mention",
                         [Change("mentions", {"id": mention_id}, before, None)],
                         summary=f"remove '{before['text']}'")

    def link_mention(self, mention_id: int, target_id: int | None, annotator: str) -> None:
        """Link a mention to a target (None unlinks); the mention's text becomes an alias."""
        changes = [self._mention_change(mention_id, target_id=target_id)]
        if target_id is not None:
            self.resolve_target(target_id)
            alias = changes[0].before["text"]  # type: ignore[index]
            if {"target_id": target_id, "alias": alias} not in self.store.alias_rows(target_id):
                key = {"target_id": target_id, "alias": alias}
                changes.append(Change("target_aliases", key, None, dict(key)))
        self.store.apply(annotator, "link_mention", changes, summary=f"link to {target_id}")

    def create_target(self, name: str, kind: str, annotator: str,
                      aliases: Iterable[str] = ()) -> Target:
        if kind not in ENTITY_LABELS:
            raise ProjectError(f"kind {kind!r} is not one of {', '.join(ENTITY_LABELS)}")
        if not name.strip():
            raise ProjectError("a target needs a name")
        tid = self.store.next_id("targets")
        changes = [Change("targets", {"id": tid}, None,
                          {"id": tid, "name": name.strip(), "kind": kind, "pinned": 0})]
        for alias in dict.fromkeys([name.strip(), *aliases]):
            key = {"target_id": tid, "alias": alias}
            changes.append(Change("target_aliases", key, None, dict(key)))
        self.store.apply(annotator, "create_target", changes, summary=f"create '{name}'")
        t = self.store.target(tid)
        assert t is not None
        return t

    def rename_target(self, target_id: int, name: str, annotator: str) -> None:
        before = self.store.target_row(target_id)
        if before is None:
            raise ProjectError(f"no target with id {target_id}")
        self.store.apply(annotator, "rename_target",
                         [Change("targets", {"id": target_id}, before, {**before, "name": name})],
                         summary=f"rename to '{name}'")

    def set_pinned(self, target_id: int, pinned: bool, annotator: str) -> None:
        before = self.store.target_row(target_id)
        if before is None:
            raise ProjectError(f"no target with id {target_id}")
        after = {**before, "pinned": int(pinned)}
        self.store.apply(annotator, "pin_target" if pinned else "unpin_target",
                         [Change("targets", {"id": target_id}, before, after)],
                         summary=f"{'pin' if pinned else 'unpin'} '{before['name']}'")

    def merge_targets(self, keep_id: int, other_id: int, annotator: str) -> None:
        """Merge ``other`` into ``keep``: its mentions, aliases and stances move; it is deleted.

        Where one annotator gave a stance to both targets on one sentence, ``keep``'s stays.
        """
        if keep_id == other_id:
            raise ProjectError("cannot merge a target with itself")
        keep, other = self.store.target_row(keep_id), self.store.target_row(other_id)
        if keep is None or other is None:
            raise ProjectError(f"no target with id {other_id if keep else keep_id}")
        changes: list[Change] = []
        for mid in self.store.mention_ids_of_target(other_id):
            changes.append(self._mention_change(mid, target_id=keep_id))
        for row in self.store.stance_rows_of_target(other_id):
            key = {k: row[k] for k in ("sentence_id", "annotator_id", "target_id")}
            changes.append(Change("stances", key, row, None))
            moved = {**row, "target_id": keep_id}
            mkey = {**key, "target_id": keep_id}
            if self.store.stance_row(row["sentence_id"], row["annotator_id"], keep_id) is None:
                changes.append(Change("stances", mkey, None, moved))
        keep_aliases = {r["alias"] for r in self.store.alias_rows(keep_id)}
        for row in self.store.alias_rows(other_id):
            changes.append(Change("target_aliases", dict(row), dict(row), None))
            if row["alias"] not in keep_aliases:
                key = {"target_id": keep_id, "alias": row["alias"]}
                changes.append(Change("target_aliases", key, None, dict(key)))
        if other["pinned"] and not keep["pinned"]:
            changes.append(Change("targets", {"id": keep_id}, keep, {**keep, "pinned": 1}))
        changes.append(Change("targets", {"id": other_id}, other, None))
        self.store.apply(annotator, "merge_targets", changes,
                         summary=f"merge '{other['name']}' into '{keep['name']}'")

    def split_target(self, target_id: int, mention_ids: Sequence[int], name: str,
                     annotator: str) -> Target:
        """Move some mentions of a target to a new target named ``name``."""
        before = self.store.target_row(target_id)
        if before is None:
            raise ProjectError(f"no target with id {target_id}")
        owned = set(self.store.mention_ids_of_target(target_id))
        stray = [m for m in mention_ids if m not in owned]
        if stray:
            raise ProjectError(f"mentions {stray} do not belong to target {target_id}")
        if not mention_ids:
            raise ProjectError("choose the mentions that form the new target")
        tid = self.store.next_id("targets")
        changes = [Change("targets", {"id": tid}, None,
                          {"id": tid, "name": name, "kind": before["kind"], "pinned": 0})]
        texts = []
        for mid in mention_ids:
            change = self._mention_change(mid, target_id=tid)
            texts.append(change.before["text"])  # type: ignore[index]
            changes.append(change)
        for alias in dict.fromkeys([name, *texts]):
            key = {"target_id": tid, "alias": alias}
            changes.append(Change("target_aliases", key, None, dict(key)))
        self.store.apply(annotator, "split_target", changes,
                         summary=f"split '{name}' from '{before['name']}'")
        t = self.store.target(tid)
        assert t is not None
        return t


    # -- annotation import -----------------------------------------------------------------------
    # Labels carried by files (our exports, Label Studio, doccano, Prodigy): see
    # annotator/ingest/annotations.py for the annotation dicts. Each article's labels are written
    # as one undoable event per annotator; imported labels keep their annotator and timestamps.

    def _import_label_items(self, items: Sequence[RawLabels], report: ImportReport,
                            prog: Progress) -> None:
        for item in items:
            prog.check()
            if not self.store.has_article(item.article_id):
                report.issues.append(ImportIssue(
                    item.source, item.line, f"article {item.article_id} is not in the project "
                    "(import its text first, e.g. the article-level export); labels skipped"))
                continue
            self._import_annotations(item.article_id, item.annotations, item.source, report)

    def _import_annotations(self, article_id: str, annotations: Sequence[Mapping[str, Any]],
                            source: str, report: ImportReport) -> None:
        sentences = self.store.sentences(article_id, with_mentions=False)
        if not sentences and not self.store.has_article(article_id):
            report.issues.append(ImportIssue(source, None, f"article {article_id} is not in the "
                                             "project; its labels were skipped"))
            return
        by_span = {(s.start, s.end): s for s in sentences}
        keys: dict[str, int] = {}  # target key in the file -> target id here
        mentions = [a for a in annotations if a.get("kind") == "mention"]
        if mentions and not self.store.mentions(article_id):
            self._import_mentions(article_id, mentions, keys, source, report)
        labels: dict[tuple[int, str], Label] = {}
        for a in annotations:
            if a.get("kind") != "label":
                continue
            line, annotator = a.get("line"), str(a.get("annotator") or "").strip()
            sentence = by_span.get((a.get("start"), a.get("end")))
            if sentence is None and a.get("text"):
                same = [s for s in sentences if s.text == a["text"]]
                sentence = same[0] if len(same) == 1 else None
            if sentence is None:
                report.issues.append(ImportIssue(source, line, (
                    f"no sentence at {a.get('start')}-{a.get('end')} in article {article_id}"
                    f"; label by {annotator or '?'} skipped")))
                continue
            if a.get("text") and a["text"] != sentence.text:
                report.issues.append(ImportIssue(source, line, (
                    f"sentence {article_id}:{sentence.index} has different text here; label by "
                    f"{annotator or '?'} skipped")))
                continue
            if not annotator:
                report.issues.append(ImportIssue(source, line, "a label without annotator; skipped"))
                continue
            try:
                stance = {self._import_target(str(k), (a.get("targets") or {}).get(k), keys):
                          check_stance(str(v)) for k, v in (a.get("stance") or {}).items()}
                frames = self._frame_ids(a.get("frames") or [])
            except (ProjectError, ValueError) as exc:
                report.issues.append(ImportIssue(source, line, f"{exc}; label by {annotator} skipped"))
                continue
            label = Label(sentence_id=sentence.id, annotator=annotator, stance=stance, frames=frames,
                          irrelevant=bool(a.get("irrelevant")), note=str(a.get("note") or ""),
                          created=a.get("created"), updated=a.get("updated"),
                          decided_by=a.get("decided_by"))
            if not label.empty:  # an empty label would delete one already here
                labels[(sentence.id, annotator)] = label
        changes: dict[str, list[Change]] = {}
        counts: dict[str, int] = {}
        for (_, annotator), label in labels.items():
            aid = self.store.annotator_id(annotator, create=True)
            assert aid is not None
            found = self.store.label_changes(label, aid)
            if found:
                changes.setdefault(annotator, []).extend(found)
                counts[annotator] = counts.get(annotator, 0) + 1
        with self.store.transaction():
            for annotator, found in changes.items():
                self.store.apply(annotator, "import_labels", found,
                                 summary=f"import {counts[annotator]} labels from {Path(source).name}")
        report.labels += sum(counts.values())

    def _import_target(self, key: str, info: Mapping[str, Any] | None, keys: dict[str, int]) -> int:
        """The target a file's key names: the same id if it still has that name (a file from this
        project), else a target with that name or alias (preferring the kind), else a new one."""
        if key in keys:
            return keys[key]
        info = info or {}
        name = str(info.get("name") or key).strip()
        if not info.get("name") and " #" in name and name.rsplit(" #", 1)[1].isdigit():
            name = name.rsplit(" #", 1)[0]  # "Name #12": a key made unique by its id
        kind = info.get("kind") if info.get("kind") in ENTITY_LABELS else "MISC"
        found = self.store.find_targets(name)
        same_id = [t for t in found if t[0] == info.get("id") and t[1] == name]
        named = [t for t in found if t[1] == name] or found
        ranked = sorted(named, key=lambda t: (t[2] != kind, t[0]))
        if same_id:
            tid = same_id[0][0]
        elif ranked:
            tid = ranked[0][0]
        else:
            target = Target(name=name, kind=str(kind), aliases=[name])
            tid = self.store.insert_target(target)
        keys[key] = tid
        return tid

    def _import_mentions(self, article_id: str, mentions: Sequence[Mapping[str, Any]],
                         keys: dict[str, int], source: str, report: ImportReport) -> None:
        """Entities from an article line, for an article that has none (imported without NER)."""
        article = self.store.article(article_id)
        assert article is not None
        found: list[Mention] = []
        for m in mentions:
            start, end = m["start"], m["end"]
            if not (0 <= start < end <= len(article.text)) or (
                    m.get("text") and article.text[start:end] != m["text"]):
                report.issues.append(ImportIssue(source, m.get("line"), (
                    f"entity {m.get('text')!r} at {start}-{end} does not match the text; skipped")))
                continue
            label = m.get("label") if m.get("label") in ENTITY_LABELS else "MISC"
            target = m.get("target")
            tid = (self._import_target(str(target), (m.get("targets") or {}).get(target), keys)
                   if target else None)
            found.append(Mention(start=start, end=end, label=str(label), text=article.text[start:end],
                                 origin=str(m.get("origin") or f"import:{Path(source).name}"),
                                 raw_label=m.get("raw_label"), target_id=tid))
        with self.store.transaction():
            self.store.insert_mentions(article_id, found)
        report.mentions += len(found)

    # -- review ------------------------------------------------------------------------------------

    def prepare_article(self, raw: RawArticle) -> tuple[Article, list[Sentence]]:
        """The article and sentences import would make of ``raw`` (nothing written, no NER)."""
        return self._prepare(raw, raw.content_id, None)


def open_project(path: str | Path, codebook: str | None = None) -> Project:
    return Project.open(path, codebook)
