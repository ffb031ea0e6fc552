"""The labelling panel for the current sentence: stance per target, frames, irrelevant, note."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from annotator.codebooks import Codebook
from annotator.model import STANCE_VALUES, Label, Sentence, Target

from . import theme
from . import entities
from .keys import guard_typing, shortcut_text, with_key
from .richtext import tooltip

STANCE_COMMAND = {"AGAINST": "stance_against", "NEUTRAL": "stance_neutral", "FAVOR": "stance_favor"}
NOTE_DEBOUNCE_MS = 800


@dataclass(frozen=True)
class TargetRow:
    target: Target
    why: str  # "mentioned", "pinned" or "labelled" (has a stance but is neither)


class _TargetRowWidget(QFrame):
    clicked = Signal(int)  # target id
    stance_clicked = Signal(int, str)  # target id, value

    def __init__(self, row: TargetRow, stance: str | None, definitions: dict[str, str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        t = row.target
        assert t.id is not None
        self.target_id = t.id
        self.setObjectName("target_row")
        self.setProperty("selected", False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 4, 2)
        layout.setSpacing(3)
        chip = QLabel(t.kind)
        chip.setObjectName("kind_chip")
        chip.setStyleSheet(f"background: {entities.background(t.kind).name()}; color: {theme.hex('qt.text')};"
                           f" border: 1px solid {entities.edge(t.kind).name()}; border-radius: 3px;"
                           " padding: 0 3px; font-size: 8pt;")  # rebuilt with each sentence
        chip.setFixedWidth(chip.sizeHint().width() + 2)
        layout.addWidget(chip)
        name = QLabel(t.name)
        name.setTextFormat(Qt.TextFormat.PlainText)
        name.setToolTip(tooltip(t.name, f"aliases: {', '.join(t.aliases) or '—'}",
                                f"{t.n_mentions} mentions", "click to select (Tab cycles)",
                                bold_first=True))
        name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        name.setMinimumWidth(60)
        layout.addWidget(name, 1)
        self.buttons: dict[str, QPushButton] = {}
        for value in STANCE_VALUES:
            b = QPushButton(value.capitalize())
            b.setObjectName(f"stance_{value}")
            b.setCheckable(True)
            b.setChecked(stance == value)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setToolTip(tooltip(with_key(definitions.get(value, value), STANCE_COMMAND[value]),
                                 "click again to clear"))
            b.setProperty("chip", True)  # colours per theme: resources/style.qss
            b.clicked.connect(lambda _=False, v=value: self.stance_clicked.emit(self.target_id, v))
            self.buttons[value] = b
            layout.addWidget(b)

    def set_selected(self, selected: bool) -> None:
        self.setProperty("selected", selected)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.style().unpolish(self)  # the stylesheet's [selected="true"] rule follows the property
        self.style().polish(self)

    def mousePressEvent(self, event: object) -> None:
        self.clicked.emit(self.target_id)


DEFINITION_HINT = "Point at a frame (or type its key) to read its definition."


class _HoverWatcher(QObject):
    """Shows a frame's definition when the pointer enters its checkbox."""

    def __init__(self, panel: "LabelPanel") -> None:
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Enter:
            frame_id = watched.property("frame_id")
            if frame_id:
                self.panel.show_definition(str(frame_id))
        return False


