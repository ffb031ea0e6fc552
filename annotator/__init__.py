"""News stance & framing annotator: the Qt-free core (store, ingest, NLP, export, agreement)."""
from __future__ import annotations

from typing import Any

from .model import Article, ImportIssue, ImportReport, Label, Mention, Sentence, Target
from .progress import Cancelled, Progress

__version__ = "0.1.0"
__all__ = ["Article", "Cancelled", "ImportIssue", "ImportReport", "Label", "Mention", "Progress",
           "Project", "ProjectError", "Sentence", "Target", "__version__"]


def __getattr__(name: str) -> Any:
    # Project pulls in the NLP stack; import it on first use so `import annotator.x` stays light.
    if name in ("Project", "ProjectError"):
        from . import project

        return getattr(project, name)
    raise AttributeError(name)
