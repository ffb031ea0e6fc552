"""The agreement report's input as code arrays: labels read with one query per table, grouped
with numpy into coder rows per field (stance columns, frame sets, irrelevant) over the units."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
from numpy.typing import NDArray

from ..model import STANCE_VALUES, ReviewArrays
from .units import NO_STANCE, STANCE_CATEGORIES, ProjectLabels

Ints = NDArray[np.int64]
#: The stance code of a target an annotator gave no stance to, on a sentence they labelled.
NONE_CODE = STANCE_CATEGORIES.index(NO_STANCE)


@dataclass
class LabelArrays:
    """Human labels over the labelled sentences ("units", in article order, then position)."""

    annotators: list[str]  # annotator index -> name
    articles: list[tuple[str, str, str | None]]  # article index -> (id, title, outlet)
    unit_article: Ints  # per unit: article index
    label_unit: Ints
    label_annotator: Ints
    label_irrelevant: Ints
    label_frames: Ints  # index into frame_lists
    frame_lists: list[list[str]]
    stance_unit: Ints
    stance_annotator: Ints
    stance_target: Ints
    stance_value: Ints  # index into STANCE_VALUES
    mention_unit: Ints
    mention_target: Ints


def _distinct(values: Ints) -> Ints:
    """``np.unique(values)`` by a stable sort: ~50x faster on the nearly sorted keys here than
    numpy 2's hash-based unique."""
    ordered = np.sort(values, kind="stable")
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])] if ordered.size else ordered


def _used(codes: Ints, size: int) -> Ints:
    """The distinct non-negative ``codes`` below ``size``, in order (a count, not a sort)."""
    return np.flatnonzero(np.bincount(codes, minlength=size))


def _positions(keys: Ints, among: Ints) -> Ints:
    """Index of each of ``keys`` in the sorted, distinct ``among`` (every key is there)."""
    return np.searchsorted(among, keys).astype(np.int64)


def read_arrays(project: Any) -> LabelArrays:
    """A project's human labels as arrays (see :meth:`annotator.store.Store.review_arrays`)."""
    store = project.store
    raw: ReviewArrays = store.review_arrays()
    names = project.annotators()
    ids = np.array([store.annotator_id(name) for name in names], dtype=np.int64)
    by_id = np.argsort(ids)
    rowids = _distinct(raw.unit_article)  # the labelled articles, in import order
    headers = store.article_headers_at(rowids.tolist())
    article = _positions(raw.unit_article, rowids)
    order = np.lexsort((raw.unit_index, article))
    sentence = raw.unit_sentence[order]
    top = int(sentence.max(initial=0))
    dense = top <= 8 * sentence.size + (1 << 20)
    if dense:
        # Sentence ids are dense (integer primary keys): a table from id to unit is one gather.
        unit_of = np.full(top + 1, -1, dtype=np.int64)
        unit_of[sentence] = np.arange(sentence.size)
    else:
        unit_of = np.argsort(sentence)  # sparse ids: unit of the k-th smallest id, searched

    def units(sentences: Ints) -> Ints:
        if dense:
            return unit_of[sentences]
        return unit_of[_positions(sentences, sentence[unit_of])]

    def annotator(id_: Ints) -> Ints:
        return by_id[_positions(id_, ids[by_id])]

    return LabelArrays(
        names, headers, article[order], units(raw.label_sentence), annotator(raw.label_annotator),
        raw.label_irrelevant, raw.label_frames, raw.spellings, units(raw.stance_sentence),
        annotator(raw.stance_annotator), raw.stance_target, raw.stance_value,
        units(raw.mention_sentence), raw.mention_target)


def arrays_of(data: ProjectLabels) -> LabelArrays:
    """The same arrays from labels already read as :class:`~annotator.review.units.Unit` objects."""
    names = list(data.annotators)
    for u in data.units:
        names += [a for a in u.labels if a not in names]
    annotator = {a: i for i, a in enumerate(names)}
    article_ids = list(data.articles) + list(dict.fromkeys(
        u.article_id for u in data.units if u.article_id not in data.articles))
    article = {aid: i for i, aid in enumerate(article_ids)}
    value = {v: i for i, v in enumerate(STANCE_VALUES)}
    spelling: dict[tuple[str, ...], int] = {}
    labels: list[tuple[int, int, int, int]] = []
    stances: list[tuple[int, int, int, int]] = []
    mentions: list[tuple[int, int]] = []
    for j, u in enumerate(data.units):
        for a, lab in u.labels.items():
            code = spelling.setdefault(tuple(lab.frames), len(spelling))
            labels.append((j, annotator[a], int(lab.irrelevant), code))
            stances += [(j, annotator[a], t, value[v]) for t, v in lab.stance.items()]
        mentions += [(j, t) for t in u.mentioned]

    def columns(rows: Sequence[tuple[int, ...]], width: int) -> list[Ints]:
        table = np.array(rows, dtype=np.int64).reshape(len(rows), width)
        return [table[:, i] for i in range(width)]

    return LabelArrays(
        names, [(aid, *data.articles.get(aid, (aid, None))) for aid in article_ids],
        np.array([article[u.article_id] for u in data.units], dtype=np.int64),
        *columns(labels, 4), [list(f) for f in spelling], *columns(stances, 4), *columns(mentions, 2))


