"""The dialog that edits a sentence's gold label by hand: stances, frames, irrelevant, rationale."""
from __future__ import annotations

from typing import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from annotator.codebooks import Codebook
from annotator.model import STANCE_VALUES, Label

NO_STANCE_TEXT = "—"


class GoldDialog(QDialog):
    """Starts from ``start`` (the current gold, or a proposal); read back with :meth:`stance` etc."""

    def __init__(self, codebook: Codebook, targets: Sequence[tuple[int, str]], start: Label | None,
                 rationale: str, sentence: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit gold label")
        layout = QVBoxLayout(self)
        text = QLabel(sentence)
        text.setWordWrap(True)
        text.setStyleSheet("font-size: 12pt; padding: 4px;")
        layout.addWidget(text)

        self.stances: dict[int, QComboBox] = {}
        if targets:
            box = QGroupBox("Stance")
            form = QFormLayout(box)
            for tid, name in targets:
                combo = QComboBox()
                combo.addItems([NO_STANCE_TEXT, *STANCE_VALUES])
                value = start.stance.get(tid) if start else None
                combo.setCurrentText(value or NO_STANCE_TEXT)
                form.addRow(name, combo)
                self.stances[tid] = combo
            layout.addWidget(box)

        box = QGroupBox("Frames")
        grid = QGridLayout(box)
        self.frames: dict[str, QCheckBox] = {}
        chosen = set(start.frames) if start else set()
        for i, frame in enumerate(codebook.frames):
            check = QCheckBox(f"{frame.name}")
            check.setToolTip(frame.definition)
            check.setChecked(frame.id in chosen)
            grid.addWidget(check, i // 3, i % 3)
            self.frames[frame.id] = check
        layout.addWidget(box)

        self.irrelevant = QCheckBox("Irrelevant (no stance or frame applies)")
        self.irrelevant.setChecked(bool(start and start.irrelevant))
        layout.addWidget(self.irrelevant)
        self.rationale = QLineEdit(rationale)
        self.rationale.setPlaceholderText("Rationale (optional)")
        layout.addWidget(self.rationale)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def stance(self) -> dict[int, str]:
        return {tid: c.currentText() for tid, c in self.stances.items()
                if c.currentText() != NO_STANCE_TEXT}

    def chosen_frames(self) -> list[str]:
        return [fid for fid, c in self.frames.items() if c.isChecked()]
