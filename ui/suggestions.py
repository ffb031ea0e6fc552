"""Suggestions in the main window: the project model loaded, retrained in the background every
N new labels or on demand (cancellable), shown in the label panel, accepted by one key, and the
queue orders it makes possible (most uncertain, model/annotator disagreement)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMenu

from annotator.progress import Progress
from annotator.project import Project
from annotator.suggest.examples import Unit
from annotator.suggest.queue import disagreements
from annotator.suggest.service import (
    MIN_LABELS,
    MODEL_NAME,
    ModelInfo,
    Suggestion,
    SuggestionModel,
    blind,
    label_count,
    load_model,
    model_info,
    set_blind,
    train_project,
)

from .worker import BackgroundTask, run_in_background

if TYPE_CHECKING:
    from .main_window import MainWindow

#: Retrain after this many new labelled sentences (a setting: Model → Retrain every…).
DEFAULT_EVERY = 25


def _train(path: str, progress: Progress) -> tuple[ModelInfo, SuggestionModel | None]:
    """Worker thread: its own connection; trains, stores, and loads the stored model back."""
    with Project.open(path) as project:
        info = train_project(project, progress)
        return info, load_model(project)


def _load(path: str, _progress: Progress) -> tuple[ModelInfo | None, SuggestionModel | None]:
    with Project.open(path) as project:
        return model_info(project), load_model(project)


class SuggestionController(QObject):
    """Owns the loaded model and the Model menu; adapts the core's suggest package to the window."""

    model_changed = Signal()
    training_finished = Signal(object)  # ModelInfo, or None when cancelled or failed

    def __init__(self, window: "MainWindow", settings: QSettings) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.panel = window.panel
        self.settings = settings
        self.model: SuggestionModel | None = None
        self.info: ModelInfo | None = None
        self.task: BackgroundTask | None = None
        self.loader: BackgroundTask | None = None
        self.trained_at = 0  # labelled sentences when the model in use was trained
        self.every = int(settings.value("model/retrain_every", DEFAULT_EVERY, type=int))
        self._build_menu()
        s = self.session
        s.project_changed.connect(self._project_changed)
        s.current_changed.connect(lambda _i: self.refresh())
        s.annotator_changed.connect(lambda _n: self.refresh())
        s.labels_reloaded.connect(self.refresh)
        s.label_changed.connect(self._label_changed)
        s.targets_changed.connect(self.refresh)
        self._project_changed()

    # -- menu and keys ------------------------------------------------------------------------------

    def _build_menu(self) -> None:
        w = self.window
        k = w._key_action
        self.accept_action = k("accept_suggestion", self.accept)
        self.uncertain_action = k("next_uncertain", self.next_uncertain)
        self.disagreement_action = k("next_disagreement", self.next_disagreement)
        self.train_action = w._menu_action("&Train now", "train_model", lambda: self.train(True))
        self.cancel_action = w._action("&Cancel training", self.cancel, (), "cancel_training")
        self.auto_action = w._action("Retrain &automatically", lambda: None, (), "auto_retrain")
        self.auto_action.setCheckable(True)
        self.auto_action.setChecked(self.settings.value("model/auto", True, type=bool))
        self.auto_action.toggled.connect(lambda on: self.settings.setValue("model/auto", on))
        self.every_action = w._action(f"Retrain every {self.every} labels…", self.ask_every, (),
                                      "retrain_every")
        self.blind_action = w._action("&Hide suggestions (blind double annotation)",
                                      lambda: None, (), "blind_suggestions")
        self.blind_action.setCheckable(True)
        self.blind_action.toggled.connect(self.set_blind)
        menu = QMenu("&Model", w)
        menu.setObjectName("model_menu")
        for a in (self.accept_action, self.uncertain_action, self.disagreement_action):
            menu.addAction(a)
        menu.addSeparator()
        for a in (self.train_action, self.cancel_action, self.auto_action, self.every_action,
                  self.blind_action):
            menu.addAction(a)
        self.menu = menu
        bar = w.menuBar()
        last = bar.actions()[-1] if bar.actions() else None  # Help stays last
        bar.insertMenu(last, menu) if last is not None else bar.addMenu(menu)

    def _update_actions(self) -> None:
        p = self.session.project
        hidden = p is not None and blind(p)
        running = self.task is not None
        self.train_action.setEnabled(p is not None and not running)
        self.cancel_action.setEnabled(running)
        self.accept_action.setEnabled(p is not None and self.model is not None and not hidden)
        self.uncertain_action.setEnabled(p is not None and self.model is not None)
        self.disagreement_action.setEnabled(p is not None and self.model is not None
                                            and not hidden)
        self.blind_action.blockSignals(True)
        self.blind_action.setChecked(hidden)
        self.blind_action.setEnabled(p is not None)
        self.blind_action.blockSignals(False)

    def ask_every(self) -> None:
        n, ok = QInputDialog.getInt(self.window, "Retrain the model",
                                    "Retrain after this many new labelled sentences:",
                                    self.every, 1, 100000)
        if ok:
            self.every = n
            self.settings.setValue("model/retrain_every", n)
            self.every_action.setText(f"Retrain every {n} labels…")

    # -- the model ------------------------------------------------------------------------------------

    def _project_changed(self) -> None:
        self.model, self.info = None, None
        if self.loader is not None:  # loading another project's model: let it end unheard
            self.loader.on_success = self.loader.on_error = None
            self.loader = None
        p = self.session.project
        if p is not None:
            self.trained_at = 0
            self.info = model_info(p)
            if self.info is not None:
                self.trained_at = self.info.n_labels
                path = p.path
                self.loader = run_in_background(self.window, lambda pr: _load(path, pr),
                                                self._loaded, self._load_failed,
                                                "Loading the suggestion model", show_dialog=False)
        self._update_actions()
        self.refresh()

    def _loaded(self, result: tuple[ModelInfo | None, SuggestionModel | None] | None) -> None:
        self.loader = None
        if result is None or self.session.project is None:
            return
        self.info, self.model = result
        self._update_actions()
        self.refresh()
        self.model_changed.emit()

    def train(self, on_demand: bool = False) -> BackgroundTask | None:
        """Train in the background: with a progress dialog (and Cancel) when asked for, quietly
        (status bar, Model → Cancel training) when N new labels started it."""
        p = self.session.project
        if p is None or self.task is not None:
            return None
        path = p.path
        self.task = run_in_background(self.window, lambda pr: _train(path, pr), self._trained,
                                      self._failed, "Training the suggestion model",
                                      show_dialog=on_demand)
        self.window.statusBar().showMessage(
            "Training the suggestion model in the background (Model → Cancel training)…")
        self._update_actions()
        return self.task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.window.statusBar().showMessage("Cancelling the training…", 3000)

    def _trained(self, result: tuple[ModelInfo, SuggestionModel | None] | None) -> None:
        self.task = None
        if result is None:
            self.window.statusBar().showMessage("Training cancelled; the model in use is kept",
                                                5000)
            self._update_actions()
            self.training_finished.emit(None)
            return
        self.info, self.model = result
        self.trained_at = self.info.n_labels
        s = self.info.scores
        self.window.statusBar().showMessage(
            f"Model v{self.info.version} trained on {self.info.n_labels} sentences: frames"
            f" macro-F1 {_f(s.get('frames_f1'))}, stance {_f(s.get('stance_f1'))}"
            f" ({s.get('folds')}-fold cross-validation)", 10000)
        self._update_actions()
        self.refresh()
        self.model_changed.emit()
        self.training_finished.emit(self.info)

    def _failed(self, exc: BaseException, _details: str) -> None:
        self.task = None
        self.window.statusBar().showMessage(f"Suggestion model not trained: {exc}", 10000)
        self._update_actions()
        self.training_finished.emit(None)

    def _load_failed(self, exc: BaseException, _details: str) -> None:
        self.loader = None
        self.window.statusBar().showMessage(f"Suggestion model not loaded: {exc}", 10000)

    def _label_changed(self, _sentence_id: int) -> None:
        self.refresh()
        p = self.session.project
        if p is None or self.task is not None or not self.auto_action.isChecked():
            return
        n = label_count(p)
        due = n - self.trained_at >= self.every
        if due and n >= MIN_LABELS:
            self.trained_at = n  # not again before N more, even if this run is cancelled
            self.train(False)

    def set_blind(self, on: bool) -> None:
        p = self.session.project
        if p is None:
            return
        self.window._try(lambda: set_blind(p, on))
        self._update_actions()
        self.refresh()

    # -- showing and accepting --------------------------------------------------------------------------

    def current_suggestion(self) -> Suggestion | None:
        s = self.session
        sentence = s.sentence
        if s.project is None or sentence is None or self.model is None or blind(s.project):
            return None
        mentions = tuple((m.start - sentence.start, m.end - sentence.start, m.target_id)
                         for m in sentence.mentions if m.target_id is not None)
        unit = Unit(sentence.id, sentence.text, sentence.lang, mentions)
        rows = self.window.target_rows()
        targets = [r.target.id for r in rows if r.target.id is not None]
        names = {r.target.id: r.target.name for r in rows if r.target.id is not None}
        return self.model.suggest(unit, targets, names)

    def refresh(self) -> None:
        p = self.session.project
        note = ""
        if p is not None and blind(p):
            note = "Suggestions are hidden in this project (blind double annotation)."
        elif p is not None and self.model is None and self.task is not None:
            note = "The suggestion model is being trained…"
        self.panel.show_suggestion(self.current_suggestion(), note)
        self._update_actions()

    def accept(self) -> None:
        """Take the suggestion into the label: fields the annotator has decided stay as they are
        (frames, each target's stance); the rest come from the model. Saved with its provenance."""
        s = self.session
        sentence = s.sentence
        suggestion = self.panel.suggestion
        if sentence is None or s.project is None:
            return
        if suggestion is None:
            self.window.statusBar().showMessage("No suggestion for this sentence", 3000)
            return
        self.panel.flush()
        label = s.label(sentence.id)
        stance = dict(label.stance) if label else {}
        frames = list(label.frames) if label else []
        irrelevant = bool(label.irrelevant) if label else False
        note = label.note if label else ""
        shown = {r.target.id for r in self.panel.rows}
        for tid, (value, _p) in suggestion.stance.items():
            if tid in shown:
                stance.setdefault(tid, value)
        if not frames and not irrelevant:
            if suggestion.is_irrelevant and not stance:
                irrelevant = True
            else:
                frames = suggestion.chosen_frames
        if not (frames or stance or irrelevant):
            self.window.statusBar().showMessage("The model suggests nothing for this sentence",
                                                3000)
            return
        self.window._try(lambda: s.set_label(sentence.id, stance, frames, irrelevant, note,
                                             suggestion=suggestion.provenance()))
        self.window.statusBar().showMessage(f"Accepted the suggestion of {suggestion.model}", 3000)

    # -- queue orders ---------------------------------------------------------------------------------------

    def _goto(self, sentence_id: int) -> bool:
        p = self.session.project
        sentence = p.sentence(sentence_id) if p is not None else None
        if sentence is None:
            return False
        self.window.goto_article(sentence.article_id, sentence.index)
        return True

    def next_uncertain(self) -> None:
        p = self.session.project
        if p is None or not self.session.annotator:
            return
        ids = p.store.uncertain_unlabelled(MODEL_NAME, self.session.annotator)
        if not ids or not self._goto(ids[0]):
            self.window.statusBar().showMessage(
                "No unlabelled sentence has a suggestion (train the model: Model → Train now)",
                5000)

    def next_disagreement(self) -> None:
        p = self.session.project
        if p is None:
            return
        ranked = disagreements(p)
        if not ranked:
            self.window.statusBar().showMessage("The model agrees with every label", 5000)
            return
        current = self.session.sentence.id if self.session.sentence is not None else None
        ids = [d.sentence_id for d in ranked]
        at = ids.index(current) + 1 if current in ids else 0
        pick = ranked[at % len(ranked)]
        self._goto(pick.sentence_id)
        self.window.statusBar().showMessage(
            f"Disagreement {at % len(ranked) + 1} of {len(ranked)}: {pick.annotator} — {pick.what}",
            8000)


def _f(v: Any) -> str:
    return "—" if v is None else f"{v:.2f}"
