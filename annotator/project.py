"""The public Python API: a project file with its articles, targets, labels and history."""
from __future__ import annotations

import functools
import json
import logging
import os
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar

from . import backup
from .backup import Backup
from .codebooks import Codebook, CodebookError, load_codebook
from .errors import ProjectError
from .ingest import RawArticle
from .model import (
    ENTITY_LABELS,
    GOLD_ANNOTATOR,
    Article,
    ImportReport,
    Label,
    Mention,
    Sentence,
    Target,
)
from .progress import Progress
from .store import (
    ArticleFilter,
    ArticleRow,
    Change,
    Event,
    HistoryConflict,
    Store,
    StoreError,
    check_stance,
    probe,
)
from .schema import SCHEMA_VERSION

DEFAULT_CODEBOOK = "pfc"

#: ``set_label(suggestion=KEEP)``: keep the label's stored provenance.
KEEP = object()

log = logging.getLogger("annotator")

_F = TypeVar("_F", bound=Callable[..., Any])


def _writes(method: _F) -> _F:
    """Run a read-then-write edit in one write transaction (``BEGIN IMMEDIATE``), so what it
    read (before-images, the next free id) cannot be changed by another process before it writes."""
    @functools.wraps(method)
    def wrapper(self: "Project", *args: Any, **kwargs: Any) -> Any:
        with self.store.transaction():
            return method(self, *args, **kwargs)
    return wrapper  # type: ignore[return-value]


def _backup_before_upgrade(store: Store, version: int) -> None:
    # Said on stderr by the command line (the window runs the upgrade under a progress dialog):
    # on a big project the backup and the recounts take a while, once.
    log.warning("note: %s was made by an older version of this program (schema %d); it is "
                "backed up, then brought up to date (once; on a big project this takes a while)",
                store.path, version)
    try:
        backup.make_backup(store, reason=f"before-upgrade-v{version}")
    except StoreError as exc:
        raise StoreError(f"{store.path} needs an upgrade of its schema (version {version}), but "
                         f"no backup could be made first, so it was not upgraded: {exc}") from exc


