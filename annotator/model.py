"""Plain data classes shared by every layer: articles, sentences, mentions, targets, labels, reports."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Normalised entity labels. The model's own label is kept in ``Mention.raw_label``.
ENTITY_LABELS: tuple[str, ...] = ("PER", "ORG", "LOC", "MISC")

#: Stance values, ordered (AGAINST < NEUTRAL < FAVOR) so ordinal statistics are possible.
STANCE_VALUES: tuple[str, ...] = ("AGAINST", "NEUTRAL", "FAVOR")

#: The reserved annotator under which adjudicated gold labels are stored.
GOLD_ANNOTATOR = "gold"


@dataclass
class Article:
    id: str  # stable: a hash of the normalised text
    title: str
    text: str
    lang: str = "und"
    outlet: str | None = None
    date: str | None = None
    url: str | None = None
    source: str | None = None  # file the article came from
    meta: dict[str, Any] = field(default_factory=dict)
    n_sentences: int = 0


@dataclass
class Mention:
    """An entity mention; ``start``/``end`` index the article text."""

    start: int
    end: int
    label: str  # one of ENTITY_LABELS
    text: str
    origin: str  # model name (e.g. "spacy:en_core_web_sm-3.8.0", "natasha") or "annotator:NAME"
    raw_label: str | None = None  # the model's own label (GPE, PERSON, ...)
    normal: str | None = None  # normal (lemmatised) form, when the backend gives one
    target_id: int | None = None
    id: int | None = None
    article_id: str | None = None


@dataclass
class Sentence:
    id: int
    article_id: str
    index: int
    start: int  # offsets into the article text: article.text[start:end] == text
    end: int
    text: str
    lang: str = "und"
    boilerplate: bool = False
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Target:
    """A canonical entity (person, country, organisation) with aliases in any language."""

    name: str
    kind: str  # one of ENTITY_LABELS
    aliases: list[str] = field(default_factory=list)
    pinned: bool = False
    id: int | None = None
    n_mentions: int = 0


@dataclass
class Label:
    """One annotator's label for one sentence."""

    sentence_id: int
    annotator: str
    stance: dict[int, str] = field(default_factory=dict)  # target id -> STANCE_VALUES item
    frames: list[str] = field(default_factory=list)
    irrelevant: bool = False
    note: str = ""
    created: str | None = None
    updated: str | None = None
    decided_by: str | None = None  # gold labels: who adjudicated
    #: Provenance: the model suggestion this label accepted ({model, version, frames, stance,
    #: irrelevant}), or None for a label typed by hand.
    suggestion: dict[str, Any] | None = None

    @property
    def empty(self) -> bool:
        return not (self.stance or self.frames or self.irrelevant or self.note.strip())


@dataclass(frozen=True)
class ImportIssue:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    files: int = 0
    articles_added: int = 0
    articles_skipped: int = 0  # already in the project (same content hash)
    sentences: int = 0
    mentions: int = 0
    labels: int = 0
    issues: list[ImportIssue] = field(default_factory=list)
    cancelled: bool = False
    seconds: float = 0.0
    #: What files from other tools held, counted per kind: (kind, outcome) -> n, e.g.
    #: ("choice", "mapped to a frame") or ("annotation", "skipped: cancelled"). An outcome that
    #: starts with "skipped" makes the import not ok (exit 1).
    tally: dict[tuple[str, str], int] = field(default_factory=dict)
    #: The label mapping used: one row per (field, value) with what it became and how often.
    mapping: list[dict[str, Any]] = field(default_factory=list)

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        if n:
            self.tally[(kind, outcome)] = self.tally.get((kind, outcome), 0) + n

    @property
    def skipped(self) -> int:
        return sum(n for (_, outcome), n in self.tally.items() if outcome.startswith("skipped"))

    @property
    def ok(self) -> bool:
        return not self.issues and not self.cancelled and not self.skipped

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "articles_added": self.articles_added,
            "articles_skipped": self.articles_skipped,
            "sentences": self.sentences,
            "mentions": self.mentions,
            "labels": self.labels,
            "issues": [{"file": i.file, "line": i.line, "message": i.message} for i in self.issues],
            "cancelled": self.cancelled,
            "seconds": round(self.seconds, 3),
            "tally": [{"kind": k, "outcome": o, "count": n} for (k, o), n in sorted(self.tally.items())],
            "mapping": list(self.mapping),
        }


@dataclass
class ReviewArrays:
    """A project's human labels as parallel numpy int64 arrays (no object per label), for review.

    ``label_*``: one entry per label; ``label_frames`` indexes ``spellings`` (the distinct frame
    lists). ``stance_*``: one per stance, ``stance_value`` indexing STANCE_VALUES. ``unit_*``: one
    per labelled sentence (article as its rowid, position in it). ``mention_*``: the targets linked
    to a mention in a labelled sentence (may repeat).
    """

    label_sentence: Any
    label_annotator: Any  # annotator id
    label_irrelevant: Any
    label_frames: Any
    spellings: list[list[str]]
    stance_sentence: Any
    stance_annotator: Any
    stance_target: Any
    stance_value: Any
    unit_sentence: Any
    unit_article: Any
    unit_index: Any
    mention_sentence: Any
    mention_target: Any
