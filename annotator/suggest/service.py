"""The project model as the app and the CLI use it: train, score, save, load, suggest."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from ..model import STANCE_VALUES
from ..progress import Progress
from .evaluate import cross_validate, frame_matrix
from .examples import IRRELEVANT, Examples, Unit, build_examples, frame_input, stance_input
from .learner import DEFAULT_LEARNER, TextModel, load, save

#: The name the project model's predictions are stored under in the suggestions table.
MODEL_NAME = "project-model"
#: A frame (or irrelevant) is suggested from this probability on.
THRESHOLD = 0.5
#: Frames shown with their confidence from this probability on (below it, nothing is shown).
SHOWN = 0.2
#: Fewer labelled sentences than this and no model is trained.
MIN_LABELS = 10


@dataclass
class Suggestion:
    """A model's proposal for one sentence, with its confidences (0..1)."""

    model: str  # "project-model v3"
    version: int
    frames: dict[str, float] = field(default_factory=dict)  # frame id -> P (>= SHOWN)
    irrelevant: float = 0.0
    stance: dict[int, tuple[str, float]] = field(default_factory=dict)  # target -> value, P

    @property
    def chosen_frames(self) -> list[str]:
        return [f for f, p in self.frames.items() if p >= THRESHOLD]

    @property
    def is_irrelevant(self) -> bool:
        return self.irrelevant >= THRESHOLD

    @property
    def uncertainty(self) -> float:
        """0 (sure of every output) .. 1 (a coin toss somewhere): the most uncertain output."""
        u = [1 - abs(2 * p - 1) for p in [*self.frames.values(), self.irrelevant]]
        u += [1 - p for _, p in self.stance.values()]
        return max(u, default=0.0)

    def provenance(self) -> dict[str, Any]:
        """What a label records when it accepts this suggestion."""
        return {"model": MODEL_NAME, "version": self.version,
                "frames": [] if self.is_irrelevant else self.chosen_frames,
                "irrelevant": self.is_irrelevant,
                "stance": {str(t): v for t, (v, _) in sorted(self.stance.items())}}

    def as_label(self) -> dict[str, Any]:
        """As stored in the suggestions table (the peer-import shape plus confidences)."""
        return {**self.provenance(),
                "stance": {str(t): v for t, (v, _) in sorted(self.stance.items())},
                "confidence": {"frames": {f: round(p, 3) for f, p in self.frames.items()},
                               "irrelevant": round(self.irrelevant, 3),
                               "stance": {str(t): round(p, 3)
                                          for t, (_, p) in sorted(self.stance.items())}},
                "uncertainty": round(self.uncertainty, 4)}

    @classmethod
    def from_label(cls, label: dict[str, Any]) -> "Suggestion":
        conf = label.get("confidence") or {}
        return cls(model=f"{MODEL_NAME} v{label.get('version')}", version=int(label.get("version") or 0),
                   frames={str(f): float(p) for f, p in (conf.get("frames") or {}).items()},
                   irrelevant=float(conf.get("irrelevant") or 0.0),
                   stance={int(t): (str(v), float((conf.get("stance") or {}).get(t, 0.0)))
                           for t, v in (label.get("stance") or {}).items()})


@dataclass
class ModelInfo:
    """What is known of a stored model without loading it."""

    codebook: str
    version: int
    trained: str
    n_labels: int
    scores: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"model": MODEL_NAME, "codebook": self.codebook, "version": self.version,
                "trained": self.trained, "n_labels": self.n_labels, **self.scores}


class SuggestionModel:
    """Frames (multi-label, irrelevant as one more output) and stance per (sentence, target)."""

    def __init__(self, frames: TextModel | None, stance: TextModel | None, version: int = 0,
                 codebook: str = "") -> None:
        self.frames_model = frames
        self.stance_model = stance
        self.version = version
        self.codebook = codebook

    @property
    def name(self) -> str:
        return f"{MODEL_NAME} v{self.version}"

    @classmethod
    def fit(cls, ex: Examples, learner: str = DEFAULT_LEARNER) -> "SuggestionModel":
        frames = None
        if ex.units:
            frames = TextModel(learner).fit_binary([frame_input(u) for u in ex.units],
                                                   frame_matrix(ex), ex.columns)
        stance = None
        if ex.stance_values:
            stance = TextModel(learner).fit_classes(
                [stance_input(u, t) for u, t in zip(ex.stance_units, ex.stance_targets)],
                ex.stance_values, STANCE_VALUES)
        return cls(frames, stance)

    def suggest_many(self, units: Sequence[Unit], targets: Sequence[Sequence[int]],
                     names: dict[int, str] | None = None) -> list[Suggestion]:
        """A suggestion per unit, with a stance for each of its ``targets``."""
        names = names or {}
        out = [Suggestion(self.name, self.version) for _ in units]
        if self.frames_model is not None and units:
            probs = self.frames_model.proba([frame_input(u) for u in units])
            cols = self.frames_model.classes
            for s, row in zip(out, probs):
                for c, p in zip(cols, row):
                    if c == IRRELEVANT:
                        s.irrelevant = float(p)
                    elif p >= SHOWN:
                        s.frames[c] = float(p)
        if self.stance_model is not None:
            pairs = [(i, t) for i, ts in enumerate(targets) for t in ts]
            if pairs:
                probs = self.stance_model.proba(
                    [stance_input(units[i], t, names.get(t, "")) for i, t in pairs])
                for (i, t), row in zip(pairs, probs):
                    k = int(np.argmax(row))
                    out[i].stance[t] = (self.stance_model.classes[k], float(row[k]))
        return out

    def suggest(self, unit: Unit, targets: Sequence[int],
                names: dict[int, str] | None = None) -> Suggestion:
        return self.suggest_many([unit], [targets], names)[0]

    # -- saving ---------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        arrays: dict[str, np.ndarray] = {}
        if self.frames_model is not None:
            arrays.update(self.frames_model.arrays("frames_"))
        if self.stance_model is not None:
            arrays.update(self.stance_model.arrays("stance_"))
        return save(arrays)

    @classmethod
    def from_bytes(cls, blob: bytes, version: int = 0, codebook: str = "") -> "SuggestionModel":
        arrays = load(blob)
        names = set(arrays.files)
        frames = TextModel.from_arrays(arrays, "frames_") if "frames_meta" in names else None
        stance = TextModel.from_arrays(arrays, "stance_") if "stance_meta" in names else None
        return cls(frames, stance, version, codebook)


