"""Labels that could not be written: kept (in the settings too, so a crash keeps them), shown, retried.

A label edit that fails (disk full, the file locked or read-only, the project's files replaced) is not
lost: :class:`UnsavedLabels` keeps the whole label, keyed by sentence, writes it to the settings at once
and retries it every few seconds and whenever asked. The :class:`NoticeBar` above the article says what
failed and how many changes wait, until they are written; it never goes away on its own while any do.
The note being typed is kept in the settings as a draft at every key press, so a crash between two
saves loses nothing either; the next start offers both back.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Callable

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

RETRY_MS = 5000


@dataclass
class PendingLabel:
    sentence_id: int
    annotator: str
    stance: dict[int, str] = field(default_factory=dict)
    frames: list[str] = field(default_factory=list)
    irrelevant: bool = False
    note: str = ""

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["stance"] = {str(k): v for k, v in self.stance.items()}
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> "PendingLabel":
        stance = data.get("stance") or {}
        assert isinstance(stance, dict)
        return cls(sentence_id=int(data["sentence_id"]),  # type: ignore[arg-type]
                   annotator=str(data["annotator"]),
                   stance={int(k): str(v) for k, v in stance.items()},
                   frames=[str(f) for f in data.get("frames") or []],  # type: ignore[union-attr]
                   irrelevant=bool(data.get("irrelevant")), note=str(data.get("note") or ""))


def _key(project_path: str) -> str:
    digest = hashlib.sha256(project_path.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"unsaved/{digest}"


class UnsavedLabels(QObject):
    """The label edits of one project that wait to be written, mirrored in the settings."""

    changed = Signal()

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.project_path: str | None = None
        self.pending: dict[tuple[int, str], PendingLabel] = {}
        self.last_error = ""

    # -- which project ------------------------------------------------------------------------------

    def attach(self, project_path: str | None) -> None:
        """Switch to a project: its edits kept by an earlier session come back as pending."""
        self.project_path = project_path
        self.pending = {}
        self.last_error = ""
        if project_path:
            raw = self.settings.value(_key(project_path) + "/labels", "")
            try:
                items = json.loads(str(raw)) if raw else []
                for item in items:
                    p = PendingLabel.from_json(item)
                    self.pending[(p.sentence_id, p.annotator)] = p
            except (ValueError, KeyError, TypeError, AssertionError):
                self.last_error = "kept unsaved labels could not be read back"
        self.changed.emit()

    def _persist(self) -> None:
        if not self.project_path:
            return
        key = _key(self.project_path)
        if self.pending:
            self.settings.setValue(key + "/path", self.project_path)
            self.settings.setValue(key + "/labels", json.dumps(
                [p.to_json() for p in self.pending.values()], ensure_ascii=False))
        else:
            self.settings.remove(key + "/labels")
        self.settings.sync()

    # -- keeping and retrying -----------------------------------------------------------------------

    def keep(self, label: PendingLabel, error: str) -> None:
        self.pending[(label.sentence_id, label.annotator)] = label
        self.last_error = error
        self._persist()
        self.changed.emit()

    def saved(self, sentence_id: int, annotator: str) -> None:
        """A newer write of this label went through: the kept one is obsolete."""
        if self.pending.pop((sentence_id, annotator), None) is not None:
            self._persist()
            self.changed.emit()

    def retry(self, write: Callable[[PendingLabel], None]) -> int:
        """Write every kept label with ``write``; returns how many still wait."""
        for key, label in list(self.pending.items()):
            try:
                write(label)
            except Exception as exc:  # noqa: BLE001 - whatever failed, the label stays kept
                self.last_error = str(exc) or type(exc).__name__
                break
            self.pending.pop(key, None)
        else:
            self.last_error = ""
        self._persist()
        self.changed.emit()
        return len(self.pending)

    def __len__(self) -> int:
        return len(self.pending)

    # -- the note being typed -------------------------------------------------------------------------

    def keep_draft(self, sentence_id: int, annotator: str, text: str) -> None:
        if not self.project_path:
            return
        key = _key(self.project_path)
        self.settings.setValue(key + "/path", self.project_path)
        self.settings.setValue(key + "/draft", json.dumps(
            {"sentence_id": sentence_id, "annotator": annotator, "note": text}, ensure_ascii=False))
        self.settings.sync()

    def clear_draft(self) -> None:
        if self.project_path:
            self.settings.remove(_key(self.project_path) + "/draft")

    def draft(self) -> dict[str, object] | None:
        if not self.project_path:
            return None
        raw = self.settings.value(_key(self.project_path) + "/draft", "")
        try:
            data = json.loads(str(raw)) if raw else None
        except ValueError:
            return None
        return data if isinstance(data, dict) and "sentence_id" in data else None


class NoticeBar(QFrame):
    """A persistent notice above the article: what failed, with the actions that fix it."""

    retry_requested = Signal()
    reopen_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice_bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # messages carry file names and user data
        self.text.setWordWrap(True)
        layout.addWidget(self.text, 1)
        self.retry = QPushButton("Retry now")
        self.retry.clicked.connect(self.retry_requested)
        layout.addWidget(self.retry)
        self.reopen = QPushButton("Reopen project")
        self.reopen.clicked.connect(self.reopen_requested)
        layout.addWidget(self.reopen)
        self.hide()

    def show_notice(self, message: str, can_retry: bool, can_reopen: bool) -> None:
        self.text.setText(message)
        self.retry.setVisible(can_retry)
        self.reopen.setVisible(can_reopen)
        self.show()

    def clear(self) -> None:
        self.text.clear()
        self.hide()


def retry_timer(parent: QObject, slot: Callable[[], None]) -> QTimer:
    timer = QTimer(parent)
    timer.setInterval(RETRY_MS)
    timer.timeout.connect(slot)
    return timer
