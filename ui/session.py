"""The open project, the annotator and the current article/sentence, with signals saying what changed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from PySide6.QtCore import QObject, Signal

from annotator.model import Article, Label, Mention, Sentence, Target
from annotator.project import Project

#: Event actions that change labels only (a redraw of the marks and the panel is enough).
LABEL_ACTIONS = frozenset({"label", "import_labels"})


@dataclass
class EntityEdit:
    """The annotator's last single entity edit, which can be repeated on every identical name."""

    action: str  # "add", "relabel", "remove"
    article_id: str
    text: str
    label: str | None
    mention_id: int | None = None
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Affected:
    """Where an undone/redone change happened: an article and, for labels, a sentence."""

    article_id: str | None
    sentence_id: int | None
    action: str  # the event's action: label, add_mention, rename_target, merge_targets, …

    @property
    def labels_only(self) -> bool:
        return self.action in LABEL_ACTIONS

    @property
    def description(self) -> str:
        """The action in words, for the status bar: 'add mention'."""
        return self.action.replace("_", " ")


class Session(QObject):
    """Adapter between the widgets and one open :class:`Project`.

    Widgets read the plain data held here and call its methods to change things; the signals
    tell each view what to refresh, so no view reloads more than it must.
    """

    project_changed = Signal()  # a project was opened or closed
    annotator_changed = Signal(str)
    article_loaded = Signal(str)  # article id ("" when none)
    labels_reloaded = Signal()  # the article's labels were re-read (undo/redo)
    current_changed = Signal(int)  # index of the current sentence (-1 when none)
    label_changed = Signal(int)  # sentence id
    mentions_changed = Signal(str)  # article id
    targets_changed = Signal()
    articles_changed = Signal()  # articles were imported
    history_changed = Signal()  # undo/redo availability may differ
    progress_changed = Signal()  # labelled/total counts (article or overall) changed

    def __init__(self, annotator: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.annotator = annotator
        self.article: Article | None = None
        self.sentences: list[Sentence] = []
        self.labels: dict[int, Label] = {}  # sentence id -> this annotator's label
        self.current = -1
        self._targets: dict[int, Target] | None = None
        self._overall: list[int] | None = None  # [labelled units, units] for the annotator
        self.last_entity_edit: EntityEdit | None = None  # what E / Shift+E would repeat

    # -- project and annotator ----------------------------------------------------------------------

    @property
    def path(self) -> str | None:
        return self.project.path if self.project is not None else None

    def open(self, path: str) -> None:
        project = Project.open(path)  # raises ProjectError with a readable message
        self.close()
        self.project = project
        self._targets = None
        self._overall = None
        self.project_changed.emit()
        self.history_changed.emit()

    def close(self) -> None:
        if self.project is None:
            return
        self.project.close()
        self.project = None
        self.article = None
        self.sentences = []
        self.labels = {}
        self.current = -1
        self._targets = None
        self._overall = None
        self.project_changed.emit()
        self.article_loaded.emit("")
        self.current_changed.emit(-1)

    def set_annotator(self, name: str) -> None:
        if name == self.annotator:
            return
        self.annotator = name
        self._overall = None
        self._reload_labels()
        self.annotator_changed.emit(name)
        self.history_changed.emit()
        if self.article is not None:
            self.article_loaded.emit(self.article.id)
            self.current_changed.emit(self.current)

    # -- article and sentence -----------------------------------------------------------------------

    def load_article(self, article_id: str, sentence_index: int | None = None) -> None:
        """Show an article; the current sentence is ``sentence_index`` or its first unit."""
        assert self.project is not None
        article = self.project.article(article_id)
        if article is None:
            return
        self.article = article
        self.sentences = self.project.sentences(article_id)
        self._reload_labels()
        self.progress_changed.emit()
        self.current = -1
        self.article_loaded.emit(article_id)
        if sentence_index is None:
            sentence_index = self.first_unit()
        self.set_current(sentence_index)

    def _reload_labels(self, recount: bool = False) -> None:
        """Read the annotator's labels of the article; ``recount`` after undo/redo of its labels."""
        if self.project is None or self.article is None or not self.annotator:
            self.labels = {}
            return
        before = self.article_progress()[0]
        self.labels = {lab.sentence_id: lab for lab in
                       self.project.labels(article_id=self.article.id, annotator=self.annotator)}
        if recount:
            self._count(self.article_progress()[0] - before)

    def _count(self, delta: int) -> None:
        if delta and self._overall is not None:
            self._overall[0] += delta
        self.progress_changed.emit()

    def overall_progress(self) -> tuple[int, int]:
        """(labelled units, units) over the whole project for the current annotator."""
        if self.project is None:
            return 0, 0
        if self._overall is None:
            # Counted once, then kept up to date from the label changes made here: the status
            # bar asks on every move.
            self._overall = list(self.project.progress(self.annotator))
        return self._overall[0], self._overall[1]

    def articles_imported(self) -> None:
        self._overall = None
        self._targets = None
        self.articles_changed.emit()
        self.targets_changed.emit()
        self.progress_changed.emit()

    def project_changed_elsewhere(self) -> None:
        """Another connection (an import or merge in a worker) changed the project: forget
        every cache and re-read the open article (its labels, entities and targets)."""
        if self.project is None:
            return
        self._overall = None
        self._after_history_or_merge()
        self.articles_imported()

    def first_unit(self) -> int:
        for s in self.sentences:
            if not s.boilerplate:
                return s.index
        return 0 if self.sentences else -1

    def set_current(self, index: int) -> None:
        if not self.sentences:
            index = -1
        else:
            index = max(0, min(index, len(self.sentences) - 1))
        if index != self.current:
            self.current = index
            self.current_changed.emit(index)

    @property
    def sentence(self) -> Sentence | None:
        return self.sentences[self.current] if 0 <= self.current < len(self.sentences) else None

    def step(self, delta: int) -> bool:
        """Move to the next (+1) or previous (-1) non-boilerplate sentence; False at the end."""
        i = self.current + delta
        while 0 <= i < len(self.sentences):
            if not self.sentences[i].boilerplate:
                self.set_current(i)
                return True
            i += delta
        return False

    def next_unlabelled_index(self, after: int, delta: int = 1) -> int | None:
        i = after + delta
        while 0 <= i < len(self.sentences):
            s = self.sentences[i]
            if not s.boilerplate and s.id not in self.labels:
                return i
            i += delta
        return None

    def is_labelled(self, sentence_id: int) -> bool:
        return sentence_id in self.labels

    def article_progress(self) -> tuple[int, int]:
        units = [s for s in self.sentences if not s.boilerplate]
        return sum(1 for s in units if s.id in self.labels), len(units)

    # -- labels -------------------------------------------------------------------------------------

    def label(self, sentence_id: int) -> Label | None:
        return self.labels.get(sentence_id)

    def set_label(
        self,
        sentence_id: int,
        stance: Mapping[int, str],
        frames: Iterable[str],
        irrelevant: bool,
        note: str,
    ) -> Label | None:
        """Save the annotator's whole label for a sentence at once (an empty label deletes it)."""
        assert self.project is not None and self.annotator
        label = self.project.set_label(sentence_id, self.annotator, stance=dict(stance),
                                       frames=list(frames), irrelevant=irrelevant, note=note)
        unit = any(s.id == sentence_id and not s.boilerplate for s in self.sentences)
        delta = int(label is not None) - int(sentence_id in self.labels)
        # The labels first: progress_changed makes the status bar count them.
        if label is None:
            self.labels.pop(sentence_id, None)
        else:
            self.labels[sentence_id] = label
        if unit:
            self._count(delta)
        self.label_changed.emit(sentence_id)
        self.history_changed.emit()
        return label

    # -- targets and mentions -------------------------------------------------------------------------

    def targets(self) -> dict[int, Target]:
        if self._targets is None:
            assert self.project is not None
            self._targets = {t.id: t for t in self.project.targets() if t.id is not None}
        return self._targets

    def target(self, target_id: int | None) -> Target | None:
        return self.targets().get(target_id) if target_id is not None else None

    def _targets_edited(self) -> None:
        self._targets = None
        self.targets_changed.emit()
        self.history_changed.emit()

    def _mentions_edited(self) -> None:
        assert self.project is not None and self.article is not None
        self.sentences = self.project.sentences(self.article.id)
        self._targets = None  # mention counts changed
        self.mentions_changed.emit(self.article.id)
        self.targets_changed.emit()
        self.history_changed.emit()

    def add_mention(self, start: int, end: int, label: str) -> Mention:
        assert self.project is not None and self.article is not None
        m = self.project.add_mention(self.article.id, start, end, label, self.annotator)
        self.last_entity_edit = EntityEdit("add", self.article.id, m.text, label, start=start, end=end)
        self._mentions_edited()
        return m

    def relabel_mention(self, mention_id: int, label: str) -> None:
        assert self.project is not None and self.article is not None
        m = self.project.store.mention(mention_id)
        self.project.relabel_mention(mention_id, label, self.annotator)
        if m is not None:
            self.last_entity_edit = EntityEdit("relabel", self.article.id, m.text, label, mention_id)
        self._mentions_edited()

    def remove_mention(self, mention_id: int) -> None:
        assert self.project is not None and self.article is not None
        m = self.project.store.mention(mention_id)
        self.project.remove_mention(mention_id, self.annotator)
        if m is not None:
            self.last_entity_edit = EntityEdit("remove", self.article.id, m.text, None, mention_id)
        self._mentions_edited()

    def propagation_counts(self) -> tuple[int, int]:
        """How many other identical names the last entity edit could be repeated on: (in this
        article, in the whole project); (0, 0) when there is nothing to offer."""
        edit = self.last_entity_edit
        if edit is None or self.project is None:
            return 0, 0
        counts = []
        for scope in ("article", "project"):
            if edit.action == "add":
                n = len(self.project.unmarked_occurrences(edit.text, scope, edit.article_id))
            else:
                others = self.project.store.mentions_with_text(
                    edit.text, edit.article_id if scope == "article" else None)
                n = sum(1 for o in others if o.id != edit.mention_id
                        and (edit.action == "remove" or o.label != edit.label))
            counts.append(n)
        return counts[0], counts[1]

    def propagate_last_edit(self, scope: str) -> int:
        """Repeat the last entity edit on every identical name in the article or project, as ONE
        undoable step: the single edit is undone and redone together with the others. Project
        scope is also remembered for future imports. Returns how many mentions the step touched."""
        edit = self.last_entity_edit
        if edit is None or self.project is None:
            return 0
        project, who = self.project, self.annotator
        project.undo(who)
        try:
            if edit.action == "add":
                n = project.add_mention_everywhere(edit.article_id, edit.start, edit.end,
                                                   str(edit.label), who, scope)
            elif edit.action == "relabel":
                n = project.relabel_everywhere(int(edit.mention_id), str(edit.label), who, scope)  # type: ignore[arg-type]
            else:
                n = project.remove_everywhere(int(edit.mention_id), who, scope)  # type: ignore[arg-type]
        except Exception:
            project.redo(who)  # put the single edit back as it was
            raise
        self.last_entity_edit = None
        if self.article is not None:
            self._mentions_edited()
        return n

    def link_mention(self, mention_id: int, target_id: int | None) -> None:
        assert self.project is not None
        self.project.link_mention(mention_id, target_id, self.annotator)
        self._mentions_edited()

    def create_target(self, name: str, kind: str) -> Target:
        assert self.project is not None
        t = self.project.create_target(name, kind, self.annotator)
        self._targets_edited()
        return t

    def rename_target(self, target_id: int, name: str) -> None:
        assert self.project is not None
        self.project.rename_target(target_id, name, self.annotator)
        self._targets_edited()

    def set_pinned(self, target_id: int, pinned: bool) -> None:
        assert self.project is not None
        self.project.set_pinned(target_id, pinned, self.annotator)
        self._targets_edited()

    def merge_targets(self, keep_id: int, other_id: int) -> int:
        """Returns how many stances were dropped (both targets had one on a sentence)."""
        assert self.project is not None
        dropped = self.project.merge_targets(keep_id, other_id, self.annotator)
        self._after_history_or_merge()
        return dropped

    def _after_history_or_merge(self, labels_only: bool = False) -> None:
        """Reload what an undo/redo or merge may have changed (``labels_only``: just labels)."""
        assert self.project is not None
        if labels_only:
            self._reload_labels(recount=True)
            self.labels_reloaded.emit()
            self.history_changed.emit()
            return
        if self.article is not None:
            self.sentences = self.project.sentences(self.article.id)
            self._reload_labels(recount=True)
        self._targets = None
        self.targets_changed.emit()
        if self.article is not None:
            self.article_loaded.emit(self.article.id)
            self.current_changed.emit(self.current)
        self.history_changed.emit()

    # -- undo and redo --------------------------------------------------------------------------------

    def can_undo(self) -> bool:
        return self.project is not None and bool(self.annotator) and self.project.can_undo(self.annotator)

    def can_redo(self) -> bool:
        return self.project is not None and bool(self.annotator) and self.project.can_redo(self.annotator)

    def undo(self) -> Affected | None:
        return self._history(undo=True)

    def redo(self) -> Affected | None:
        return self._history(undo=False)

    def _history(self, undo: bool) -> Affected | None:
        if self.project is None or not self.annotator:
            return None
        self.last_entity_edit = None  # nothing to repeat once the history moved
        event = self.project.undo(self.annotator) if undo else self.project.redo(self.annotator)
        if event is None:
            return None
        affected = self._affected(event.id, event.action)
        if affected.article_id is not None and (self.article is None
                                                or affected.article_id != self.article.id):
            index = None
            if affected.sentence_id is not None:
                s = self.project.sentence(affected.sentence_id)
                index = s.index if s is not None else None
            self._targets = None
            self._overall = None  # another article's labels changed: count again when asked
            self.targets_changed.emit()
            self.load_article(affected.article_id, index)
            self.history_changed.emit()
            return affected
        self._after_history_or_merge(affected.labels_only)
        if affected.sentence_id is not None:
            for s in self.sentences:
                if s.id == affected.sentence_id:
                    self.set_current(s.index)
                    break
        return affected

    def _affected(self, event_id: int, action: str) -> Affected:
        assert self.project is not None
        article_ids, sentence_ids = self.project.event_scope(event_id)
        sentence_id = sentence_ids[0] if sentence_ids else None
        article_id = article_ids[0] if article_ids else None
        if sentence_id is not None:  # go to that sentence's article when several were touched
            sentence = self.project.sentence(sentence_id)
            article_id = sentence.article_id if sentence is not None else article_id
        return Affected(article_id, sentence_id, action)