@dataclass
class Fields:
    """Every field as coder rows of codes (-1 = not labelled) over the units two coders labelled."""

    labelled: int  # units labelled by at least one of the coders
    unit_article: Ints  # per unit: article index
    stance: Ints  # coders x (unit, target) columns; codes index STANCE_CATEGORIES
    stance_unit: Ints
    stance_target: Ints
    frame_sets: Ints  # coders x units; codes index sets
    sets: list[frozenset[str]]
    frame_ids: list[str]
    members: NDArray[np.bool_]  # sets x frame_ids: the set holds the frame
    irrelevant: Ints  # coders x units: 1 irrelevant, 0 not
    targets: set[int]  # the targets any coder gave a stance to


def build_fields(lab: LabelArrays, names: Sequence[str], codebook_frames: Sequence[str]) -> Fields:
    """The fields of ``names``' labels (coder i = names[i]) over the units two of them labelled."""
    coder_of = np.full(len(lab.annotators) + 1, -1, dtype=np.int64)
    for i, name in enumerate(names):
        if name in lab.annotators:
            coder_of[lab.annotators.index(name)] = i
    n_all = int(lab.unit_article.size)
    coder = coder_of[lab.label_annotator]
    chosen = np.flatnonzero(coder >= 0)
    per_unit = np.bincount(lab.label_unit[chosen], minlength=n_all)
    kept = per_unit >= 2
    unit_index = np.cumsum(kept) - 1
    chosen = chosen[kept[lab.label_unit[chosen]]]
    k, n = len(names), int(kept.sum())
    label_at = np.full((k, n), -1, dtype=np.int64)
    label_at[coder[chosen], unit_index[lab.label_unit[chosen]]] = chosen
    present = label_at >= 0

    irrelevant = np.where(present, lab.label_irrelevant[label_at], -1)
    set_index: dict[frozenset[str], int] = {}
    spelling_set = np.array([set_index.setdefault(frozenset(f), len(set_index)) for f in lab.frame_lists]
                            + [-1], dtype=np.int64)
    frame_sets = np.where(present, spelling_set[lab.label_frames[label_at]], -1)
    sets = list(set_index)
    used = set().union(*(sets[c] for c in _used(frame_sets[present], len(sets)).tolist()))
    frame_ids = list(codebook_frames) + sorted(used - set(codebook_frames))
    members = np.array([[f in s for f in frame_ids] for s in sets], dtype=bool).reshape(len(sets), len(frame_ids))

    # Stance columns: a (unit, target) pair for every target a coder gave a stance to on the unit
    # or that the unit mentions, among the targets any coder gave a stance to.
    s_coder = coder_of[lab.stance_annotator]
    s_rows = np.flatnonzero((s_coder >= 0) & kept[lab.stance_unit])
    s_unit, s_target = unit_index[lab.stance_unit[s_rows]], lab.stance_target[s_rows]
    targets = _used(s_target, int(s_target.max(initial=0)) + 1)
    m_rows = np.flatnonzero(kept[lab.mention_unit] & np.isin(lab.mention_target, targets))
    width = int(targets.max()) + 1 if targets.size else 1
    keys = _distinct(np.concatenate([s_unit * width + s_target,
                                     unit_index[lab.mention_unit[m_rows]] * width + lab.mention_target[m_rows]]))
    stance_unit, stance_target = keys // width, keys % width
    stance = np.where(present[:, stance_unit], NONE_CODE, -1)
    stance[s_coder[s_rows], _positions(s_unit * width + s_target, keys)] = lab.stance_value[s_rows]
    return Fields(int((per_unit >= 1).sum()), lab.unit_article[kept], stance, stance_unit, stance_target,
                  frame_sets, sets, frame_ids, members, irrelevant, set(targets.tolist()))
