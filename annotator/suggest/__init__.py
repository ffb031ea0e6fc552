"""The project's own model: frames and stance suggestions learnt from the project's labels."""
from __future__ import annotations

import importlib
from typing import Any

__all__ = ["LEARNERS", "MODEL_NAME", "ModelInfo", "Suggestion", "SuggestionModel", "TextModel"]

# Names are loaded on first use: importing the package (``annotator.suggest.commands`` does, for
# every CLI start) must not import scikit-learn, which takes seconds.
_HOMES = {"LEARNERS": "learner", "TextModel": "learner", "MODEL_NAME": "service",
          "ModelInfo": "service", "Suggestion": "service", "SuggestionModel": "service"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