# -- a project's model: the functions the app's worker and the CLI call --------------------------

def project_units(project: Any) -> dict[int, Unit]:
    store = project.store
    mentions = store.sentence_mentions()
    return {sid: Unit(sid, text, lang, tuple(mentions.get(sid, ())))
            for sid, text, lang in store.sentence_units()}


def project_examples(project: Any, units: dict[int, Unit] | None = None) -> Examples:
    units = project_units(project) if units is None else units
    return build_examples(units, project.iter_labels(), project.codebook.frame_ids)


def model_info(project: Any) -> ModelInfo | None:
    cb = project.codebook.name
    row = project.store.project_model(cb, with_params=False)
    if row is None:
        return None
    return ModelInfo(cb, row["version"], row["trained"], row["n_labels"], row["scores"])


def load_model(project: Any) -> SuggestionModel | None:
    """The newest stored model of the project's codebook, or None."""
    cb = project.codebook.name
    row = project.store.project_model(cb)
    if row is None:
        return None
    return SuggestionModel.from_bytes(row["params"], row["version"], cb)


def blind(project: Any) -> bool:
    """The project hides suggestions from annotators (blind double annotation)."""
    return project.store.get_meta("suggestions_blind", "0") == "1"


def set_blind(project: Any, on: bool) -> None:
    project.store.set_meta("suggestions_blind", "1" if on else "0")


def label_count(project: Any) -> int:
    """Labelled sentences (any annotator): what 'every N new labels' is counted against."""
    return int(project.store.labelled_count())


def suggestion_targets(units: Iterable[Unit], pinned: Sequence[int]) -> list[list[int]]:
    """The targets a stance is suggested for: those mentioned in the sentence, then pinned ones."""
    out = []
    for u in units:
        ts = list(dict.fromkeys(t for _, _, t in u.mentions))
        out.append(ts + [t for t in pinned if t not in ts])
    return out


def train_project(project: Any, progress: Progress | None = None,
                  learner: str = DEFAULT_LEARNER, curve: bool = True) -> ModelInfo:
    """Train on the project's labels, score by cross-validation, store the model and its
    predictions for every sentence. Cancellable between steps (``progress.cancel()``): a
    cancelled run stores nothing. Raises ValueError when there are too few labels."""
    progress = progress or Progress()
    t0 = time.perf_counter()
    progress.update(0, 5, "reading labels")
    units = project_units(project)
    ex = project_examples(project, units)
    if len(ex) < MIN_LABELS:
        raise ValueError(f"{project.path}: {len(ex)} labelled sentences; the model needs at least"
                         f" {MIN_LABELS} to learn from")
    progress.update(1, 5, f"training on {len(ex)} sentences, {len(ex.stance_values)} stances")
    t1 = time.perf_counter()
    model = SuggestionModel.fit(ex, learner)
    train_seconds = time.perf_counter() - t1
    progress.update(2, 5, "cross-validating (macro-F1, learning curve)")
    scores = cross_validate(ex, learner, curve=curve, check=progress.check)
    scores["train_seconds"] = round(train_seconds, 2)
    scores["langs"] = sorted({u.lang for u in ex.units})
    progress.update(3, 5, "suggesting for every sentence")
    pinned = [t.id for t in project.targets() if t.pinned and t.id is not None]
    names = {t.id: t.name for t in project.targets() if t.id is not None}
    order = list(units.values())
    suggestions: list[tuple[int, Suggestion]] = []
    for start in range(0, len(order), 2000):
        progress.check()
        chunk = order[start:start + 2000]
        suggestions += list(zip((u.id for u in chunk),
                                model.suggest_many(chunk, suggestion_targets(chunk, pinned),
                                                   names)))
    progress.update(4, 5, "saving the model")
    progress.check()
    scores["total_seconds"] = round(time.perf_counter() - t0, 2)
    with project.store.transaction():
        version = project.store.save_project_model(project.codebook.name, len(ex), scores,
                                                   model.to_bytes())
        model.version = version
        rows = []
        for sid, s in suggestions:
            s.version, s.model = version, model.name
            rows.append((sid, s.as_label()))
        project.store.replace_suggestions(MODEL_NAME, rows)
    progress.update(5, 5, "done")
    info = model_info(project)
    assert info is not None
    return info
