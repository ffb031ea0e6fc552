"""The project's own model: frames and stance suggestions learnt from the project's labels."""
from __future__ import annotations

from .learner import LEARNERS, TextModel
from .service import MODEL_NAME, ModelInfo, Suggestion, SuggestionModel

__all__ = ["LEARNERS", "MODEL_NAME", "ModelInfo", "Suggestion", "SuggestionModel", "TextModel"]
