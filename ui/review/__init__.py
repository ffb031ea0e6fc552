"""Review mode: adjudicate disagreements into gold labels, read the agreement report, see the charts."""
from __future__ import annotations

from .window import ReviewWindow, open_review_window

__all__ = ["ReviewWindow", "open_review_window"]
