"""The main window: menus, docks, status bar and key actions, wired to one Session."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from annotator.ingest.mapping import LabelMapping
from annotator.model import GOLD_ANNOTATOR, ImportReport
from annotator.peer_import import PeerPreview
from annotator.peer_import import preview as preview_peer_files
from annotator.progress import Cancelled, Progress
from annotator.project import Project, ProjectError
from annotator.store import ProjectFilesChanged, StoreError
from annotator.textsafe import visible

from . import settings as app_settings
from . import file_dialogs
from . import messages, theme
from .article_list import ArticleListPanel
from .article_view import ArticleView
from .dialogs import ImportReportDialog, LinkTargetDialog, ShortcutsDialog, show_about
from .entities import EntityLegend, EntityTypeToggles
from .export_dialog import ExportDialog
from .fonts import ArticleFontSize
from .import_mapping import ImportMappingDialog, may_hold_peer_tasks
from .keys import BINDINGS, STANCE_COMMANDS, binding, shortcut_text, with_key
from .label_panel import LabelPanel, LabelScrollArea, TargetRow
from .merge_dialog import MergeDialog, MergeOutcome, MergeReportDialog, merge_files
from .review import open_review_window
from .richtext import tooltip
from .session import Affected, Session
from .unsaved import NoticeBar, PendingLabel, UnsavedLabels, retry_timer
from .worker import BackgroundTask, cancel_all_and_wait, run_in_background

PROJECT_FILTER = "Annotator projects (*.annot);;All files (*)"
IMPORT_FILTER = "Articles (*.txt *.text *.md *.jsonl *.json *.csv *.tsv);;All files (*)"


class MainWindow(QMainWindow):
    import_finished = Signal(object)  # ImportReport (None when the import failed)
    merge_finished = Signal(object)  # list[MergeOutcome] (None when the merge failed)
    mapping_shown = Signal(object)  # the ImportMappingDialog, once open

    def __init__(self, settings: QSettings, annotator: str = "", restore_layout: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self.persist_layout = True
        self.session = Session(annotator, self)
        self.unsaved = UnsavedLabels(settings, self)
        self.actions_by_command: dict[str, QAction] = {}
        self.frame_actions: list[QAction] = []
        self.import_task: BackgroundTask | None = None
        self.merge_task: BackgroundTask | None = None
        self.open_task: BackgroundTask | None = None  # an older project being upgraded
        self.report_dialog: ImportReportDialog | None = None
        self.mapping_dialog: ImportMappingDialog | None = None
        self._target_names: list[str] = []
        self.export_dialog: ExportDialog | None = None
        self.merge_report_dialog: MergeReportDialog | None = None
        self.review_window: QWidget | None = None
        self.setObjectName("main_window")
        self.setWindowTitle("Annotator")
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks
                            | QMainWindow.DockOption.AllowTabbedDocks)

        self.toggles = EntityTypeToggles(self)
        self._build_central()
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_status()
        self._connect()
        from .suggestions import SuggestionController  # the Model menu, after Help is built

        self.suggestions = SuggestionController(self, settings)
        self.unsaved.changed.connect(self._show_unsaved)
        self.retry = retry_timer(self, self.retry_unsaved)
        # Files replaced, or this process's SQLite locks dropped by something in it: seen within a
        # second even without a write (the store checks before every write as well).
        self.files_timer = QTimer(self)
        self.files_timer.setInterval(1000)
        self.files_timer.timeout.connect(self.check_project_files)
        self.files_timer.start()
        self.files_problem = ""
        # Backups: one when a project opens, then every 30 minutes while it is written to.
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(60_000)
        self.backup_timer.timeout.connect(self.maybe_backup)
        self.backup_timer.start()
        self._update_title()
        self._update_history_actions()
        self._project_changed()  # no project yet: set the actions' initial state
        self.resize(1500, 950)
        self._fit_docks = True  # on the first show, unless a saved layout sets the widths
        if restore_layout:
            self._restore_layout()

    # -- construction ---------------------------------------------------------------------------------

    def _build_central(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 2)
        layout.setSpacing(4)
        self.title = QLabel("")
        self.title.setObjectName("article_title")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.meta = QLabel("")
        self.meta.setObjectName("article_meta")
        self.meta.setTextFormat(Qt.TextFormat.PlainText)
        self.meta.setWordWrap(True)  # a narrow window wraps it instead of growing
        self.view = ArticleView()
        self.view.target_lookup = self.session.target
        self.legend = EntityLegend(self.toggles)
        self.notice = NoticeBar()
        self.notice.retry_requested.connect(self.retry_unsaved)
        self.notice.reopen_requested.connect(self.reopen_project)
        layout.addWidget(self.notice)
        layout.addWidget(self.title)
        layout.addWidget(self.meta)
        layout.addWidget(self.legend)
        layout.addWidget(self.view, 1)
        self.setCentralWidget(central)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)  # saveState/restoreState find docks by name
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        self.articles = ArticleListPanel()
        self.articles_dock = self._dock("Articles", "articles_dock", self.articles,
                                        Qt.DockWidgetArea.LeftDockWidgetArea)
        self.panel = LabelPanel()
        self.panel.return_focus_to = self.view
        self.label_scroll = LabelScrollArea(self.panel)
        self.label_dock = self._dock("Label", "label_dock", self.label_scroll,
                                     Qt.DockWidgetArea.RightDockWidgetArea)
        from .targets_panel import TargetsPanel  # imported here: it needs the session

        self.targets = TargetsPanel(self.session)
        self.targets_dock = self._dock("Targets", "targets_dock", self.targets,
                                       Qt.DockWidgetArea.LeftDockWidgetArea)
        self.splitDockWidget(self.articles_dock, self.targets_dock, Qt.Orientation.Vertical)
        self.resizeDocks([self.articles_dock, self.targets_dock], [560, 300],
                         Qt.Orientation.Vertical)

    def _action(self, text: str, slot: Callable[[], object], keys: tuple[str, ...] = (),
                command: str | None = None, tip: str | None = None) -> QAction:
        action = QAction(text, self)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
        if tip:
            action.setToolTip(tooltip(tip))
            action.setStatusTip(tip)
        action.triggered.connect(lambda _=False: slot())
        self.addAction(action)  # active even when its menu is hidden
        if command:
            action.setObjectName(command)
            self.actions_by_command[command] = action
        return action

    def _key_action(self, command: str, slot: Callable[[], object]) -> QAction:
        b = binding(command)
        return self._action(b.text, slot, b.keys, command, with_key(b.text, command))

    def _menu_action(self, text: str, command: str, slot: Callable[[], object]) -> QAction:
        """A menu entry with its own text and the keys of ``command`` in the key table."""
        b = binding(command)
        return self._action(text, slot, b.keys, command, with_key(b.text, command))

    def _build_actions(self) -> None:
        a = self._action
        m = self._menu_action
        self.new_action = m("&New project…", "new", self.new_project_dialog)
        self.open_action = m("&Open project…", "open", self.open_project_dialog)
        self.import_action = m("&Import files…", "import", self.import_files_dialog)
        self.import_folder_action = a("Import &folder…", self.import_folder_dialog, (),
                                      "import_folder")
        self.ner_action = a("Find entities when importing", lambda: None, (), "ner")
        self.ner_action.setCheckable(True)
        self.ner_action.setChecked(self.settings.value("import/ner", True, type=bool))
        self.ner_action.toggled.connect(lambda on: self.settings.setValue("import/ner", on))
        self.export_action = m("&Export…", "export", self.open_export_dialog)
        self.merge_action = m("&Merge annotations…", "merge", self.merge_dialog)
        self.review_action = m("&Review and adjudicate…", "review", self.open_review)
        self.switch_action = a("S&witch annotator…", self.switch_annotator_dialog, (), "switch")
        self.backup_action = a("&Back up now", self.backup_now, (), "backup")
        self.restore_action = a("Restore a &backup…", self.restore_backup_dialog, (), "restore")
        self.close_project_action = m("&Close project", "close", self.close_project)
        self.quit_action = m("&Quit", "quit", self.close)
        k = self._key_action
        k("undo", self.undo)
        k("redo", self.redo)
        k("propagate_article", lambda: self.propagate("article")).setEnabled(False)
        k("propagate_project", lambda: self.propagate("project")).setEnabled(False)
        k("next_sentence", lambda: self.step(+1))
        k("prev_sentence", lambda: self.step(-1))
        k("next_unlabelled", self.next_unlabelled)
        k("prev_unlabelled", self.prev_unlabelled)
        k("next_article", lambda: self.step_article(+1))
        k("prev_article", lambda: self.step_article(-1))
        k("next_target", lambda: self.panel.cycle_target(+1))
        k("prev_target", lambda: self.panel.cycle_target(-1))
        for command, value in STANCE_COMMANDS.items():
            k(command, lambda v=value: self.set_stance(v))
        k("stance_clear", lambda: self.set_stance(None))
        k("irrelevant", self.panel.toggle_irrelevant)
        k("note", self.panel.focus_note)
        k("shortcuts", self.show_shortcuts)
        self.about_action = a("&About", lambda: show_about(self), (), "about")

    def _build_menus(self) -> None:
        bar = self.menuBar()
        m = bar.addMenu("&File")
        m.addAction(self.new_action)
        m.addAction(self.open_action)
        self.recent_menu = m.addMenu("Open &recent")
        self.recent_menu.setObjectName("recent_menu")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        m.addSeparator()
        m.addAction(self.import_action)
        m.addAction(self.import_folder_action)
        m.addAction(self.ner_action)
        m.addAction(self.export_action)
        m.addAction(self.merge_action)
        m.addSeparator()
        m.addAction(self.backup_action)
        m.addAction(self.restore_action)
        m.addSeparator()
        m.addAction(self.switch_action)
        m.addAction(self.close_project_action)
        m.addSeparator()
        m.addAction(self.quit_action)
        m = bar.addMenu("&Edit")
        m.addAction(self.actions_by_command["undo"])
        m.addAction(self.actions_by_command["redo"])
        m.addSeparator()
        m.addAction(self.actions_by_command["propagate_article"])
        m.addAction(self.actions_by_command["propagate_project"])
        m.addSeparator()
        m.addAction(self.switch_action)
        m = bar.addMenu("&Go")
        for command in ("next_sentence", "prev_sentence", "next_unlabelled", "prev_unlabelled",
                        "next_article", "prev_article"):
            m.addAction(self.actions_by_command[command])
        m = bar.addMenu("&Label")
        for command in ("next_target", "prev_target", "stance_against", "stance_neutral",
                        "stance_favor", "stance_clear", "irrelevant", "note"):
            m.addAction(self.actions_by_command[command])
        self.frames_menu = m.addMenu("&Frames")
        m = bar.addMenu("&Review")
        m.addAction(self.review_action)
        m.addAction(self.merge_action)
        m = bar.addMenu("&View")
        for dock in (self.articles_dock, self.label_dock, self.targets_dock):
            m.addAction(dock.toggleViewAction())
        m.addSeparator()
        entity_menu = m.addMenu("&Entity types")
        for action in self.toggles.actions.values():
            entity_menu.addAction(action)
        self._build_appearance(m)
        m = bar.addMenu("&Help")
        m.addAction(self.actions_by_command["shortcuts"])
        m.addAction(self._action("&Welcome…", self._show_welcome, (), "welcome"))
        m.addAction(self.about_action)

    def _build_appearance(self, menu: QMenu) -> None:
        """Theme and article text size (ui.theme, ui.fonts): in the View menu, remembered."""
        menu.addSeparator()
        self.theme_actions = theme.add_theme_menu(menu, self.settings)
        self.font_size = ArticleFontSize(self.settings, self)
        self.font_size.add_to(menu)
        for action in self.font_size.actions():
            self.addAction(action)  # the keys work with the menu closed
            self.actions_by_command[action.objectName()] = action
        self.view.set_point_size(self.font_size.points)
        self.font_size.changed.connect(self.view.set_point_size)
        self.view.font_step_requested.connect(self.font_size.step)
        theme.changed().connect(self._theme_changed)

    def _theme_changed(self, _name: str) -> None:
        for key, action in self.theme_actions.items():
            action.setChecked(key == theme.mode())
        self.view.restyle()
        if self.session.project is not None:
            self._show_current()  # the label panel's chips are drawn in the theme's colours

    def _build_status(self) -> None:
        bar = self.statusBar()
        self.annotator_label = QLabel()
        self.annotator_label.setObjectName("status_annotator")
        self.path_label = QLabel()
        self.path_label.setTextFormat(Qt.TextFormat.PlainText)
        self.path_label.setObjectName("status_path")
        self.progress_label = QLabel()
        self.progress_label.setObjectName("status_progress")
        for w in (self.progress_label, self.annotator_label, self.path_label):
            bar.addPermanentWidget(w)
        self._update_status()

    def _connect(self) -> None:
        s = self.session
        s.project_changed.connect(self._project_changed)
        s.annotator_changed.connect(self._annotator_changed)
        s.article_loaded.connect(self._article_loaded)
        s.current_changed.connect(self._current_changed)
        s.label_changed.connect(self._label_changed)
        s.labels_reloaded.connect(self._labels_reloaded)
        s.mentions_changed.connect(self._mentions_changed)
        s.targets_changed.connect(self._targets_changed)
        s.history_changed.connect(self._update_history_actions)
        s.progress_changed.connect(self._update_status)
        self.articles.article_activated.connect(self.goto_article)
        self.view.sentence_clicked.connect(self.session.set_current)
        self.view.add_entity_requested.connect(self.add_entity)
        self.view.relabel_requested.connect(lambda mid, lab: self._entity_edit(
            lambda: self.session.relabel_mention(mid, lab)))
        self.view.remove_requested.connect(lambda mid: self._entity_edit(
            lambda: self.session.remove_mention(mid)))
        self.view.unlink_requested.connect(lambda mid: self._try(
            lambda: self.session.link_mention(mid, None)))
        self.view.link_requested.connect(self.link_mention_dialog)
        self.panel.edited.connect(self._label_edited)
        self.panel.note.textEdited.connect(self._keep_draft)
        self.toggles.changed.connect(self.view.set_visible_types)

    # -- settings -------------------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self._fit_docks = not self.restoreState(state)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._fit_docks:
            # Shares of the window as it is shown, not fixed pixels: on a small screen fixed
            # widths left the article text a narrow strip between the docks.
            self._fit_docks = False
            width = self.width()
            self.resizeDocks([self.articles_dock, self.label_dock],
                             [int(width * 0.31), int(width * 0.27)], Qt.Orientation.Horizontal)

    def compact_for(self, room: QSize) -> None:
        """A screen too small for the docks side by side (ui.screen_fit): stack them as tabs."""
        self.tabifyDockWidget(self.label_dock, self.articles_dock)
        self.tabifyDockWidget(self.label_dock, self.targets_dock)
        self.label_dock.raise_()
        self._fit_docks = False

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = app_settings.recent_projects(self.settings)
        for path in recent:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.open_project(p))
        if not recent:
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    # -- projects -------------------------------------------------------------------------------------

    def running_job(self) -> str | None:
        """What this window is doing in the background ('an import', 'a merge'), if anything.

        (The Review window's own computations do not count: they read their own connection.)
        """
        if self.open_task is not None:
            return "the upgrade of the project file"
        if self.import_task is not None or self.mapping_dialog is not None:
            return "an import"
        if self.merge_task is not None:
            return "a merge"
        if self.export_dialog is not None and self.export_dialog.task is not None:
            return "an export"
        return None

    def _busy(self) -> bool:
        job = self.running_job()
        if job:
            messages.inform(self, "Busy", f"Wait for {job} to finish, or cancel it.")
            return True
        return False

    def open_project(self, path: str | os.PathLike[str], restore: bool = True,
                     background: bool = True) -> bool:
        """Open a project; with ``restore``, as its annotator left it (name, article, sentence).

        A project of an older schema is upgraded first, with ``background`` in a background job
        with a progress dialog (a backup and a recount: seconds on a big project), and then
        opened; True then means the upgrade started."""
        job = self.running_job()
        if job:
            self.statusBar().showMessage(f"{job.capitalize()} is running: wait for it or cancel it",
                                         5000)
            return False
        if background and Project.needs_upgrade(path):
            self._upgrade_then_open(str(path), restore)
            return True
        return self._open_now(path, restore)

    def _upgrade_then_open(self, path: str, restore: bool) -> None:
        def work(progress: Progress) -> bool:
            progress.update(0, 0, f"{Path(path).name}: made by an older version of the program; "
                            "a backup first, then the file is brought up to date (once)")
            try:
                Project.open(path, create=False, interrupt=lambda: progress.cancelled).close()
            except ProjectError:
                if progress.cancelled:  # stopped: the file is as it was (the backup is kept)
                    raise Cancelled from None
                raise
            return not progress.cancelled  # cancelled as it finished: upgraded, not opened

        def done(result: bool | None) -> None:
            self.open_task = None
            if result:
                self._open_now(path, restore)
            else:
                state = "was left as it was" if result is None else "was brought up to date"
                self.statusBar().showMessage(f"Not opened: {Path(path).name} {state}", 8000)

        def failed(exc: BaseException, details: str) -> None:
            self.open_task = None
            messages.warn(self, "Cannot open the project", str(exc))

        self.open_task = run_in_background(self, work, done, failed,
                                           title="Upgrading the project file")

    def _open_now(self, path: str | os.PathLike[str], restore: bool) -> bool:
        # Read before opening: showing the first article records it as the position.
        where = app_settings.last_position(self.settings, str(path)) if restore else None
        name = app_settings.project_annotator(self.settings, str(path)) if restore else ""
        try:
            self.session.open(str(path))
        except ProjectError as exc:
            messages.warn(self, "Cannot open the project", str(exc))
            app_settings.remove_recent_project(self.settings, str(path))
            return False
        app_settings.add_recent_project(self.settings, str(path))
        if name and name != self.session.annotator and name != GOLD_ANNOTATOR:
            self.switch_annotator(name)
        elif self.session.path:
            app_settings.set_project_annotator(self.settings, self.session.path, self.session.annotator)
        if where is not None:
            self.restore_position(where)
        return True

    def new_project_dialog(self) -> None:
        if self._busy():
            return
        path = file_dialogs.save_file_name(self, "New project", Path.home() / "study.annot",
                                           PROJECT_FILTER, "project")
        if path:
            if not Path(path).suffix:
                path += ".annot"
            if Path(path).exists():
                messages.inform(self, "New project", "That file exists: it is opened.")
            self.open_project(path)

    def open_project_dialog(self) -> None:
        if self._busy():
            return
        path = file_dialogs.open_file_name(self, "Open project", PROJECT_FILTER, "project")
        if path:
            self.open_project(path)

    def close_project(self) -> None:
        if not self._busy():
            self.panel.flush()
            self.session.close()

    # -- export, merge and review -------------------------------------------------------------------

    def open_export_dialog(self) -> ExportDialog | None:
        """File → Export…: a window-modal dialog; the export itself runs in a worker."""
        if self.session.project is None or self._busy():
            return None
        self.panel.flush()  # a note being typed goes out too
        dialog = ExportDialog(self.session.project, self.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r, d=dialog: self._export_dialog_closed(d))
        self.export_dialog = dialog
        dialog.open()
        return dialog

    def _export_dialog_closed(self, dialog: ExportDialog) -> None:
        if self.export_dialog is dialog:
            self.export_dialog = None

    def merge_dialog(self) -> None:
        if self.session.project is None or self._busy():
            return
        dialog = MergeDialog(self)
        if dialog.exec():
            self.merge_files(dialog.paths(), dialog.add_articles.isChecked())

    def merge_files(self, paths: list[str], add_articles: bool = False) -> BackgroundTask | None:
        """Merge other project files / native exports in a worker that opens its own Project."""
        if self.session.project is None or not paths:
            return None
        job = self.running_job()
        if job:
            self.statusBar().showMessage(f"{job.capitalize()} is running: wait for it", 5000)
            return None
        self.panel.flush()
        project_path = self.session.project.path
        chosen = [str(p) for p in paths]

        def work(progress: Progress) -> list[MergeOutcome]:
            return merge_files(project_path, chosen, add_articles, progress)

        self.merge_task = run_in_background(self, work, self._merge_done, self._merge_failed,
                                            title="Merging annotations")
        return self.merge_task

    def _merge_done(self, outcomes: list[MergeOutcome] | None) -> None:
        self.merge_task = None
        cancelled = outcomes is None  # cancelled before the first file began
        outcomes = outcomes or []
        self.session.project_changed_elsewhere()
        self._refresh_list()
        project = self.session.project

        def title_of(article_id: str) -> str:
            article = project.article(article_id) if project is not None else None
            return article.title if article is not None and article.title else article_id[:12]

        self.merge_report_dialog = MergeReportDialog(outcomes, title_of, self, cancelled)
        self.merge_report_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.merge_report_dialog.open()
        self.merge_finished.emit(outcomes)

    def _merge_failed(self, exc: BaseException, details: str) -> None:
        self.merge_task = None
        self.session.project_changed_elsewhere()  # articles merged before the failure are kept
        self._refresh_list()
        box = messages.error_box(self, "Merge failed", str(exc), details)
        box.open()
        self.merge_finished.emit(None)

    def open_review(self) -> QWidget | None:
        """Review → Review and adjudicate…: the review window on this project, signed by you."""
        if self.session.project is None:
            messages.inform(self, "Review", "Open a project first.")
            return None
        if not self.session.annotator:
            self.switch_annotator_dialog()
            if not self.session.annotator:
                return None
        self.panel.flush()
        path, reviewer = self.session.project.path, self.session.annotator
        window = self.review_window
        if (window is not None and window.isVisible()
                and getattr(window, "reviewer", None) == reviewer
                and getattr(getattr(window, "project", None), "path", None) == path):
            window.raise_()
            window.activateWindow()
            return window
        if window is not None and window.isVisible():
            window.close()  # another reviewer or project: one Review window at a time
        try:
            self.review_window = open_review_window(self, path, reviewer)
        except ValueError:
            return None  # open_review_window has said why
        # The window deletes itself on close; forget it then, so no dead object is touched.
        self.review_window.destroyed.connect(self._review_window_gone)
        return self.review_window

    def _review_window_gone(self) -> None:
        self.review_window = None

    # -- annotator ------------------------------------------------------------------------------------

    def switch_annotator_dialog(self) -> None:
        known = self.session.project.annotators() if self.session.project is not None else []
        names = list(dict.fromkeys([self.session.annotator, *known] if self.session.annotator
                                   else known))
        name, ok = QInputDialog.getItem(self, "Switch annotator",
                                        "Your name (labels and undo history are kept per name):",
                                        names, 0, True)
        if ok:
            self.switch_annotator(name)

    def switch_annotator(self, name: str) -> bool:
        name = name.strip()
        if not name or name == GOLD_ANNOTATOR:
            messages.warn(self, "Annotator", f"Choose a name (not “{GOLD_ANNOTATOR}”,"
                                           " which is kept for adjudicated labels).")
            return False
        # A note being typed is saved under the old name, and the field is left: otherwise it
        # keeps the old annotator's text, which the next edit would save under the new name.
        if self.focusWidget() is self.panel.note:  # also while the name dialog has the focus
            self.panel.leave_note()
        self.panel.flush()
        app_settings.set_annotator_name(self.settings, name)
        if self.session.path:
            app_settings.set_project_annotator(self.settings, self.session.path, name)
        self.session.set_annotator(name)
        return True

    def _annotator_changed(self, name: str) -> None:
        current = self.session.article.id if self.session.article else None
        self.articles.model.set_source(self.session.project, name)
        self.articles.update_count()
        if current is not None:
            self.articles.select_article(current, emit=False)
        self._update_status()

    # -- import ---------------------------------------------------------------------------------------

    def import_files_dialog(self) -> None:
        paths = file_dialogs.open_file_names(self, "Import articles", IMPORT_FILTER, "import")
        if paths:
            self.import_checked(paths)

    def import_folder_dialog(self) -> None:
        path = file_dialogs.existing_directory(self, "Import a folder of articles", "import")
        if path:
            self.import_checked([path])

    def _can_import(self) -> bool:
        if self.session.project is None:
            messages.inform(self, "Import", "Open or create a project first.")
            return False
        job = self.running_job()
        if job:
            self.statusBar().showMessage(f"{job.capitalize()} is running: wait for it", 5000)
            return False
        return True

    def import_checked(self, paths: list[str], ner: bool | None = None) -> BackgroundTask | None:
        """Import with the mapping step: files that may hold other tools' tasks are read first
        (in a worker) and their labels' mapping shown for the user to confirm or change; plain
        article files are imported at once."""
        if not may_hold_peer_tasks(paths):
            return self.import_files(paths, ner)
        if not self._can_import():
            return None

        def shown(preview: PeerPreview | None) -> None:
            self.import_task = None
            if preview is None:
                self.statusBar().showMessage("Import cancelled: nothing was written", 5000)
                self.import_finished.emit(None)
            elif not preview.tasks:
                self.import_files(paths, ner)
            else:
                self._show_mapping(paths, ner, preview)

        self.import_task = self._read_peer_files(paths, LabelMapping(), shown)
        return self.import_task

    def _read_peer_files(self, paths: list[str], mapping: LabelMapping,
                         then: Callable[[PeerPreview | None], None]) -> BackgroundTask | None:
        """Read ``paths`` as an import would, writing nothing (the mapping step's preview)."""
        assert self.session.project is not None
        project_path = self.session.project.path

        def work(progress: Progress) -> tuple[PeerPreview, list[str]]:
            with Project.open(project_path, create=False) as p:
                return preview_peer_files(paths, p.codebook, mapping, progress), \
                    [t.name for t in p.targets()]

        def done(result: tuple[PeerPreview, list[str]] | None) -> None:
            if result is not None:
                self._target_names = result[1]
            then(result[0] if result is not None else None)

        def failed(exc: BaseException, details: str) -> None:
            then(None)
            messages.error_box(self, "Reading the files failed", str(exc), details).open()

        return run_in_background(self, work, done, failed, title="Reading the files")

    def _show_mapping(self, paths: list[str], ner: bool | None, preview: PeerPreview) -> None:
        assert self.session.project is not None
        dialog = ImportMappingDialog(
            preview, self.session.project.codebook, self._target_names,
            reread=lambda mapping, then: self._read_peer_files(paths, mapping, then), parent=self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.mapping_dialog = dialog

        def answered(code: int) -> None:
            self.mapping_dialog = None
            dialog.deleteLater()
            if code == QDialog.DialogCode.Accepted:
                self.import_files(paths, ner, mapping=dialog.mapping())
            else:
                self.statusBar().showMessage("Import cancelled: nothing was written", 5000)
                self.import_finished.emit(None)

        dialog.finished.connect(answered)
        dialog.open()
        self.mapping_shown.emit(dialog)

    def import_files(self, paths: list[str], ner: bool | None = None,
                     mapping: LabelMapping | None = None) -> BackgroundTask | None:
        """Import in a worker thread that opens its own Project; the window stays usable.
        ``mapping``: other tools' labels (None: the automatic mapping)."""
        if not self._can_import():
            return None
        assert self.session.project is not None
        project_path = self.session.project.path
        find_entities = self.ner_action.isChecked() if ner is None else ner

        def work(progress: Progress) -> ImportReport:
            with Project.open(project_path) as p:
                return p.import_files(paths, ner=find_entities, progress=progress,
                                      mapping=mapping)

        self.import_task = run_in_background(self, work, self._import_done, self._import_failed,
                                             title="Importing articles")
        return self.import_task

    def _import_done(self, report: ImportReport | None) -> None:
        self.import_task = None
        if report is None:
            report = ImportReport(cancelled=True)
        self._after_import()
        self.report_dialog = ImportReportDialog(report, self)
        self.report_dialog.open()
        self.import_finished.emit(report)

    def _import_failed(self, exc: BaseException, details: str) -> None:
        self.import_task = None
        self._after_import()
        box = messages.error_box(self, "Import failed", str(exc), details)
        box.open()
        self.import_finished.emit(None)

    def _after_import(self) -> None:
        if self.session.project is None:
            return
        self.session.articles_imported()
        self._refresh_list()

    def _refresh_list(self) -> None:
        """Re-read the article list and its choices after another connection changed them."""
        if self.session.project is None:
            return
        self.articles.fill_choices(self.session.project)
        self.articles.reload()
        if self.session.article is None and self.articles.model.loaded():
            self.articles.select_row(0)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if urls and all(u.isLocalFile() for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            if len(paths) == 1 and paths[0].endswith(".annot"):
                self.open_project(paths[0])
            else:
                self.import_checked(paths)

    # -- navigation -----------------------------------------------------------------------------------

    def goto_article(self, article_id: str, sentence_index: int | None = None) -> None:
        if self.session.project is None:
            return
        self.panel.flush()
        self.session.load_article(article_id, sentence_index)

    def restore_position(self, where: tuple[str, int] | None = None) -> bool:
        """Go back to the article and sentence the annotator was on in this project."""
        if self.session.project is None or self.session.path is None:
            return False
        if where is None:
            where = app_settings.last_position(self.settings, self.session.path)
        if where is None or self.session.project.article(where[0]) is None:
            return False
        self.articles.select_article(where[0], emit=False)
        self.goto_article(where[0], where[1])
        return True

    def goto_article_number(self, number: int, sentence: int | None = None) -> bool:
        """Open the ``number``-th article of the list (1-based) at sentence ``sentence`` (1-based)."""
        if not self.articles.select_row(number - 1, emit=False):
            return False
        article_id = self.articles.current_article_id()
        assert article_id is not None
        self.goto_article(article_id, None if sentence is None else sentence - 1)
        return True

    def step(self, delta: int) -> None:
        if self.session.article is None:
            return
        if not self.session.step(delta):
            where = "last" if delta > 0 else "first"
            keys = "] or Ctrl+Down" if delta > 0 else "[ or Ctrl+Up"
            self.statusBar().showMessage(f"That was the {where} sentence; {keys} moves to the"
                                         " next article", 4000)

    def step_article(self, delta: int) -> None:
        current = self.session.article.id if self.session.article else None
        target = self.articles.neighbour(current, delta)
        if target is None:
            self.statusBar().showMessage("No more articles in the list", 3000)
            return
        self.articles.select_article(target, emit=False)
        self.goto_article(target)

    def next_unlabelled(self) -> None:
        s = self.session
        if s.project is None:
            return
        if s.article is not None:
            i = s.next_unlabelled_index(s.current)
            if i is not None:
                s.set_current(i)
                return
        current = s.article.id if s.article else None
        target = self.articles.next_unlabelled(current)
        if target is None and current is not None:
            target = self.articles.next_unlabelled(None)  # wrap to the top of the list
            if target is not None:
                self.statusBar().showMessage("Continued from the top of the list", 4000)
        if target is None:
            self.statusBar().showMessage("Every sentence in the list is labelled", 5000)
            return
        self.goto_article(target, None)
        first = s.next_unlabelled_index(-1)
        if first is not None:
            s.set_current(first)

    def prev_unlabelled(self) -> None:
        s = self.session
        if s.article is None:
            return
        i = s.next_unlabelled_index(s.current, -1)
        if i is not None:
            s.set_current(i)
        else:
            self.statusBar().showMessage("No unlabelled sentence before this one in the article",
                                         3000)

    # -- labelling ------------------------------------------------------------------------------------

    def set_stance(self, value: str | None) -> None:
        if self.session.sentence is None:
            return
        if not self.panel.set_stance(value):
            self.statusBar().showMessage("No target to label here: pin targets in the Targets"
                                         " panel to label them on any sentence", 5000)

    def _label_edited(self, sentence_id: int, stance: dict[int, str], frames: list[str],
                      irrelevant: bool, note: str) -> None:
        if self.session.project is None:
            return
        annotator = self.session.annotator
        try:
            self.session.set_label(sentence_id, stance, frames, irrelevant, note)
        except ProjectError as exc:  # a refused value: nothing to retry
            self._refused(exc)
            return
        except Exception as exc:  # noqa: BLE001 - a write that failed: keep it, show it, retry it
            self.unsaved.keep(PendingLabel(sentence_id, annotator, dict(stance), list(frames),
                                           irrelevant, note), _reason(exc))
            return
        self.unsaved.saved(sentence_id, annotator)
        self.unsaved.clear_draft()

    def undo(self) -> None:
        self._history(undo=True)

    def redo(self) -> None:
        self._history(undo=False)

    def _history(self, undo: bool) -> None:
        if self.session.project is None:
            return
        self.panel.flush()
        result: list[Affected | None] = []
        # Undo/redo refuse (ProjectError) when someone has since changed what the event wrote.
        self._try(lambda: result.append(self.session.undo() if undo else self.session.redo()))
        if not result:
            return
        affected = result[0]
        word = "Undone" if undo else "Redone"
        if affected is None:
            self.statusBar().showMessage(f"Nothing to {'undo' if undo else 'redo'}", 3000)
        else:
            self.statusBar().showMessage(f"{word}: {affected.description}", 3000)

    # -- entities and targets ---------------------------------------------------------------------------

    def add_entity(self, start: int, end: int, label: str) -> None:
        self._entity_edit(lambda: self.session.add_mention(start, end, label))

    def _entity_edit(self, fn: Callable[[], object]) -> None:
        """Run a single entity edit, then offer to repeat it on every identical name."""
        self._try(fn)
        self._offer_propagation()

    def _offer_propagation(self) -> None:
        edit = self.session.last_entity_edit
        in_article, in_project = self.session.propagation_counts() if edit else (0, 0)
        self.actions_by_command["propagate_article"].setEnabled(in_article > 0)
        self.actions_by_command["propagate_project"].setEnabled(in_project > 0 or edit is not None)
        if edit is None:
            return
        verb = {"add": "Add", "relabel": f"Relabel as {edit.label}", "remove": "Remove"}[edit.action]
        self.statusBar().showMessage(
            f"{verb} the same for all “{edit.text}”: {in_article} more in this article "
            f"({shortcut_text('propagate_article')}), {in_project} in the project and future "
            f"imports ({shortcut_text('propagate_project')})", 20000)

    def propagate(self, scope: str) -> None:
        """Repeat the last entity edit on every identical name in the article or project (Y / Shift+Y)."""
        if self.session.last_entity_edit is None:
            self.statusBar().showMessage("No entity edit to repeat: add, relabel or remove one first",
                                         4000)
            return
        done: list[int] = []
        self._try(lambda: done.append(self.session.propagate_last_edit(scope)))
        if done:
            where = "this article" if scope == "article" else "the project (and future imports)"
            self.statusBar().showMessage(f"Done for {done[0]} mentions in {where}; one undo step "
                                         f"({shortcut_text('undo')})", 6000)
        self._offer_propagation()

    def link_mention_dialog(self, mention_id: int) -> None:
        mention = next((m for s in self.session.sentences for m in s.mentions
                        if m.id == mention_id), None)
        if mention is None:
            return
        dialog = LinkTargetDialog(mention, list(self.session.targets().values()), self)
        if dialog.exec():
            self.link_mention(mention_id, dialog.chosen_id, dialog.new_name, dialog.new_kind)

    def link_mention(self, mention_id: int, target_id: int | None, new_name: str = "",
                     new_kind: str = "PER") -> None:
        def work() -> None:
            tid = target_id
            if tid is None and new_name:
                tid = self.session.create_target(new_name, new_kind).id
            if tid is not None:
                self.session.link_mention(mention_id, tid)
        self._try(work)

    # -- reactions to the session --------------------------------------------------------------------------

    def _try(self, fn: Callable[[], object]) -> None:
        """Run an edit; whatever stops it is shown (a refusal in a box, a failed write in the bar)."""
        try:
            fn()
        except ProjectError as exc:
            self._refused(exc)
        except Exception as exc:  # noqa: BLE001 - never silent: disk full, locked, files replaced …
            self._write_failed(_reason(exc))

    def _refused(self, exc: Exception) -> None:
        self.statusBar().showMessage(str(exc), 6000)
        messages.warn(self, "Not done", str(exc))

    def _write_failed(self, reason: str) -> None:
        self.statusBar().showMessage(f"Not saved: {reason}", 10000)
        self.notice.show_notice(f"Not saved: {reason}", can_retry=False,
                                can_reopen=self.session.project is not None)

    # -- writes that failed, and the project's files ---------------------------------------------------

    def _show_unsaved(self) -> None:
        n = len(self.unsaved)
        if n:
            self.retry.start()
            reason = self.unsaved.last_error or "the last attempt failed"
            self.notice.show_notice(
                f"{n} label change{'s' if n != 1 else ''} not saved yet ({reason}). They are kept"
                f" and retried every {self.retry.interval() // 1000} s; nothing is lost if the"
                " app closes.", can_retry=True, can_reopen=self.session.project is not None)
        else:
            self.retry.stop()
            if self.files_problem:
                self._show_files_problem()
            else:
                self.notice.clear()

    def _write_pending(self, label: PendingLabel) -> None:
        if self.session.project is None:
            raise StoreError("no project is open")
        if label.annotator == self.session.annotator:
            self.session.set_label(label.sentence_id, label.stance, label.frames,
                                   label.irrelevant, label.note)
        else:
            self.session.project.set_label(label.sentence_id, label.annotator, stance=label.stance,
                                           frames=label.frames, irrelevant=label.irrelevant,
                                           note=label.note)

    def retry_unsaved(self) -> int:
        """Write the kept label changes again; returns how many still wait."""
        if not len(self.unsaved) or self.session.project is None:
            return len(self.unsaved)
        left = self.unsaved.retry(self._write_pending)
        if not left:
            self.statusBar().showMessage("Every kept change is saved now", 5000)
        return left

    def _keep_draft(self, text: str) -> None:
        sentence = self.panel.sentence
        if sentence is not None and self.session.annotator:
            self.unsaved.keep_draft(sentence.id, self.session.annotator, text)

    def _restore_kept(self) -> None:
        """After a crash: the note that was being typed comes back as a kept change."""
        draft = self.unsaved.draft()
        project = self.session.project
        if draft is None or project is None:
            return
        self.unsaved.clear_draft()
        try:
            sid, annotator, note = int(draft["sentence_id"]), str(draft["annotator"]), str(draft["note"])
            old = next(iter(project.labels(sentence_id=sid, annotator=annotator)), None)
        except Exception:  # noqa: BLE001 - a draft that no longer fits the project
            return
        if (old.note if old else "") == note:
            return
        self.unsaved.keep(PendingLabel(sid, annotator, dict(old.stance) if old else {},
                                       list(old.frames) if old else [],
                                       bool(old.irrelevant) if old else False, note),
                          "a note typed before the app closed unexpectedly")

    def maybe_backup(self) -> None:
        """The automatic backup (the project decides whether one is due); a failure is shown."""
        project = self.session.project
        if project is None or self.running_job():
            return
        made = project.maybe_backup_quietly()
        if project.backup_error:
            self.notice.show_notice(f"Automatic backup failed: {project.backup_error}",
                                    can_retry=False, can_reopen=False)
        elif made is not None:
            self.statusBar().showMessage(f"Backup written: {made.path.name}", 4000)

    def backup_now(self) -> None:
        project = self.session.project
        if project is None:
            return
        try:
            made = project.backup_now()
        except Exception as exc:  # noqa: BLE001 - shown, never swallowed
            self._write_failed(f"backup failed: {_reason(exc)}")
            return
        self.statusBar().showMessage(f"Backup written: {made.path}", 8000)

    def restore_backup_dialog(self) -> None:
        project = self.session.project
        if project is None or self._busy():
            return
        found = project.list_backups()
        if not found:
            messages.inform(self, "Restore a backup", "This project has no backups yet.")
            return
        names = [f"{b.taken:%Y-%m-%d %H:%M:%S}  {b.reason or 'automatic'}  "
                 f"({b.size // 1024} KiB)" for b in found]
        choice, ok = QInputDialog.getItem(self, "Restore a backup", "Backup (newest first):",
                                          names, 0, False)
        if not ok:
            return
        chosen = found[names.index(choice)]
        if messages.ask(self, "Restore a backup",
                        f"Replace the project with the backup of {chosen.taken:%Y-%m-%d %H:%M}?"
                        " The project as it is now is backed up first.") != messages.Button.Yes:
            return
        self.restore_backup(chosen.path)

    def restore_backup(self, path: str | os.PathLike[str]) -> bool:
        project = self.session.project
        if project is None:
            return False
        self.panel.flush()
        try:
            safety = project.restore_backup(path)
        except Exception as exc:  # noqa: BLE001
            self._write_failed(f"restore failed: {_reason(exc)}")
            return False
        self.reopen_project()
        self.statusBar().showMessage(f"Restored; the state before is in {safety.path.name}", 8000)
        return True

    def check_project_files(self) -> bool:
        """True while the open project's files are the ones opened (the timer calls it)."""
        project = self.session.project
        if project is None:
            return True
        try:
            project.check_files()
        except ProjectFilesChanged as exc:
            if self.files_problem != str(exc):
                self.files_problem = str(exc)
                self._show_files_problem()
            return False
        if self.files_problem:  # reopened, or the file came back
            self.files_problem = ""
            self._show_unsaved()
        return True

    def _show_files_problem(self) -> None:
        self.notice.show_notice(self.files_problem, can_retry=False, can_reopen=True)

    def reopen_project(self) -> bool:
        """Close and open the project again (after its files changed on disk), then retry."""
        path = self.session.path or self.unsaved.project_path
        if not path or self._busy():
            return False
        self.session.close()
        if not self.open_project(path):
            return False
        self.files_problem = ""
        self.restore_position()
        self.retry_unsaved()
        self._show_unsaved()
        return True

    def _project_changed(self) -> None:
        p = self.session.project
        self.unsaved.attach(self.session.path)
        if p is not None:
            self._restore_kept()
            if self.persist_layout:
                self.maybe_backup()
        self.articles.set_source(p, self.session.annotator)
        self.panel.set_codebook(p.codebook if p is not None else None)
        self.label_scroll.updateGeometry()  # the frames set how narrow the dock may get
        self._build_frame_actions()
        self._update_title()
        self._update_status()
        for action in (self.import_action, self.import_folder_action, self.close_project_action,
                       self.switch_action, self.export_action, self.merge_action,
                       self.backup_action, self.restore_action,
                       self.review_action):
            action.setEnabled(p is not None or action is self.switch_action)
        if p is not None and self.articles.model.loaded():
            self.articles.select_row(0)
        if self.session.article is None:
            self.view.show_message(self._placeholder())

    def _placeholder(self) -> str:
        """What the empty article view tells the user to do next."""
        p = self.session.project
        if p is None:
            return (f"No project open: File → Open project… ({shortcut_text('open')}) or New"
                    f" project… ({shortcut_text('new')}), or drop a .annot file here.")
        if p.count_articles() == 0:
            return (f"This project has no articles yet: File → Import files…"
                    f" ({shortcut_text('import')}) or Import folder…, or drop files or folders"
                    " here.")
        return "Choose an article in the list."

    def _build_frame_actions(self) -> None:
        for action in self.frame_actions:
            self.removeAction(action)
            action.deleteLater()
        self.frame_actions = []
        self.frames_menu.clear()
        codebook = self.session.project.codebook if self.session.project is not None else None
        if codebook is None:
            return
        reserved = {k.casefold() for b in BINDINGS for k in b.keys}
        for frame in codebook.frames:
            if frame.key.casefold() in reserved:
                continue  # the codebook validator forbids it; never steal a navigation key
            action = self._action(f"{frame.name}", lambda f=frame.id: self.panel.toggle_frame(f),
                                  (frame.key,), f"frame_{frame.id}",
                                  f"{frame.definition} ({frame.key})")
            self.frames_menu.addAction(action)
            self.frame_actions.append(action)

    def _article_loaded(self, article_id: str) -> None:
        s = self.session
        a = s.article
        self.view.set_article(a, s.sentences, s.labels, s.current)
        if a is None:
            self.view.show_message(self._placeholder())
            self.title.setText("")
            self.meta.setText("")
        else:
            self.title.setText(visible(a.title))
            bits = [a.outlet or "no outlet", a.date or "no date", a.lang,
                    f"{len(s.sentences)} sentences", f"{sum(len(x.mentions) for x in s.sentences)}"
                    " entities"]
            self.meta.setText(visible("  ·  ".join(bits)))
            if self.articles.current_article_id() != a.id:
                self.articles.select_article(a.id, emit=False)
            self.articles.model.refresh_article(a.id)
        self._update_status()

    def _current_changed(self, index: int) -> None:
        self.view.set_current(index)
        if self.persist_layout and self.session.path and self.session.article and index >= 0:
            app_settings.remember_position(self.settings, self.session.path,
                                           self.session.article.id, index)
        self._show_current()
        self._update_status()

    def _show_current(self) -> None:
        s = self.session
        sentence = s.sentence
        label = s.label(sentence.id) if sentence is not None else None
        position = ""
        if sentence is not None:
            position = f"{sentence.index + 1} of {len(s.sentences)}"
        self.panel.show_sentence(sentence, label, self.target_rows(), position)

    def target_rows(self) -> list[TargetRow]:
        """Targets mentioned in the current sentence, then pinned ones, then any with a stance."""
        s = self.session
        sentence = s.sentence
        if sentence is None or s.project is None:
            return []
        targets = s.targets()
        rows: list[TargetRow] = []
        seen: set[int] = set()
        for m in sentence.mentions:
            t = targets.get(m.target_id) if m.target_id is not None else None
            if t is not None and t.id not in seen:
                rows.append(TargetRow(t, "mentioned"))
                seen.add(t.id)  # type: ignore[arg-type]
        for t in sorted(targets.values(), key=lambda t: t.name.casefold()):
            if t.pinned and t.id not in seen:
                rows.append(TargetRow(t, "pinned"))
                seen.add(t.id)  # type: ignore[arg-type]
        label = s.label(sentence.id)
        for tid in (label.stance if label else {}):
            t = targets.get(tid)
            if t is not None and tid not in seen:
                rows.append(TargetRow(t, "labelled"))
                seen.add(tid)
        return rows

    def _label_changed(self, sentence_id: int) -> None:
        s = self.session
        self.view.set_labels(s.labels)
        if s.sentence is not None and s.sentence.id == sentence_id:
            self.panel.show_label(s.label(sentence_id))
        if s.article is not None:
            self.articles.model.refresh_article(s.article.id)

    def _labels_reloaded(self) -> None:
        self._label_changed(self.session.sentence.id if self.session.sentence else -1)
        self._show_current()

    def _mentions_changed(self, _article_id: str) -> None:
        self.view.update_mentions(self.session.sentences)
        self._show_current()

    def _targets_changed(self) -> None:
        if self.session.sentence is not None:
            self._show_current()

    def _update_history_actions(self) -> None:
        self.actions_by_command["undo"].setEnabled(self.session.can_undo())
        self.actions_by_command["redo"].setEnabled(self.session.can_redo())
        if self.session.last_entity_edit is None:
            self.actions_by_command["propagate_article"].setEnabled(False)
            self.actions_by_command["propagate_project"].setEnabled(False)

    def _update_title(self) -> None:
        path = self.session.path
        self.setWindowTitle(f"{Path(path).name} — Annotator" if path else "Annotator")

    def _update_status(self) -> None:
        s = self.session
        self.annotator_label.setText(f"Annotator: {s.annotator or '—'}")
        self.path_label.setText(s.path or "no project")
        self.path_label.setToolTip(tooltip(s.path) if s.path else "")
        if s.project is None:
            self.progress_label.setText("")
            return
        done, total = s.overall_progress()
        text = f"Overall {done}/{total} labelled"
        if s.article is not None:
            a_done, a_total = s.article_progress()
            text = f"Article {a_done}/{a_total} labelled  ·  " + text
        self.progress_label.setText(text)

    # -- help and closing -------------------------------------------------------------------------------

    def _show_welcome(self) -> None:
        from . import welcome

        welcome.show_welcome(self)

    def show_shortcuts(self) -> ShortcutsDialog:
        codebook = self.session.project.codebook if self.session.project is not None else None
        dialog = ShortcutsDialog(codebook, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.shortcuts_dialog = dialog
        return dialog

    def closeEvent(self, event: QCloseEvent) -> None:
        self.panel.flush()
        if self.review_window is not None and self.review_window.isVisible():
            self.review_window.close()  # it cancels its computation and closes its connection
        if self.persist_layout:
            self.save_layout()
            self.settings.sync()
        cancel_all_and_wait()
        if len(self.unsaved):
            self.retry_unsaved()  # a last try; what still fails stays kept for the next start
        self.session.close()
        super().closeEvent(event)


def _reason(exc: BaseException) -> str:
    """A failed write in words: the store's own message, or sqlite's/the OS's with its kind."""
    if isinstance(exc, (StoreError, ProjectError)):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        return f"the database refused the write ({exc})"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc} ({exc.filename})" if exc.filename else str(exc)
    return f"{type(exc).__name__}: {exc}"