class LabelScrollArea(QScrollArea):
    """Scrolls the label panel vertically and is never narrower than the panel, so a narrow
    window squeezes the article text rather than hiding the Favor buttons or frame names."""

    def __init__(self, panel: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setWidget(panel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        panel = self.widget()
        if panel is not None:
            hint.setWidth(panel.minimumSizeHint().width()
                          + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth())
        return hint


class LabelPanel(QWidget):
    """Edits one sentence's label; every change is emitted at once (the window saves it)."""

    #: sentence id, stance {target id: value}, frames [ids], irrelevant, note
    edited = Signal(int, object, object, bool, str)
    target_selected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("label_panel")
        self.codebook: Codebook | None = None
        self.sentence: Sentence | None = None
        self.rows: list[TargetRow] = []
        self.selected: int | None = None  # target id
        self._stance: dict[int, str] = {}
        self._frames: list[str] = []
        self._irrelevant = False
        self._stored_note = ""
        self._row_widgets: dict[int, _TargetRowWidget] = {}
        self._frame_boxes: dict[str, QCheckBox] = {}
        self._hover = _HoverWatcher(self)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        self.header = QLabel("No sentence")
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.header.setObjectName("sentence_header")
        outer.addWidget(self.header)
        self.sentence_text = QLabel("")
        self.sentence_text.setTextFormat(Qt.TextFormat.PlainText)
        self.sentence_text.setWordWrap(True)
        self.sentence_text.setObjectName("sentence_text")
        self.sentence_text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        outer.addWidget(self.sentence_text)
        self.sentence_text.hide()  # until there is a sentence

        self.targets_box = QGroupBox("Stance toward targets")
        tl = QVBoxLayout(self.targets_box)
        tl.setContentsMargins(4, 4, 4, 4)
        tl.setSpacing(2)
        self.targets_layout = QVBoxLayout()
        self.targets_layout.setSpacing(1)
        tl.addLayout(self.targets_layout)
        hint = QLabel(f"{shortcut_text('next_target')} selects a target;"
                      f" 1 against · 2 neutral · 3 favor · 0 clear")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        tl.addWidget(hint)
        outer.addWidget(self.targets_box)

        self.frames_box = QGroupBox("Frames")
        self.frames_grid = QGridLayout(self.frames_box)
        self.frames_grid.setContentsMargins(4, 4, 4, 4)
        self.frames_grid.setVerticalSpacing(1)
        outer.addWidget(self.frames_box)
        self.definition = QLabel(DEFINITION_HINT)
        self.definition.setObjectName("frame_definition")
        self.definition.setWordWrap(True)
        self.definition.setTextFormat(Qt.TextFormat.PlainText)
        self.definition.setMinimumHeight(48)
        self.definition.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.definition.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        outer.addWidget(self.definition)

        self.irrelevant_box = QCheckBox("Irrelevant (no stance or frame to record)")
        self.irrelevant_box.setObjectName("irrelevant")
        self.irrelevant_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.irrelevant_box.setToolTip(with_key("Mark the sentence as irrelevant", "irrelevant"))
        self.irrelevant_box.clicked.connect(self._irrelevant_clicked)
        outer.addWidget(self.irrelevant_box)

        self.note = QLineEdit()
        self.note.setObjectName("note")
        self.note.setPlaceholderText(f"Note ({shortcut_text('note')}; saved as you type)")
        self.note.setClearButtonEnabled(True)
        self.note.textEdited.connect(self._note_typed)
        self.note.editingFinished.connect(self._save_note)
        self.note.returnPressed.connect(self.leave_note)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_DEBOUNCE_MS)
        self._note_timer.timeout.connect(self._save_note)
        guard_typing(self.note, on_escape=self.leave_note)
        outer.addWidget(self.note)
        self.saved = QLabel("")
        self.saved.setObjectName("saved_state")
        self.saved.setProperty("role", "hint")
        outer.addWidget(self.saved)
        outer.addStretch(1)
        self.return_focus_to: QWidget | None = None
        self.setEnabled(False)

    # -- content --------------------------------------------------------------------------------------

    def set_codebook(self, codebook: Codebook | None) -> None:
        self.codebook = codebook
        _clear(self.frames_grid)
        self._frame_boxes = {}
        if codebook is None:
            return
        self.frames_box.setTitle(f"Frames — {codebook.name}")
        for i, frame in enumerate(codebook.frames):
            key = QLabel(frame.key)
            key.setObjectName("frame_key")
            key.setAlignment(Qt.AlignmentFlag.AlignCenter)
            key.setFixedWidth(18)
            key.setToolTip(tooltip(f"Type {frame.key} to toggle “{frame.name}”"))
            self.frames_grid.addWidget(key, i, 0)
            box = QCheckBox(frame.name)
            box.setObjectName(f"frame_{frame.id}")
            box.setProperty("frame_id", frame.id)
            box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            box.setToolTip(tooltip(f"{frame.name} (key {frame.key})", frame.definition,
                                   bold_first=True))
            box.clicked.connect(lambda _=False, f=frame.id: self.toggle_frame(f))
            box.installEventFilter(self._hover)
            self._frame_boxes[frame.id] = box
            self.frames_grid.addWidget(box, i, 1)
        self.frames_grid.setColumnStretch(1, 1)

    def show_sentence(self, sentence: Sentence | None, label: Label | None, rows: list[TargetRow],
                      position: str = "") -> None:
        """Show a sentence with its label; keeps the selected target when it is still listed."""
        changed_sentence = self.sentence is None or sentence is None or sentence.id != self.sentence.id
        if changed_sentence:
            self._save_note()
            self.definition.setText(DEFINITION_HINT)  # a frame typed on another sentence
        self.sentence = sentence
        self.setEnabled(sentence is not None)
        if sentence is None:
            self.header.setText("No sentence")
            self.sentence_text.setText("")
            self.sentence_text.hide()  # an empty yellow box looks like a field to type in
            self.rows = []
            self._set_label(None, reset_note=True)
            self._build_rows()
            return
        extra = "  ·  boilerplate (skipped by J/K)" if sentence.boilerplate else ""
        self.header.setText(f"Sentence {position or sentence.index + 1}  ·  {sentence.lang}{extra}")
        text = sentence.text.strip()
        self.sentence_text.setText(text if len(text) <= 400 else text[:399] + "…")
        self.sentence_text.show()
        self.rows = rows
        ids = [r.target.id for r in rows]
        if changed_sentence or self.selected not in ids:
            self.selected = ids[0] if ids else None
        self._set_label(label, reset_note=changed_sentence or not self.note.hasFocus())
        self._build_rows()

    def show_label(self, label: Label | None) -> None:
        """The stored label changed (saved, undone): show it without moving the selection."""
        self._set_label(label, reset_note=not self.note.hasFocus())
        for tid, w in self._row_widgets.items():
            for value, b in w.buttons.items():
                b.setChecked(self._stance.get(tid) == value)

    def _set_label(self, label: Label | None, reset_note: bool) -> None:
        self._stance = dict(label.stance) if label else {}
        self._frames = list(label.frames) if label else []
        self._irrelevant = bool(label.irrelevant) if label else False
        for fid, box in self._frame_boxes.items():
            box.setChecked(fid in self._frames)
        self.irrelevant_box.setChecked(self._irrelevant)
        self._stored_note = label.note if label else ""
        if reset_note:
            self._note_timer.stop()
            self.note.setText(self._stored_note)
        self.saved.setText(f"saved {label.updated[:19].replace('T', ' ')} UTC" if label and
                           label.updated else ("not labelled yet" if self.sentence else ""))

    def _build_rows(self) -> None:
        _clear(self.targets_layout)
        self._row_widgets = {}
        definitions = {v.value: v.definition for v in self.codebook.stance} if self.codebook else {}
        last_why = None
        titles = {"mentioned": "In this sentence", "pinned": "Pinned targets",
                  "labelled": "Other targets with a stance"}
        for row in self.rows:
            if row.why != last_why:
                caption = QLabel(titles.get(row.why, row.why))
                caption.setObjectName("target_caption")
                self.targets_layout.addWidget(caption)
                last_why = row.why
            assert row.target.id is not None
            w = _TargetRowWidget(row, self._stance.get(row.target.id), definitions)
            w.clicked.connect(self.select_target)
            w.stance_clicked.connect(self._stance_clicked)
            w.set_selected(row.target.id == self.selected)
            self._row_widgets[row.target.id] = w
            self.targets_layout.addWidget(w)
        if not self.rows:
            empty = QLabel("No entity linked to a target in this sentence, and no pinned targets.\n"
                           "Pin targets in the Targets panel to label them on every sentence.")
            empty.setWordWrap(True)
            empty.setProperty("role", "muted")
            self.targets_layout.addWidget(empty)

    # -- selection --------------------------------------------------------------------------------------

    def select_target(self, target_id: int) -> None:
        self.selected = target_id
        for tid, w in self._row_widgets.items():
            w.set_selected(tid == target_id)
        self.target_selected.emit(target_id)

    def cycle_target(self, delta: int = 1) -> None:
        ids = [r.target.id for r in self.rows if r.target.id is not None]
        if not ids:
            return
        i = ids.index(self.selected) if self.selected in ids else -1
        self.select_target(ids[(i + delta) % len(ids)])

    # -- edits (each one is emitted at once) --------------------------------------------------------------

    def _emit(self) -> None:
        if self.sentence is None:
            return
        self._note_timer.stop()
        self._stored_note = self.note.text()
        self.edited.emit(self.sentence.id, dict(self._stance), list(self._frames), self._irrelevant,
                         self.note.text())

    def _stance_clicked(self, target_id: int, value: str) -> None:
        self.select_target(target_id)
        self.set_stance(None if self._stance.get(target_id) == value else value)

    def set_stance(self, value: str | None) -> bool:
        """Set (or clear, with None) the stance toward the selected target."""
        if self.sentence is None or self.selected is None:
            return False
        if value is None:
            self._stance.pop(self.selected, None)
        else:
            self._stance[self.selected] = value
        self._emit()
        return True

    def toggle_frame(self, frame_id: str) -> None:
        if self.sentence is None:
            return
        if frame_id in self._frames:
            self._frames.remove(frame_id)
        else:
            self._frames.append(frame_id)
        self.show_definition(frame_id)
        self._emit()

    def show_definition(self, frame_id: str) -> None:
        if self.codebook is None:
            return
        try:
            frame = self.codebook.frame(frame_id)
        except KeyError:
            return
        self.definition.setText(f"{frame.name} [{frame.key}]: {frame.definition}")

    def toggle_irrelevant(self) -> None:
        if self.sentence is None:
            return
        self._irrelevant = not self._irrelevant
        self._emit()

    def _irrelevant_clicked(self) -> None:
        self.toggle_irrelevant()

    def focus_note(self) -> None:
        self.note.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.note.selectAll()

    def leave_note(self) -> None:
        """Save the note and hand the keyboard back to the article."""
        self._save_note()
        if self.return_focus_to is not None:
            self.return_focus_to.setFocus(Qt.FocusReason.OtherFocusReason)

    def flush(self) -> None:
        """Save a note still being typed (before the sentence, article or annotator changes)."""
        self._save_note()

    def _note_typed(self, _text: str) -> None:
        self._note_timer.start()

    def _save_note(self) -> None:
        """Save the note if it differs from what is stored (debounced while typing)."""
        self._note_timer.stop()
        if self.sentence is None:
            return
        if self.note.text() != self._stored_note:
            self._emit()


def _clear(layout: QGridLayout | QVBoxLayout) -> None:
    """Remove a layout's widgets now: hidden at once, deleted when control returns to the loop."""
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget()
        if w is not None:
            w.hide()
            w.setParent(None)
            w.deleteLater()
