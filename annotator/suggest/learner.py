"""Text classifiers: TF-IDF word and character n-grams with a linear model, saved without pickle."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

if TYPE_CHECKING:  # scikit-learn and scipy load when a model is trained or used (2 s at start)
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

#: The learners compared in ``bench/bench_suggest.py``; "logreg" is the one the app uses
#: (docs/decisions.md: it gives calibrated-enough probabilities for confidence and uncertainty).
LEARNERS = ("logreg", "linearsvc", "complementnb", "logreg-word", "logreg-char")
DEFAULT_LEARNER = "logreg"

_WORD = {"analyzer": "word", "ngram_range": (1, 2), "min_df": 1, "max_features": 20000,
         "sublinear_tf": True, "token_pattern": r"(?u)\b\w+\b", "lowercase": True}
_CHAR = {"analyzer": "char_wb", "ngram_range": (3, 5), "min_df": 2, "max_features": 30000,
         "sublinear_tf": True, "lowercase": True}


def _vectorizers(learner: str) -> list[tuple[str, dict[str, Any]]]:
    if learner.endswith("-word"):
        return [("word", _WORD)]
    if learner.endswith("-char"):
        return [("char", _CHAR)]
    return [("word", _WORD), ("char", _CHAR)]


@dataclass
class TextModel:
    """Independent linear outputs over one shared TF-IDF feature space.

    ``fit_binary`` makes one yes/no output per column (frames: multi-label); ``fit_classes`` one
    output per class with a softmax (stance). Probabilities come from the linear scores: the
    logistic regression's own, or a sigmoid/softmax of the SVM margin and NB log-odds.
    """

    learner: str = DEFAULT_LEARNER
    classes: list[str] = field(default_factory=list)
    multiclass: bool = False
    vectorizers: list[TfidfVectorizer] = field(default_factory=list)
    coef: np.ndarray | None = None  # (outputs, features)
    intercept: np.ndarray | None = None  # (outputs,)
    constant: np.ndarray | None = None  # per output: the probability used when not fitted (NaN = fitted)

    # -- features --------------------------------------------------------------------------------

    def _fit_features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizers = []
        parts = []
        for _, params in _vectorizers(self.learner):
            v = TfidfVectorizer(**params, dtype=np.float32)
            try:
                parts.append(v.fit_transform(texts))
            except ValueError:  # too few texts for min_df: keep every n-gram
                v = TfidfVectorizer(**{**params, "min_df": 1}, dtype=np.float32)
                parts.append(v.fit_transform(texts))
            self.vectorizers.append(v)
        return sparse.hstack(parts).tocsr()

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        from scipy import sparse

        return sparse.hstack([v.transform(texts) for v in self.vectorizers]).tocsr()

    def _estimator(self) -> Any:
        from sklearn.linear_model import LogisticRegression
        from sklearn.naive_bayes import ComplementNB
        from sklearn.svm import LinearSVC

        base = self.learner.split("-")[0]
        if base == "linearsvc":
            return LinearSVC(C=0.5)
        if base == "complementnb":
            return ComplementNB(alpha=0.3)
        # liblinear is quickest for one yes/no output; lbfgs fits the three stance values jointly.
        return LogisticRegression(C=10.0, max_iter=300, class_weight="balanced",
                                  solver="lbfgs" if self.multiclass else "liblinear")

    # -- fitting ---------------------------------------------------------------------------------

    def fit_binary(self, texts: Sequence[str], y: np.ndarray, columns: Sequence[str]) -> "TextModel":
        """One output per column of the 0/1 matrix ``y`` (texts × columns)."""
        self.classes, self.multiclass = list(columns), False
        x = self._fit_features(texts)
        n = x.shape[1]
        self.coef = np.zeros((len(columns), n), dtype=np.float32)
        self.intercept = np.zeros(len(columns), dtype=np.float32)
        self.constant = np.full(len(columns), np.nan, dtype=np.float32)
        for j in range(len(columns)):
            col = y[:, j]
            if col.min() == col.max():  # one class only: that answer, no model
                self.constant[j] = float(col[0]) if len(col) else 0.0
                continue
            est = self._estimator().fit(x, col)
            coef, icpt = _linear(est)
            self.coef[j], self.intercept[j] = coef[-1], icpt[-1]
        return self

    def fit_classes(self, texts: Sequence[str], y: Sequence[str], classes: Sequence[str]) -> "TextModel":
        """One output per class of ``classes`` (a single label per text)."""
        self.classes, self.multiclass = list(classes), True
        x = self._fit_features(texts)
        present = sorted(set(y), key=list(classes).index)
        self.coef = np.zeros((len(classes), x.shape[1]), dtype=np.float32)
        self.intercept = np.full(len(classes), -30.0, dtype=np.float32)  # an unseen class: never
        self.constant = np.full(len(classes), np.nan, dtype=np.float32)
        if len(present) == 1:
            self.intercept[list(classes).index(present[0])] = 30.0
            return self
        est = self._estimator().fit(x, list(y))
        coef, icpt = _linear(est)
        order = [list(classes).index(c) for c in est.classes_]
        if len(present) == 2 and coef.shape[0] == 1:  # binary: one row scores the second class
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            icpt = np.array([-icpt[0] / 2, icpt[0] / 2])
        for row, k in enumerate(order):
            self.coef[k], self.intercept[k] = coef[row], icpt[row]
        return self

    # -- prediction ------------------------------------------------------------------------------

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        assert self.coef is not None and self.intercept is not None
        if not len(texts):
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        return np.asarray(self.features(texts) @ self.coef.T) + self.intercept

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        """texts × outputs: P(column) for binary outputs, a distribution over classes otherwise."""
        s = self.scores(texts)
        if self.multiclass:
            s = s - s.max(axis=1, keepdims=True)
            e = np.exp(s)
            return e / e.sum(axis=1, keepdims=True)
        p = 1.0 / (1.0 + np.exp(-np.clip(s, -30, 30)))
        assert self.constant is not None
        fixed = ~np.isnan(self.constant)
        p[:, fixed] = self.constant[fixed]
        return p

    # -- saving (numpy arrays only: a project file is shared, so no pickle) ------------------------

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        assert self.coef is not None and self.intercept is not None and self.constant is not None
        out: dict[str, np.ndarray] = {
            f"{prefix}meta": np.array(json.dumps({"learner": self.learner, "classes": self.classes,
                                                  "multiclass": self.multiclass,
                                                  "n_vectorizers": len(self.vectorizers)})),
            f"{prefix}coef": self.coef.astype(np.float16),
            f"{prefix}intercept": self.intercept, f"{prefix}constant": self.constant,
        }
        for i, v in enumerate(self.vectorizers):
            vocab = sorted(v.vocabulary_, key=v.vocabulary_.__getitem__)
            out[f"{prefix}vocab{i}"] = np.array(vocab, dtype=str)
            out[f"{prefix}idf{i}"] = v.idf_.astype(np.float32)
        return out

    @classmethod
    def from_arrays(cls, arrays: Any, prefix: str) -> "TextModel":
        from sklearn.feature_extraction.text import TfidfVectorizer

        meta = json.loads(str(arrays[f"{prefix}meta"]))
        model = cls(learner=meta["learner"], classes=list(meta["classes"]),
                    multiclass=bool(meta["multiclass"]))
        specs = _vectorizers(model.learner)
        for i in range(int(meta["n_vectorizers"])):
            v = TfidfVectorizer(**specs[i][1], dtype=np.float32)
            v.vocabulary_ = {str(t): k for k, t in enumerate(arrays[f"{prefix}vocab{i}"])}
            v.idf_ = arrays[f"{prefix}idf{i}"].astype(np.float64)
            model.vectorizers.append(v)
        model.coef = arrays[f"{prefix}coef"].astype(np.float32)
        model.intercept = arrays[f"{prefix}intercept"]
        model.constant = arrays[f"{prefix}constant"]
        return model


def _linear(est: Any) -> tuple[np.ndarray, np.ndarray]:
    """(coef, intercept) of a fitted linear estimator; ComplementNB's as log-probability weights."""
    from sklearn.naive_bayes import ComplementNB

    if isinstance(est, ComplementNB):
        w = np.asarray(est.feature_log_prob_)
        if w.shape[0] == 2:
            return w[1:] - w[:1], np.zeros(1)
        return w, np.zeros(w.shape[0])
    return np.asarray(est.coef_), np.asarray(est.intercept_)


def save(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def load(blob: bytes) -> Any:
    return np.load(io.BytesIO(blob), allow_pickle=False)