class Project:
    """One project file. Use :meth:`open`; also a context manager.

    Every write is committed at once (one transaction per operation), so a killed program
    loses nothing that was reported as done.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._codebook: Codebook | None = None
        #: Why the last automatic backup failed (None: it did not fail).
        self.backup_error: str | None = None

    # -- opening -----------------------------------------------------------------------------------

    @staticmethod
    def needs_upgrade(path: str | os.PathLike[str]) -> bool:
        """True when ``path`` is a project of an older schema: opening it upgrades it, after a
        backup (seconds on a big project: the window does it in the background)."""
        try:
            header = probe(path)
        except (StoreError, OSError):
            return False  # opening it says what is wrong
        return header is not None and 0 < header.user_version < SCHEMA_VERSION

    @classmethod
    def open(cls, path: str | os.PathLike[str], codebook: str | None = None, *,
             create: bool = True, backup: bool = False,
             interrupt: Callable[[], bool] | None = None) -> "Project":
        """Open ``path``, creating the project file if missing (unless ``create`` is false).

        ``codebook`` (a built-in name or a JSON file) is recorded in a new project; given for an
        existing one it replaces the recorded codebook. A zero-length file becomes a project only
        with ``create``; anything else that is not a project is refused unchanged
        (:class:`~annotator.store.NotAProject`, also a :class:`ProjectError`). ``backup``: make
        an automatic backup now if the last is older than the interval (see :meth:`maybe_backup`);
        a failure to do so is kept in :attr:`backup_error` and logged, not raised.
        ``interrupt``: a schema upgrade stops (undone, the file as it was) once it returns true.
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
            store = Store(path, create=create, before_upgrade=_backup_before_upgrade,
                          interrupt=interrupt)
        except StoreError as exc:
            if isinstance(exc, ProjectError):
                raise
            raise ProjectError(str(exc)) from exc
        project = cls(store)
        try:
            if codebook is not None:
                project.set_codebook(codebook)
            elif store.get_meta("codebook") is None:
                with store.transaction():  # two processes creating one project: one codebook
                    if store.get_meta("codebook") is None:
                        project.set_codebook(DEFAULT_CODEBOOK)
            if backup:
                project.maybe_backup_quietly()
        except BaseException:
            store.close()
            raise
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

    def check_files(self) -> None:
        """Raise ``ProjectFilesChanged`` (a ``StoreError``) if the project's files on disk were
        replaced or removed since it was opened; retakes SQLite locks that something in this
        process dropped (see ``annotator.fileguard``)."""
        self.store.check_files()

    # -- backups (annotator/backup.py) --------------------------------------------------------------

    def backup_now(self) -> Backup:
        """Make a verified backup now (raises :class:`StoreError`, leaving nothing, on failure)."""
        return backup.make_backup(self.store)

    def maybe_backup(self, interval: float = backup.DEFAULT_INTERVAL) -> Backup | None:
        """A backup if the newest is older than ``interval`` seconds and this session has written
        since its last one (or it is the first call); cheap otherwise: call it from a timer."""
        return backup.maybe_backup(self.store, interval)

    def maybe_backup_quietly(self, interval: float = backup.DEFAULT_INTERVAL) -> Backup | None:
        """:meth:`maybe_backup` for automatic callers: a failure is kept in
        :attr:`backup_error` and logged (shown on stderr by the command line), not raised."""
        try:
            made = self.maybe_backup(interval)
        except StoreError as exc:
            self.backup_error = str(exc)
            log.warning("warning: %s", exc)
            return None
        self.backup_error = None
        return made

    def list_backups(self) -> list[Backup]:
        """This project's backups, newest first."""
        return backup.list_backups(self.path)

    def restore_backup(self, path: str | os.PathLike[str]) -> Backup:
        """Replace the project's content with a backup (a path, or a name from
        :meth:`list_backups`). The current state is backed up first; that backup is returned."""
        safety = backup.restore(self.store, path)
        self._codebook = None
        return safety

    # -- codebook ----------------------------------------------------------------------------------

    @property
    def codebook(self) -> Codebook:
        if self._codebook is None:
            text = self.store.get_meta("codebook")
            self._codebook = Codebook.from_json(text) if text else load_codebook(DEFAULT_CODEBOOK)
        return self._codebook

    @_writes
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
        mapping: Any = None,
    ) -> ImportReport:
        """Import files and folders (any registered format). Re-importing an article is a no-op.

        Bad rows become issues in the report; the good ones still go in, one transaction each.
        Files may carry labels (our exports, Label Studio, doccano, Prodigy, spreadsheets): they
        are applied too, through ``mapping`` (an :class:`annotator.ingest.mapping.LabelMapping`;
        None: the automatic one). ``progress`` gets ``(bytes done, bytes total, message)``; cancelling it stops after
        the current chunk of articles, keeping what was imported.
        """
        from .importer import Importer  # the pipeline pulls in the NLP stack

        return Importer(self).run(paths, ner=ner, progress=progress, lang=lang, mapping=mapping)

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

    @_writes
    def set_label(
        self,
        sentence_id: int,
        annotator: str,
        stance: Mapping[int | str, str | None] | None = None,
        frames: Sequence[str] = (),
        irrelevant: bool = False,
        note: str = "",
        decided_by: str | None = None,
        actor: str | None = None,
        suggestion: dict[str, Any] | None | object = KEEP,
    ) -> Label | None:
        """Store the annotator's whole label for a sentence (an empty label removes it).

        ``stance`` maps targets (id, name or alias) to AGAINST / NEUTRAL / FAVOR (None clears).
        ``suggestion`` is the provenance: the model suggestion accepted into this label; by
        default the stored one is kept (an edit after accepting keeps where the label began).
        The change is committed at once and can be undone with :meth:`undo`.
        """
        if not annotator or not annotator.strip():
            raise ProjectError("an annotator name is needed")
        if not self.store.has_sentence(sentence_id):
            raise ProjectError(f"no sentence with id {sentence_id}")
        resolved: dict[int, str] = {}
        for key, value in (stance or {}).items():
            if value is None:
                continue
            try:
                resolved[self.resolve_target(key)] = check_stance(value)
            except ValueError as exc:
                raise ProjectError(str(exc)) from exc
        if suggestion is KEEP:
            before = self.label(sentence_id, annotator)
            suggestion = before.suggestion if before is not None else None
        label = Label(sentence_id=sentence_id, annotator=annotator, stance=resolved,
                      frames=self._frame_ids(frames), irrelevant=irrelevant, note=note,
                      decided_by=decided_by, suggestion=suggestion)  # type: ignore[arg-type]
        aid = self.store.annotator_id(annotator, create=True)
        assert aid is not None
        changes = self.store.label_changes(label, aid)
        # The event belongs to whoever acted: gold decisions to their reviewer's gold history.
        self.store.apply(actor or annotator, "label", changes, summary=f"sentence {sentence_id}")
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
        """Store the adjudicated gold label (kept under the reserved ``gold`` annotator).

        Undo it with ``undo(gold_actor(decided_by))``: each reviewer has their own history, so
        one reviewer's undo never reverts another's decision.
        """
        return self.set_label(sentence_id, GOLD_ANNOTATOR, stance, frames, irrelevant,
                              rationale, decided_by=decided_by, actor=gold_actor(decided_by))

    def clear_gold(self, sentence_id: int, reviewer: str) -> None:
        """Remove the gold label of a sentence (undoable in the reviewer's gold history)."""
        self.set_label(sentence_id, GOLD_ANNOTATOR, actor=gold_actor(reviewer))

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

    @_writes
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

    @_writes
    def relabel_mention(self, mention_id: int, label: str, annotator: str) -> None:
        if label not in ENTITY_LABELS:
            raise ProjectError(f"label {label!r} is not one of {', '.join(ENTITY_LABELS)}")
        change = self._mention_change(mention_id, label=label, origin=f"annotator:{annotator}")
        self.store.apply(annotator, "relabel_mention", [change], summary=f"relabel as {label}")

    @_writes
    def remove_mention(self, mention_id: int, annotator: str) -> None:
        before = self.store.mention_row(mention_id)
        if before is None:
            raise ProjectError(f"no mention with id {mention_id}")
        self.store.apply(annotator, "remove_mention",
                         [Change("mentions", {"id": mention_id}, before, None)],
                         summary=f"remove '{before['text']}'")

    # -- corrections that propagate: one event for every identical surface form ----------------

    def _scope_article(self, scope: str, article_id: str) -> str | None:
        if scope not in ("article", "project"):
            raise ProjectError(f"scope {scope!r} is not 'article' or 'project'")
        return article_id if scope == "article" else None

    def same_mentions(self, mention_id: int, scope: str = "article") -> list[Mention]:
        """The other mentions with exactly this mention's text, in its article or the project."""
        m = self.store.mention(mention_id)
        if m is None:
            raise ProjectError(f"no mention with id {mention_id}")
        assert m.article_id is not None
        return [o for o in self.store.mentions_with_text(m.text, self._scope_article(scope, m.article_id))
                if o.id != mention_id]

    def unmarked_occurrences(self, surface: str, scope: str, article_id: str) -> list[tuple[str, int, int]]:
        """(article id, start, end) where ``surface`` stands as a whole word and no mention overlaps."""
        if not surface.strip():
            return []
        only = self._scope_article(scope, article_id)
        out: list[tuple[str, int, int]] = []
        rows = ([(only, a.text)] if only and (a := self.store.article(only)) else
                self.store.articles_containing(surface))
        for aid, text in rows:
            spans = [(m.start, m.end) for m in self.store.mentions(aid)]
            at = text.find(surface)
            while at >= 0:
                end = at + len(surface)
                whole = ((at == 0 or not text[at - 1].isalnum())
                         and (end == len(text) or not text[end].isalnum()))
                if whole and not any(s < end and at < e for s, e in spans):
                    out.append((aid, at, end))
                at = text.find(surface, at + 1)
        return out

    def _correction_change(self, surface: str, label: str | None) -> Change:
        """Remember a correction for future imports (meta row; undone with the event)."""
        from .store import CORRECTION_PREFIX

        key = {"key": CORRECTION_PREFIX + surface}
        return Change("meta", key, self.store.correction_row(surface),
                      {**key, "value": json.dumps(label)})

    def _kind_changes(self, target_ids: Iterable[int | None], label: str) -> list[Change]:
        changes = []
        for tid in dict.fromkeys(t for t in target_ids if t is not None):
            row = self.store.target_row(tid)
            if row is not None and not row["pinned"] and row["kind"] != label and label != "MISC":
                changes.append(Change("targets", {"id": tid}, row, {**row, "kind": label}))
        return changes

    @_writes
    def add_mention_everywhere(self, article_id: str, start: int, end: int, label: str,
                               annotator: str, scope: str = "article",
                               target_id: int | None = None) -> int:
        """Add the span as ``label`` and the same text wherever it stands unmarked in the article or
        the project, as one undoable event; project scope is remembered for future imports.
        Returns how many mentions were added."""
        article = self.store.article(article_id)
        if article is None:
            raise ProjectError(f"no article {article_id}")
        if label not in ENTITY_LABELS:
            raise ProjectError(f"label {label!r} is not one of {', '.join(ENTITY_LABELS)}")
        if not (0 <= start < end <= len(article.text)) or not article.text[start:end].strip():
            raise ProjectError(f"span {start}-{end} is not a piece of the article text")
        surface = article.text[start:end]
        places = self.unmarked_occurrences(surface, scope, article_id)
        if not any(p == (article_id, start, end) for p in places):
            if any(s < end and start < e for s, e in
                   ((m.start, m.end) for m in self.store.mentions(article_id))):
                raise ProjectError(f"'{surface}' overlaps an entity already there")
            places.insert(0, (article_id, start, end))
        mid = self.store.next_id("mentions")
        changes: list[Change] = []
        for aid, s, e in places:
            row = {"id": mid, "article_id": aid, "start": s, "end": e, "label": label,
                   "raw_label": None, "text": surface, "normal": None,
                   "origin": f"annotator:{annotator}", "target_id": target_id}
            changes.append(Change("mentions", {"id": mid}, None, row))
            mid += 1
        if scope == "project":
            changes.append(self._correction_change(surface, label))
        self.store.apply(annotator, "add_mentions", changes,
                         summary=f"add {label} '{surface}' ×{len(places)} in the {scope}")
        return len(places)

    @_writes
    def relabel_everywhere(self, mention_id: int, label: str, annotator: str,
                           scope: str = "article") -> int:
        """Relabel this mention and every one with the same text in the article or project (one
        event); their targets take the label as kind (unless pinned). Returns how many."""
        if label not in ENTITY_LABELS:
            raise ProjectError(f"label {label!r} is not one of {', '.join(ENTITY_LABELS)}")
        first = self.store.mention(mention_id)
        if first is None:
            raise ProjectError(f"no mention with id {mention_id}")
        group = [first, *self.same_mentions(mention_id, scope)]
        changes = [self._mention_change(int(m.id), label=label, origin=f"annotator:{annotator}")  # type: ignore[arg-type]
                   for m in group]
        changes += self._kind_changes((m.target_id for m in group), label)
        if scope == "project":
            changes.append(self._correction_change(first.text, label))
        self.store.apply(annotator, "relabel_mentions", changes,
                         summary=f"relabel '{first.text}' ×{len(group)} as {label} in the {scope}")
        return len(group)

    @_writes
    def remove_everywhere(self, mention_id: int, annotator: str, scope: str = "article") -> int:
        """Remove this mention and every one with the same text in the article or project (one
        event); project scope keeps future imports from adding the text again. Returns how many."""
        first = self.store.mention(mention_id)
        if first is None:
            raise ProjectError(f"no mention with id {mention_id}")
        group = [first, *self.same_mentions(mention_id, scope)]
        changes = [Change("mentions", {"id": m.id}, self.store.mention_row(int(m.id)), None)  # type: ignore[arg-type]
                   for m in group]
        if scope == "project":
            changes.append(self._correction_change(first.text, None))
        self.store.apply(annotator, "remove_mentions", changes,
                         summary=f"remove '{first.text}' ×{len(group)} in the {scope}")
        return len(group)

    @_writes
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

    @_writes
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

    @_writes
    def rename_target(self, target_id: int, name: str, annotator: str) -> None:
        before = self.store.target_row(target_id)
        if before is None:
            raise ProjectError(f"no target with id {target_id}")
        self.store.apply(annotator, "rename_target",
                         [Change("targets", {"id": target_id}, before, {**before, "name": name})],
                         summary=f"rename to '{name}'")

    @_writes
    def set_pinned(self, target_id: int, pinned: bool, annotator: str) -> None:
        before = self.store.target_row(target_id)
        if before is None:
            raise ProjectError(f"no target with id {target_id}")
        after = {**before, "pinned": int(pinned)}
        self.store.apply(annotator, "pin_target" if pinned else "unpin_target",
                         [Change("targets", {"id": target_id}, before, after)],
                         summary=f"{'pin' if pinned else 'unpin'} '{before['name']}'")

    @_writes
    def merge_targets(self, keep_id: int, other_id: int, annotator: str) -> int:
        """Merge ``other`` into ``keep``: its mentions, aliases and stances move; it is deleted.

        Where one annotator gave a stance to both targets on one sentence, ``keep``'s stays;
        returns how many such stances of ``other`` were dropped (the event summary says so too,
        and undo brings them back).
        """
        if keep_id == other_id:
            raise ProjectError("cannot merge a target with itself")
        keep, other = self.store.target_row(keep_id), self.store.target_row(other_id)
        if keep is None or other is None:
            raise ProjectError(f"no target with id {other_id if keep else keep_id}")
        changes: list[Change] = []
        for mid in self.store.mention_ids_of_target(other_id):
            changes.append(self._mention_change(mid, target_id=keep_id))
        dropped = 0
        for row in self.store.stance_rows_of_target(other_id):
            key = {k: row[k] for k in ("sentence_id", "annotator_id", "target_id")}
            changes.append(Change("stances", key, row, None))
            moved = {**row, "target_id": keep_id}
            mkey = {**key, "target_id": keep_id}
            if self.store.stance_row(row["sentence_id"], row["annotator_id"], keep_id) is None:
                changes.append(Change("stances", mkey, None, moved))
            else:
                dropped += 1
        keep_aliases = {r["alias"] for r in self.store.alias_rows(keep_id)} | {keep["name"]}
        for row in self.store.alias_rows(other_id):
            changes.append(Change("target_aliases", dict(row), dict(row), None))
            if row["alias"] not in keep_aliases:
                keep_aliases.add(row["alias"])
                key = {"target_id": keep_id, "alias": row["alias"]}
                changes.append(Change("target_aliases", key, None, dict(key)))
        if other["name"] not in keep_aliases:
            # The merged name stays an alias: the next import finds it here, not a new target.
            key = {"target_id": keep_id, "alias": other["name"]}
            changes.append(Change("target_aliases", key, None, dict(key)))
        if other["pinned"] and not keep["pinned"]:
            changes.append(Change("targets", {"id": keep_id}, keep, {**keep, "pinned": 1}))
        changes.append(Change("targets", {"id": other_id}, other, None))
        summary = f"merge '{other['name']}' into '{keep['name']}'"
        if dropped:
            summary += (f"; {dropped} stance{'s' if dropped > 1 else ''} on '{other['name']}' "
                        f"dropped where '{keep['name']}' had one on the same sentence")
        self.store.apply(annotator, "merge_targets", changes, summary=summary)
        return dropped

    @_writes
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

    # -- review ------------------------------------------------------------------------------------

    def prepare_article(self, raw: RawArticle) -> tuple[Article, list[Sentence]]:
        """The article and sentences import would make of ``raw`` (nothing written, no NER)."""
        from .importer import Importer

        return Importer(self).prepare(raw, raw.content_id, None)


def open_project(path: str | Path, codebook: str | None = None) -> Project:
    return Project.open(path, codebook)


def gold_actor(reviewer: str) -> str:
    """The name a reviewer's gold decisions are logged under (their own undo history)."""
    return f"{GOLD_ANNOTATOR}:{reviewer}"
