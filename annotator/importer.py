"""The import pipeline: files to articles, sentences, entities and targets, plus labels files carry."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from .errors import ProjectError
from .ingest import RawArticle, expand_paths, read_paths
from .ingest.annotations import RawLabels
from .ingest.fields import language_code
from .ingest.mapping import ACTIVE, LabelMapping
from .ingest.peer import PeerTask
from .model import (
    ENTITY_LABELS,
    Article,
    ImportIssue,
    ImportReport,
    Label,
    Mention,
    Sentence,
    Target,
)
from .nlp.boilerplate import title_line
from .import_pipeline import ChunkPipeline, import_workers, job
from .nlp.entities import model_loaded
from .nlp.analysis import TextAnalysis, analyse, analyse_batch
from .nlp.sentences import split_paragraphs
from .nlp.label_vote import LabelVotes
from .nlp.linking import EntityLinker
from .nlp.targets import TargetResolver
from .progress import Cancelled, Progress
from .store import Change, StoreError, check_stance

if TYPE_CHECKING:
    from .project import Project

_NER_CHUNK = 16  # articles per NER batch: large enough for nlp.pipe, small enough to cancel
#: Without entities a chunk also holds at least this many characters (at most _TEXT_CHUNK_MAX
#: articles): short texts analyse in ~1.5 ms a kB, and a chunk's own costs (its commit and fsync,
#: the lock check, the trips to the workers, a progress step) were a fifth of a short-text import
#: in chunks of 16. ~32 kB is ~50 ms of analysis: cancel still answers at once.
_TEXT_CHUNK_CHARS = 32_000
_TEXT_CHUNK_MAX = 128
#: A chunk's new articles, ready to write: what was read, the article, its sentences.
Prepared = tuple[RawArticle, Article, list[Sentence]]


def _target_rows(targets: Iterable[Target]) -> list[tuple[Any, ...]]:
    """What the project holds of each target, in id order (one not saved yet has id -1)."""
    return sorted(((t.id if t.id is not None else -1), t.name, t.kind, list(t.aliases), t.pinned)
                  for t in targets)


class Importer:
    """One import into a project; :meth:`Project.import_files` is the way in."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.store = project.store
        self._linker: EntityLinker | None = None

    def linker(self, resolver: TargetResolver) -> EntityLinker:
        """The linker over ``resolver`` (a new one when the resolver was rebuilt), with the project's
        label votes and the annotators' corrections read from the store."""
        if self._linker is None or self._linker.resolver is not resolver:
            votes = LabelVotes.from_counts(self.store.target_label_counts())
            self._linker = EntityLinker(resolver, votes, self.store.entity_corrections())
        return self._linker


    def run(
        self,
        paths: Iterable[str | os.PathLike[str]],
        ner: bool = True,
        progress: Progress | Callable[[int, int, str], None] | None = None,
        lang: str | None = None,
        mapping: LabelMapping | None = None,
    ) -> ImportReport:
        """Import files and folders (any registered format). Re-importing an article is a no-op.

        Bad rows become issues in the report; the good ones still go in, one transaction per chunk of
        articles with a savepoint each (a bad article is undone alone).
        Other tools' tasks go through ``mapping`` (the automatic one if None). ``progress`` gets
        ``(bytes done, bytes total, message)``; cancelling it stops after the
        current article, keeping what was imported.
        """
        started = time.perf_counter()
        if lang is not None:
            code = language_code(lang)
            if code is None:
                raise ProjectError(f"{lang!r} is not a language code (e.g. en, ru, pt-BR)")
            lang = code
        prog = Progress.wrap(progress)
        report = ImportReport()
        files, issues = expand_paths(paths)
        report.issues += issues
        report.files = len(files)
        sizes = [f.stat().st_size or 1 for f in files]
        started = time.monotonic()

        def say(i: int, name: str, part: str = "") -> str:
            # n of N files and articles, the rate, the current file: the UI adds time left.
            n = report.articles_added + report.articles_skipped
            elapsed = time.monotonic() - started
            rate = f" ({n / elapsed:.1f}/s)" if n and elapsed > 0.5 else ""
            return (f"file {i} of {len(files)}: {name}{part} · {n} article{'s' if n != 1 else ''}"
                    f" read{rate}")

        prog.update(0, sum(sizes), f"{len(files)} file{'s' if len(files) != 1 else ''} to read")
        if self.project.maybe_backup_quietly() is None and self.project.backup_error:
            report.issues.append(ImportIssue(self.store.path, None, "no backup was made before "
                                             f"the import: {self.project.backup_error}"))
        self._seen_version = self.store.data_version()
        chunks = ChunkPipeline(self, ner, lang, report, seen={},
                               resolver=TargetResolver(self.store.targets()) if ner else None,
                               workers=import_workers(sum(sizes), ner),
                               poll=prog.check, tell=prog.tell)
        done_bytes = 0
        pending: list[RawArticle] = []
        pending_chars = 0
        from .peer_import import PeerImporter

        def loading(i: int, name: str) -> None:
            if ner and not chunks.workers and not model_loaded("en"):
                prog.tell(say(i, name) + " · loading the entity models (once per session)…")

        def reached(done: int, message: str) -> Callable[[], None]:
            # Progress (and the cancel check) only where work was committed, so "done"
            # never runs ahead of what is in the file.
            return lambda: prog.update(done, None, message)

        peer = PeerImporter(self, mapping or LabelMapping())
        token = ACTIVE.set(peer.mapping)
        try:
            for i, (f, size) in enumerate(zip(files, sizes), start=1):
                prog.tell(say(i, f.name))
                raws: list[RawArticle] = []
                labels_only: list[RawLabels] = []  # label files: articles already in the project
                tasks: list[PeerTask] = []  # other tools' tasks: sentences found by content
                for item in read_paths([f]):
                    if isinstance(item, ImportIssue):
                        report.issues.append(item)
                    elif isinstance(item, RawLabels):
                        labels_only.append(item)
                    elif isinstance(item, PeerTask):
                        tasks.append(item)
                    else:
                        raws.append(item)
                # Chunks span files, so a folder of one-article files still gets batched NER.
                for k, raw in enumerate(raws, start=1):
                    pending.append(raw)
                    pending_chars += len(raw.text)
                    if len(pending) >= _NER_CHUNK and (
                            ner or pending_chars >= _TEXT_CHUNK_CHARS
                            or len(pending) >= _TEXT_CHUNK_MAX):
                        pending_chars = 0
                        loading(i, f.name)
                        chunks.add(pending, reached(done_bytes + size * k // len(raws),
                                                    say(i, f.name, f" (article {k} of {len(raws)})")))
                        pending = []
                if labels_only or tasks:  # their articles may be pending or in flight
                    chunks.add(pending)
                    pending, pending_chars = [], 0
                    chunks.drain()
                self._import_label_items(labels_only, report, prog)
                for k in range(0, len(tasks), 500):
                    prog.check()
                    chunks.resolver = peer.run(tasks[k:k + 500], report, ner, lang, chunks.seen,
                                               chunks.resolver)
                done_bytes += size
            if pending:
                loading(len(files), files[-1].name if files else "")
                chunks.add(pending)
            chunks.drain()
            prog.update(done_bytes, None, say(len(files), "done"))
        except Cancelled:
            report.cancelled = True
        except StoreError as exc:
            # The project file itself failed (disk full, read-only, ...): no article would go in,
            # so stop at once with one message that says what is kept.
            raise type(exc)(f"{exc} The import stopped; {report.articles_added} articles "
                            "imported before are saved.") from exc
        finally:
            ACTIVE.reset(token)
            chunks.close()
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
        """One chunk analysed (entities too, if ``ner``) in this process, and written."""
        new = self.select_new(raws, report, seen)
        analyses = analyse_batch([job(raw, lang) for raw, _ in new], ner)
        prepared, found = self.build_chunk(new, analyses, report)
        return self.write_chunk(prepared, found, report, resolver)

    def select_new(self, raws: Sequence[RawArticle], report: ImportReport,
                   seen: dict[str, str]) -> list[tuple[RawArticle, str]]:
        """The chunk's articles not in the project nor earlier in this import, with their ids.
        The others are skipped (their carried labels applied to the article we have)."""
        new: list[tuple[RawArticle, str]] = []
        have = self.store.existing_articles([raw.content_id for raw in raws])
        for raw in raws:
            aid = raw.content_id
            if aid in seen or aid in have:
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
            new.append((raw, aid))
        return new

    def build_chunk(self, new: Sequence[tuple[RawArticle, str]], analyses: Sequence[TextAnalysis],
                    report: ImportReport) -> tuple[list[Prepared], list[list[Mention]]]:
        """Articles and sentences from what :func:`analyse_batch` found in each new article's text,
        with its mentions; one that cannot be processed is reported and left out."""
        prepared: list[Prepared] = []
        found: list[list[Mention]] = []
        for (raw, aid), analysis in zip(new, analyses):
            try:
                article, sentences = self.build(raw, aid, analysis)
            except Exception as exc:  # one bad article must not stop the import
                report.issues.append(ImportIssue(raw.source, raw.line, f"cannot process: {exc}"))
                continue
            prepared.append((raw, article, sentences))
            found.append(analysis.mentions)
        return prepared, found

    def write_chunk(self, prepared: Sequence[Prepared], found: Sequence[list[Mention]],
                    report: ImportReport, resolver: TargetResolver | None) -> TargetResolver | None:
        """Write prepared articles with their ``found`` mentions; the resolver to go on with."""
        if resolver is not None and self.store.data_version() != self._seen_version:
            # Another process changed the project (e.g. merged or renamed targets): the
            # resolver's targets may be stale, and writing them back would undo that change.
            # Labels saved meanwhile (the usual case) leave them as they are: then only the
            # votes and corrections are read again (a new resolver costs ~0.7 s with 20,000
            # targets, and the linker's terms as much again).
            self._seen_version = self.store.data_version()
            stored = self.store.targets()
            if _target_rows(stored) != _target_rows(resolver.targets):
                resolver = TargetResolver(stored)
            elif self._linker is not None and self._linker.resolver is resolver:
                self._linker.votes = LabelVotes.from_counts(self.store.target_label_counts())
                self._linker.corrections = self.store.entity_corrections()
        # One transaction for the chunk (one fsync, not one per article). Without entities
        # (nothing to link) and labels: one statement for its articles and one for their
        # sentences. Else, or when that fails, a savepoint per article: a bad article is undone
        # alone and reported, the others go in. The report counts the chunk only once it is
        # committed, so it never claims what a failure undid.
        added = [0, 0, 0]  # articles, sentences, mentions
        with self.store.transaction():
            if resolver is None and self._write_plain(prepared, found):
                added = [len(prepared), sum(len(sentences) for _, _, sentences in prepared), 0]
            else:
                resolver = self._write_each(prepared, found, report, resolver, added)
        report.articles_added += added[0]
        report.sentences += added[1]
        report.mentions += added[2]
        return resolver

    def _write_each(self, prepared: Sequence[Prepared], found: Sequence[list[Mention]],
                    report: ImportReport, resolver: TargetResolver | None,
                    added: list[int]) -> TargetResolver | None:
        """The chunk article by article, each in a savepoint (``added`` counts what went in);
        the resolver to go on with."""
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
            added[0] += 1
            added[1] += len(sentences)
            added[2] += len(mentions)
            if raw.annotations:
                self._import_annotations(article.id, raw.annotations, raw.source, report)
        return resolver

    def _write_plain(self, prepared: Sequence[Prepared], found: Sequence[list[Mention]]) -> bool:
        """A chunk of articles with no entities and no labels (no linking) written with one
        statement for the articles and one for the sentences; False (nothing written) when there
        is more to write or a row fails, and then :meth:`write_chunk` goes article by article."""
        if any(found) or any(raw.annotations for raw, _, _ in prepared):
            return False
        try:
            ids = self.store.insert_articles([(article, sentences)
                                              for _, article, sentences in prepared])
        except StoreError:
            raise  # the project file itself: no article would go in
        except Exception:  # noqa: BLE001 - a bad row: undone; the slow path names it
            return False
        for (_, _, sentences), sentence_ids in zip(prepared, ids):
            for s, sid in zip(sentences, sentence_ids):
                s.id = sid
        return True

    def prepare(self, raw: RawArticle, aid: str, lang: str | None) -> tuple[Article, list[Sentence]]:
        """The article and its sentences, analysed here."""
        return self.build(raw, aid, analyse(*job(raw, lang)))

    def build(self, raw: RawArticle, aid: str, analysis: TextAnalysis) -> tuple[Article, list[Sentence]]:
        """The article and its sentences from what :func:`analyse` found in its text."""
        if analysis.error is not None:
            raise ValueError(analysis.error)
        text = raw.text
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
            id=aid, title=title[:500], text=text, lang=analysis.lang, outlet=raw.outlet,
            date=raw.date, url=raw.url, source=raw.source, meta=meta,
        )
        sentences = [
            Sentence(id=0, article_id=aid, index=i, start=s, end=e, text=text[s:e], lang=sentence_lang,
                     boilerplate=s < skip_before or boilerplate)
            for i, ((s, e), sentence_lang, boilerplate) in enumerate(
                zip(analysis.spans, analysis.sentence_langs, analysis.boilerplate))
        ]
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
            # insert_target sets target.id, which the resolver sees
            mentions[:], changed = self.linker(resolver).link(
                article.text, article.lang, mentions, self.store.insert_target)
            for target in changed:
                self.store.update_target(target)
        self.store.insert_mentions(article.id, mentions)

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
                frames = self.project._frame_ids(a.get("frames") or [])
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

