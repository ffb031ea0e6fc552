"""Inter-coder agreement: percent agreement, Cohen's and Fleiss' kappa, Krippendorff's alpha and bootstrap CIs."""
from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "LEVELS",
    "bootstrap_alpha_ci",
    "cohen_kappa",
    "cohen_kappa_table",
    "confusion_matrix",
    "fleiss_kappa",
    "jaccard_distance",
    "krippendorff_alpha",
    "krippendorff_alpha_sets",
    "masi_distance",
    "mean_pairwise_agreement",
    "percent_agreement",
]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
Weights = Literal["linear", "quadratic"]
#: A distance between two label sets: 0 for equal sets, larger for more different ones.
SetDistance = Callable[[AbstractSet[Hashable], AbstractSet[Hashable]], float]
#: Coder rows over the same units; ``None`` (or NaN) marks a unit the coder did not code.
ReliabilityData = Sequence[Sequence[Any]] | NDArray[Any]

LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")

# Elements per temporary block when a distance is evaluated over many pairs at once:
# bounds memory whatever the number of distinct values.
_BLOCK = 1 << 22
# Up to this many distinct values, bootstrap frequencies come from a dense units x values product.
_DENSE_CODES = 64


# --------------------------------------------------------------------------- set distances


def jaccard_distance(a: AbstractSet[Hashable], b: AbstractSet[Hashable]) -> float:
    """``1 - |a ∩ b| / |a ∪ b|``; two empty sets are equal, so their distance is 0."""
    union = len(a | b)
    if union == 0:
        return 0.0
    return 1.0 - len(a & b) / union


def masi_distance(a: AbstractSet[Hashable], b: AbstractSet[Hashable]) -> float:
    """MASI distance (Passonneau 2006): ``1 - J * M``.

    ``J`` is the Jaccard coefficient and ``M`` the monotonicity weight: 1 if the sets are equal,
    2/3 if one is a subset of the other, 1/3 if they merely intersect, 0 if they are disjoint.
    Two empty sets are equal (distance 0).
    """
    if a == b:
        return 0.0
    intersection = len(a & b)
    if intersection == 0:
        return 1.0
    if intersection == min(len(a), len(b)):
        monotonicity = 2.0 / 3.0
    else:
        monotonicity = 1.0 / 3.0
    return 1.0 - intersection / len(a | b) * monotonicity


# --------------------------------------------------------------------------- encoding


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, (float, np.floating)) and math.isnan(value))


def _numeric_matrix(data: ReliabilityData) -> NDArray[Any] | None:
    """The data as a 2-D numeric ndarray when it already is one (the fast path), else None."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        if data.ndim != 2:
            raise ValueError(f"reliability data must be 2-D (coders x units), got shape {data.shape}")
        return data
    return None


def _encode(
    data: ReliabilityData,
    categories: Sequence[Any] | None,
    order: Literal["required", "try", "none"],
) -> tuple[NDArray[np.int64], Sequence[Any]]:
    """Integer codes (coders x units, -1 = missing) and the label of each code (a list or ndarray).

    With ``categories`` the codes are positions in it; otherwise labels are sorted (``order="try"``
    falls back to first-seen order for labels that cannot be compared, ``"required"`` refuses).
    """
    matrix = _numeric_matrix(data)
    if matrix is not None:
        present = ~np.isnan(matrix) if matrix.dtype.kind == "f" else np.ones(matrix.shape, dtype=bool)
        uniques, inverse = np.unique(matrix[present], return_inverse=True)
        raw = np.full(matrix.shape, -1, dtype=np.int64)
        raw[present] = inverse
        if categories is None:
            # np.unique already gave sorted, non-missing labels: skip the per-label Python work,
            # which dominates for continuous data with millions of distinct values.
            return raw, uniques
        raw_labels: list[Any] = uniques.tolist()
    else:
        lookup: dict[Any, int] = {}
        rows: list[list[int]] = []
        try:
            # One dict lookup per value is the cheapest way to code arbitrary hashable labels.
            for row in data:
                rows.append([lookup.setdefault(value, len(lookup)) for value in row])
        except TypeError as exc:
            raise TypeError(
                f"values must be hashable labels or numbers ({exc}); use krippendorff_alpha_sets for label sets"
            ) from exc
        lengths = {len(row) for row in rows}
        if len(lengths) > 1:
            raise ValueError(f"every coder row must cover the same units; row lengths are {sorted(lengths)}")
        raw = np.array(rows, dtype=np.int64).reshape(len(rows), lengths.pop() if lengths else 0)
        raw_labels = list(lookup)
        # None and NaN were coded like labels above; turn them into "missing" now.
        missing_codes = [code for code, label in enumerate(raw_labels) if _is_missing(label)]
        if missing_codes:
            is_missing = np.zeros(len(raw_labels) + 1, dtype=bool)
            is_missing[missing_codes] = True
            raw = np.where(is_missing[raw], -1, raw)

    kept = [code for code, label in enumerate(raw_labels) if not _is_missing(label)]
    if categories is not None:
        labels = list(categories)
        position: dict[Any, int] = {}
        for index, category in enumerate(labels):
            if category in position:
                raise ValueError(f"category {category!r} is listed twice")
            position[category] = index
        unknown = [raw_labels[code] for code in kept if raw_labels[code] not in position]
        if unknown:
            raise ValueError(f"value {unknown[0]!r} is not one of the categories {tuple(labels)!r}")
        target = {code: position[raw_labels[code]] for code in kept}
    else:
        kept_labels = [raw_labels[code] for code in kept]
        if order == "none":
            labels = kept_labels
        else:
            try:
                labels = sorted(kept_labels)
            except TypeError as exc:
                if order == "required":
                    raise ValueError(
                        "values of different types cannot be put in order; pass categories to give the order"
                    ) from exc
                labels = kept_labels
        position = {label: index for index, label in enumerate(labels)}
        target = {code: position[raw_labels[code]] for code in kept}

    # The extra last slot maps the missing code -1 to itself.
    remap = np.full(len(raw_labels) + 1, -1, dtype=np.int64)
    for code, new in target.items():
        remap[code] = new
    return remap[raw], labels


def _numeric_values(labels: Sequence[Any], level: str) -> NDArray[np.float64]:
    if isinstance(labels, np.ndarray) and labels.dtype.kind in "biuf":
        return labels.astype(np.float64)
    for label in labels:
        if not isinstance(label, (int, float, np.integer, np.floating)):
            raise ValueError(
                f"{level} alpha needs numeric values, got {label!r}; map the categories to numbers first "
                "(e.g. AGAINST=-1, NEUTRAL=0, FAVOR=1) or use level='ordinal'"
            )
    return np.asarray(labels, dtype=np.float64)


def _as_label_set(value: Any) -> frozenset[Hashable] | None:
    if _is_missing(value):
        return None
    if isinstance(value, str):
        return frozenset((value,))  # a bare string is one label, not a set of characters
    return frozenset(value)


# --------------------------------------------------------------------------- pairable values


def _ragged(starts: NDArray[np.int64], lengths: NDArray[np.int64]) -> NDArray[np.int64]:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])`` without the loop."""
    ends = np.cumsum(lengths)
    return np.arange(int(lengths.sum())) - np.repeat(ends - lengths - starts, lengths)


class _Pairable:
    """The values of units coded by at least two coders, as per-unit counts and within-unit pairs.

    ``entry_*`` arrays hold one row per (unit, value) with its count ``n_uc``; ``pair_*`` arrays hold
    one row per unordered pair of *different* values in the same unit, weighted by its contribution
    ``2 n_uc n_uk / (m_u - 1)`` to the coincidence matrix (both orders). Same-value pairs are left
    out because every distance is 0 between a value and itself.
    """

    def __init__(self, codes: NDArray[np.int64], n_codes: int) -> None:
        present = codes >= 0
        values_per_unit = present.sum(axis=0)
        pairable = values_per_unit >= 2
        sub = codes[:, pairable]
        self.values_per_unit = values_per_unit[pairable]
        self.n_units = int(pairable.sum())
        self.n_codes = n_codes
        self._unit_counts: NDArray[np.float64] | None = None

        coder_index, unit_index = np.nonzero(sub >= 0)
        key = unit_index.astype(np.int64) * n_codes + sub[coder_index, unit_index]
        if self.n_units * n_codes <= 8 * key.size:
            # Few distinct values: a dense count is linear and beats sorting.
            dense = np.bincount(key, minlength=self.n_units * n_codes)
            keys = np.flatnonzero(dense)
            counts = dense[keys]
        else:
            keys, counts = np.unique(key, return_counts=True)
        self.entry_unit = keys // n_codes
        self.entry_code = keys % n_codes
        self.entry_count = counts.astype(np.float64)

        # Entries are sorted by unit, so the entries of a unit are contiguous: pairing each entry
        # with the one d places further on, for d = 1, 2, ..., enumerates every within-unit pair
        # with one vectorised step per d (d never exceeds the number of distinct values in a unit).
        units: list[NDArray[np.int64]] = []
        firsts: list[NDArray[np.int64]] = []
        seconds: list[NDArray[np.int64]] = []
        offsets: list[NDArray[np.int64]] = []
        offset = 1
        while offset < keys.size:
            same_unit = np.flatnonzero(self.entry_unit[offset:] == self.entry_unit[:-offset])
            if same_unit.size == 0:
                break
            units.append(self.entry_unit[same_unit])
            firsts.append(same_unit)
            seconds.append(same_unit + offset)
            offsets.append(np.full(same_unit.size, offset, dtype=np.int64))
            offset += 1
        first = np.concatenate(firsts) if firsts else np.zeros(0, dtype=np.int64)
        second = np.concatenate(seconds) if seconds else np.zeros(0, dtype=np.int64)
        self.pair_unit = np.concatenate(units) if units else np.zeros(0, dtype=np.int64)
        self.pair_offset = np.concatenate(offsets) if offsets else np.zeros(0, dtype=np.int64)
        self.pair_c = self.entry_code[first]
        self.pair_k = self.entry_code[second]
        self.pair_weight = (
            2.0 * self.entry_count[first] * self.entry_count[second] / (self.values_per_unit[self.pair_unit] - 1)
        )

    def subset(self, units: NDArray[np.int64]) -> _Pairable:
        """The same values for the (increasing) ``units`` only, renumbered 0, 1, ...; the entries and
        pairs of each unit keep their order, so every per-unit sum is the same float as here."""
        index = np.full(self.n_units, -1, dtype=np.int64)
        index[units] = np.arange(units.size)
        sub = object.__new__(_Pairable)
        sub.values_per_unit = self.values_per_unit[units]
        sub.n_units = int(units.size)
        sub.n_codes = self.n_codes
        sub._unit_counts = None
        entries = index[self.entry_unit] >= 0
        sub.entry_unit = index[self.entry_unit[entries]]
        sub.entry_code = self.entry_code[entries]
        sub.entry_count = self.entry_count[entries]
        pairs = index[self.pair_unit] >= 0
        sub.pair_unit = index[self.pair_unit[pairs]]
        sub.pair_c = self.pair_c[pairs]
        sub.pair_k = self.pair_k[pairs]
        sub.pair_weight = self.pair_weight[pairs]
        sub.pair_offset = self.pair_offset[pairs]
        return sub

    def patterns(self, weights: NDArray[np.int64] | None = None) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """One unit of each distinct value-count pattern and how many units have it (``weights``:
        each unit's copies), in increasing order of the pattern's key.

        Alpha depends on a unit only through how often each value occurs in it, so units with the
        same counts are interchangeable: the bootstrap resamples patterns. The key is the unit's
        sorted values, one base-(values + 1) digit each.
        """
        counts = self.entry_count.astype(np.int64)
        value_unit = np.repeat(self.entry_unit, counts)
        value_code = np.repeat(self.entry_code, counts)
        starts = np.searchsorted(value_unit, np.arange(self.n_units))
        base = self.n_codes + 1
        longest = int(self.values_per_unit.max()) if self.n_units else 0
        if base**longest >= 1 << 62:
            # Too many values for a key: every unit is its own pattern (the same bootstrap, slower).
            units = np.arange(self.n_units, dtype=np.int64)
            return units, (np.ones(self.n_units, dtype=np.int64) if weights is None else weights)
        place = np.arange(value_unit.size) - starts[value_unit]
        powers = base ** np.arange(max(longest, 1), dtype=np.int64)
        keys = np.add.reduceat((value_code + 1) * powers[place], starts) if self.n_units else starts
        keys, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        copies = np.bincount(inverse, weights=weights, minlength=keys.size)
        return first.astype(np.int64), np.rint(copies).astype(np.int64)

    def code_totals(self, unit_freq: NDArray[np.int64] | None = None) -> NDArray[np.float64]:
        """``n_c``: how often each value occurs among pairable values (units weighted by ``unit_freq``)."""
        weights = self.entry_count if unit_freq is None else self.entry_count * unit_freq[self.entry_unit]
        return np.bincount(self.entry_code, weights=weights, minlength=self.n_codes)

    def code_totals_many(self, unit_freq: NDArray[np.float64]) -> NDArray[np.float64]:
        """:meth:`code_totals` for each row of a (replicates x units) weight matrix at once."""
        rows = unit_freq.shape[0]
        if self.n_codes <= _DENSE_CODES and self.n_units * self.n_codes <= _BLOCK:
            # Few values: one matrix product with the (units x values) count table. Every term is
            # an integer below 2**53, so the sums are exact and equal to the bincount below.
            if self._unit_counts is None:
                self._unit_counts = np.zeros((self.n_units, self.n_codes), dtype=np.float64)
                self._unit_counts[self.entry_unit, self.entry_code] = self.entry_count
            return np.asarray(unit_freq @ self._unit_counts, dtype=np.float64)
        weights = unit_freq[:, self.entry_unit] * self.entry_count
        keys = (np.arange(rows)[:, None] * self.n_codes + self.entry_code).ravel()
        totals = np.bincount(keys, weights=weights.ravel(), minlength=rows * self.n_codes)
        return totals.reshape(rows, self.n_codes)


# --------------------------------------------------------------------------- distance metrics


class _Metric:
    """A squared-difference function δ² over value codes, evaluated for arrays of code pairs."""

    #: True when δ² depends on the value frequencies (the ordinal metric does).
    uses_totals = False
    _table: NDArray[np.float64] | None = None

    def pair(self, c: NDArray[np.int64], k: NDArray[np.int64], totals: NDArray[np.float64]) -> NDArray[np.float64]:
        raise NotImplementedError

    def expected(self, totals: NDArray[np.float64]) -> float:
        """``Σ_c Σ_k n_c n_k δ²(c, k)``: from a cached table when small, else in bounded-memory blocks."""
        size = totals.size
        if not self.uses_totals and size * size <= _BLOCK:
            # Bootstrap replicates ask again and again with new frequencies; the distances stay put.
            if self._table is None:
                codes = np.arange(size)
                self._table = self.pair(np.repeat(codes, size), np.tile(codes, size), totals).reshape(size, size)
            return float(totals @ self._table @ totals)
        observed = np.flatnonzero(totals)
        weights = totals[observed]
        size = observed.size
        step = max(1, _BLOCK // max(size, 1))
        total = 0.0
        for start in range(0, size, step):
            rows = observed[start : start + step]
            block = self.pair(np.repeat(rows, size), np.tile(observed, rows.size), totals).reshape(rows.size, size)
            total += float(weights[start : start + step] @ block @ weights)
        return total

    def expected_many(self, totals: NDArray[np.float64]) -> NDArray[np.float64]:
        """:meth:`expected` for each row of a (replicates x values) frequency matrix."""
        size = totals.shape[1]
        if not self.uses_totals and size * size <= _BLOCK:
            if self._table is None:
                self.expected(totals[0])  # builds the table
            assert self._table is not None
            return np.einsum("bi,ij,bj->b", totals, self._table, totals)
        return np.array([self.expected(row) for row in totals], dtype=np.float64)


class _NominalMetric(_Metric):
    def pair(self, c: NDArray[np.int64], k: NDArray[np.int64], totals: NDArray[np.float64]) -> NDArray[np.float64]:
        return (c != k).astype(np.float64)

    def expected(self, totals: NDArray[np.float64]) -> float:
        n = float(totals.sum())
        return n * n - float(totals @ totals)

    def expected_many(self, totals: NDArray[np.float64]) -> NDArray[np.float64]:
        n = totals.sum(axis=1)
        return n * n - np.einsum("bi,bi->b", totals, totals)


class _IntervalMetric(_Metric):
    def __init__(self, values: NDArray[np.float64]) -> None:
        self.values = values

    def positions(self, totals: NDArray[np.float64]) -> NDArray[np.float64]:
        return self.values

    def pair(self, c: NDArray[np.int64], k: NDArray[np.int64], totals: NDArray[np.float64]) -> NDArray[np.float64]:
        x = self.positions(totals)
        return (x[c] - x[k]) ** 2

    def expected(self, totals: NDArray[np.float64]) -> float:
        # Σ_c Σ_k n_c n_k (x_c - x_k)² = 2 n Σ_c n_c (x_c - x̄)²: linear in the number of values.
        x = self.positions(totals)
        n = float(totals.sum())
        mean = float(totals @ x) / n
        return 2.0 * n * float(totals @ (x - mean) ** 2)

    def positions_many(self, totals: NDArray[np.float64]) -> NDArray[np.float64]:
        """:meth:`positions` for each row of a frequency matrix (one row of positions per row)."""
        return np.broadcast_to(self.values, totals.shape)

    def pair_many(self, c: NDArray[np.int64], k: NDArray[np.int64], totals: NDArray[np.float64]) -> NDArray[np.float64]:
        """δ² of the code pairs for each row of a frequency matrix: (replicates x pairs)."""
        x = self.positions_many(totals)
        return (x[:, c] - x[:, k]) ** 2

    def expected_many(self, totals: NDArray[np.float64]) -> NDArray[np.float64]:
        x = self.positions_many(totals)
        n = totals.sum(axis=1)
        mean = np.einsum("bi,bi->b", totals, x) / n
        return 2.0 * n * np.einsum("bi,bi->b", totals, (x - mean[:, None]) ** 2)


class _OrdinalMetric(_IntervalMetric):
    """Krippendorff's ordinal metric, ``δ²(c, k) = (Σ_{g=c..k} n_g − (n_c + n_k)/2)²``.

    That equals the squared difference of the mid-ranks ``r_c = Σ_{g<c} n_g + n_c/2``, so it is
    the interval metric over mid-ranks, which keeps the expected disagreement linear-time.
    """

    uses_totals = True

    def __init__(self) -> None:
        super().__init__(np.zeros(0))

    def positions(self, totals: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.cumsum(totals) - totals / 2.0

    def positions_many(self, totals: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.cumsum(totals, axis=1) - totals / 2.0


class _RatioMetric(_Metric):
    def __init__(self, values: NDArray[np.float64]) -> None:
        if (values < 0).any():
            raise ValueError("ratio alpha needs non-negative values")
        self.values = values

    def pair(self, c: NDArray[np.int64], k: NDArray[np.int64], totals: NDArray[np.float64]) -> NDArray[np.float64]:
        difference = self.values[c] - self.values[k]
        total = self.values[c] + self.values[k]
        # Only 0 vs 0 has a zero sum, and equal values are at distance 0.
        ratio = np.divide(difference, total, out=np.zeros_like(difference), where=total != 0)
        return ratio**2


class _SetMetric(_Metric):
    """MASI or Jaccard distance over label sets, vectorised on a set x label membership matrix."""

    def __init__(self, sets: Sequence[AbstractSet[Hashable]], kind: Literal["masi", "jaccard"]) -> None:
        universe: dict[Hashable, int] = {}
        for labels in sets:
            for label in labels:
                universe.setdefault(label, len(universe))
        members = np.zeros((len(sets), max(len(universe), 1)), dtype=bool)
        for code, labels in enumerate(sets):
            members[code, [universe[label] for label in labels]] = True
        self.members = members
        self.sizes = members.sum(axis=1)
        self.kind = kind

    def pair(self, c: NDArray[np.int64], k: NDArray[np.int64], totals: NDArray[np.float64]) -> NDArray[np.float64]:
        out = np.empty(c.size, dtype=np.float64)
        step = max(1, _BLOCK // self.members.shape[1])
        for start in range(0, c.size, step):
            cc, kk = c[start : start + step], k[start : start + step]
            intersection = np.count_nonzero(self.members[cc] & self.members[kk], axis=1)
            size_c, size_k = self.sizes[cc], self.sizes[kk]
            union = size_c + size_k - intersection
            jaccard = np.divide(intersection, union, out=np.ones(cc.size), where=union > 0)
            if self.kind == "jaccard":
                out[start : start + step] = 1.0 - jaccard
                continue
            equal = (intersection == size_c) & (intersection == size_k)
            subset = intersection == np.minimum(size_c, size_k)
            monotonicity = np.select(
                [equal, subset, intersection > 0], [1.0, 2.0 / 3.0, 1.0 / 3.0], default=0.0
            )
            out[start : start + step] = 1.0 - jaccard * monotonicity
        return out


class _TableMetric(_Metric):
    """Any distance, tabulated once per distinct pair of values (so K²/2 calls for K values)."""

    def __init__(self, values: Sequence[Any], distance: Callable[[Any, Any], float]) -> None:
        size = len(values)
        table = np.zeros((size, size), dtype=np.float64)
        for i in range(size):
            for j in range(i + 1, size):
                table[i, j] = table[j, i] = float(distance(values[i], values[j]))
        if not np.isfinite(table).all() or (table < 0).any():
            raise ValueError("distance must return finite, non-negative numbers")
        self.table = table

    def pair(self, c: NDArray[np.int64], k: NDArray[np.int64], totals: NDArray[np.float64]) -> NDArray[np.float64]:
        return self.table[c, k]

    def expected(self, totals: NDArray[np.float64]) -> float:
        return float(totals @ self.table @ totals)

    def expected_many(self, totals: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.einsum("bi,ij,bj->b", totals, self.table, totals)


# --------------------------------------------------------------------------- alpha


class _AlphaProblem:
    """Pairable values plus a metric: gives alpha for the data or for any re-weighting of its units.

    ``copies`` (see :class:`CodedUnits`) says which unit each unit of the data is a copy of, in
    the data's order, when the pairable values hold only the distinct units: alpha is then that
    of the whole data, summed per unit in the same order, so the same float.
    """

    def __init__(self, pairable: _Pairable, metric: _Metric, copies: NDArray[np.int64] | None = None) -> None:
        self.pairable = pairable
        self.metric = metric
        self.copies = copies
        self.weights = None if copies is None else np.bincount(copies, minlength=pairable.n_units)
        self._unit_observed: NDArray[np.float64] | None = None

    def alpha(self, unit_freq: NDArray[np.int64] | None = None) -> float:
        """``α = 1 − (n − 1) Σ o_ck δ²_ck / Σ n_c n_k δ²_ck``; ``unit_freq`` counts each unit's copies."""
        p = self.pairable
        totals = p.code_totals(self.weights if unit_freq is None else unit_freq)
        if np.count_nonzero(totals) < 2:
            # One value only: no expected disagreement, and no observed disagreement either.
            return 1.0
        expected = self.metric.expected(totals)
        if expected == 0.0:
            # All values are at distance 0 from each other (a custom distance can do that); the
            # within-unit pairs are among them, so the observed disagreement is 0 too.
            return 1.0
        observed = self._observed(totals, unit_freq)
        return 1.0 - (float(totals.sum()) - 1.0) * observed / expected

    def unit_observed(self) -> NDArray[np.float64]:
        """Each unit's observed disagreement, for a metric that does not depend on the frequencies."""
        if self._unit_observed is None:
            p = self.pairable
            disagreement = p.pair_weight * self.metric.pair(p.pair_c, p.pair_k, np.zeros(p.n_codes))
            self._unit_observed = np.bincount(p.pair_unit, weights=disagreement, minlength=p.n_units)
        return self._unit_observed

    def _observed(self, totals: NDArray[np.float64], unit_freq: NDArray[np.int64] | None) -> float:
        p = self.pairable
        if unit_freq is None:
            unit_freq = self.weights
        if self.metric.uses_totals and unit_freq is self.weights and self.copies is not None:
            # Every unit's pairs, in the order the whole data's pairs have: the same dot product.
            pairs = self._copied_pairs()
            return float(p.pair_weight[pairs] @ self.metric.pair(p.pair_c[pairs], p.pair_k[pairs], totals))
        if self.metric.uses_totals:
            weights = p.pair_weight if unit_freq is None else p.pair_weight * unit_freq[p.pair_unit]
            return float(weights @ self.metric.pair(p.pair_c, p.pair_k, totals))
        if unit_freq is self.weights and self.copies is not None:
            return float(self.unit_observed()[self.copies].sum())
        if unit_freq is None:
            return float(self.unit_observed().sum())
        return float(unit_freq @ self.unit_observed())

    def _copied_pairs(self) -> NDArray[np.int64]:
        """The pairs of each copied unit (``copies``), offset by offset, unit by unit, as
        :class:`_Pairable` lists the pairs of the whole data."""
        p = self.pairable
        assert self.copies is not None
        out = []
        for offset in np.unique(p.pair_offset).tolist():
            chosen = np.flatnonzero(p.pair_offset == offset)  # by unit, then entry
            lengths = np.bincount(p.pair_unit[chosen], minlength=p.n_units)
            starts = np.cumsum(lengths) - lengths
            out.append(chosen[_ragged(starts[self.copies], lengths[self.copies])])
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)

    def alphas(self, unit_freq: NDArray[np.float64]) -> NDArray[np.float64]:
        """:meth:`alpha` for each row of a (replicates x units) matrix of unit copies, at once."""
        p = self.pairable
        totals = p.code_totals_many(unit_freq)
        expected = self.metric.expected_many(totals)
        if self.metric.uses_totals:
            assert isinstance(self.metric, _IntervalMetric)
            weights = unit_freq[:, p.pair_unit] * p.pair_weight
            observed = np.einsum("bp,bp->b", weights, self.metric.pair_many(p.pair_c, p.pair_k, totals))
        else:
            observed = unit_freq @ self.unit_observed()
        # As in alpha(): one value only, or no expected disagreement, is perfect agreement.
        constant = (np.count_nonzero(totals, axis=1) < 2) | (expected == 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            result = 1.0 - (totals.sum(axis=1) - 1.0) * observed / expected
        return np.where(constant, 1.0, result)


def _problem(
    reliability_data: ReliabilityData,
    level: str,
    categories: Sequence[Any] | None,
    distance: Callable[[Any, Any], float] | None,
) -> _AlphaProblem | None:
    """Code the data and pick the metric; None when no unit has two values."""
    if distance is not None:
        if level != "nominal" or categories is not None:
            raise ValueError("give either a distance (for label sets) or a level/categories, not both")
        rows = [[_as_label_set(value) for value in row] for row in reliability_data]
        codes, labels = _encode(rows, None, order="none")
    else:
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
        codes, labels = _encode(
            reliability_data, categories, order="required" if level == "ordinal" else "try"
        )
    return _coded_problem(codes, labels, _metric(level, labels, distance))


def _metric(level: str, labels: Sequence[Any], distance: Callable[[Any, Any], float] | None) -> _Metric:
    if distance is masi_distance:
        return _SetMetric(labels, "masi")
    if distance is jaccard_distance:
        return _SetMetric(labels, "jaccard")
    if distance is not None:
        return _TableMetric(labels, distance)
    if level == "nominal":
        return _NominalMetric()
    if level == "ordinal":
        return _OrdinalMetric()
    if level == "interval":
        return _IntervalMetric(_numeric_values(labels, level))
    return _RatioMetric(_numeric_values(labels, level))


def _coded_problem(
    codes: NDArray[np.int64], labels: Sequence[Any], metric: _Metric, copies: NDArray[np.int64] | None = None
) -> _AlphaProblem | None:
    if codes.ndim != 2 or codes.shape[0] < 2 or not (codes >= 0).any():
        return None
    pairable = _Pairable(codes, len(labels))
    if pairable.n_units == 0:
        return None
    return _AlphaProblem(pairable, metric, copies)


def krippendorff_alpha(
    reliability_data: ReliabilityData,
    level: Level = "nominal",
    categories: Sequence[Any] | None = None,
) -> float | None:
    """Krippendorff's alpha for coder rows over the same units (``None``/NaN = not coded).

    ``α = 1 − D_o / D_e`` computed from the coincidence matrix as in Krippendorff (2011):
    ``α = 1 − (n − 1) Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck``, where units with fewer than two values
    are dropped, ``o_ck = Σ_u (number of c-k pairs of coders in u) / (m_u − 1)`` and ``n`` is the
    number of pairable values. Metrics: nominal ``[c ≠ k]``; ordinal
    ``(Σ_{g=c..k} n_g − (n_c + n_k)/2)²`` over the order of ``categories`` (else sorted values);
    interval ``(c − k)²``; ratio ``((c − k)/(c + k))²`` (numbers, ratio non-negative).

    Returns None when no unit has two values. When only one value occurs at all (no expected
    disagreement) it returns 1.0: the coders agree perfectly on a constant. Any value outside
    ``categories`` raises ValueError.
    """
    problem = _problem(reliability_data, level, categories, None)
    return None if problem is None else problem.alpha()


def krippendorff_alpha_sets(
    reliability_data: Sequence[Sequence[Any]],
    distance: SetDistance = masi_distance,
) -> float | None:
    """Krippendorff's alpha for multi-label coding (e.g. frame sets) with a set distance.

    Each value is a set of labels (any iterable; a bare string is one label); ``None``/NaN means
    not coded, while an empty set is a coded "no label". ``δ²`` is ``distance`` itself (MASI by
    default; :func:`jaccard_distance` or any ``f(a, b) -> float`` with ``f(a, a) = 0`` also work).
    MASI and Jaccard are vectorised; other functions are called once per pair of distinct sets.
    Degenerate cases are as in :func:`krippendorff_alpha`.
    """
    problem = _problem(reliability_data, "nominal", None, distance)
    return None if problem is None else problem.alpha()


def bootstrap_alpha_ci(
    reliability_data: ReliabilityData,
    level: Level = "nominal",
    categories: Sequence[Any] | None = None,
    *,
    distance: SetDistance | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval for Krippendorff's alpha, resampling units with replacement.

    Each replicate is exactly :func:`krippendorff_alpha` (or :func:`krippendorff_alpha_sets` when
    ``distance`` is given) of ``U`` pairable units drawn with replacement, with the ordinal metric
    recomputed from the replicate's frequencies (to floating-point rounding: replicates are
    computed in blocks). The resamples are drawn as copies per distinct unit pattern (see
    :func:`_bootstrap_replicates`), seeded (``numpy.random.default_rng(seed)``), so the same call
    gives the same interval. Returns ``(low, high)``, or None when no unit has two values.
    """
    problem = _problem(reliability_data, level, categories, distance)
    return None if problem is None else _percentile_ci(problem, n_boot, seed, ci)


def _percentile_ci(problem: _AlphaProblem, n_boot: int, seed: int, ci: float) -> tuple[float, float]:
    if n_boot < 1:
        raise ValueError("n_boot must be at least 1")
    if not 0.0 < ci < 1.0:
        raise ValueError("ci must be between 0 and 1")
    replicates = _bootstrap_replicates(problem, n_boot, seed)
    low, high = np.quantile(replicates, [(1.0 - ci) / 2.0, (1.0 + ci) / 2.0])
    return float(low), float(high)


def _bootstrap_replicates(problem: _AlphaProblem, n_boot: int, seed: int) -> NDArray[np.float64]:
    """Alpha of ``n_boot`` resamples of the ``U`` pairable units, with replacement.

    Units with the same value counts are interchangeable (:meth:`_Pairable.patterns`), so a
    resample is how many copies of each of the ``P`` patterns it holds: one multinomial draw of
    ``U`` over the patterns' shares (``numpy.random.default_rng(seed)``), which is the same
    distribution as ``U`` units drawn one by one, at a cost in ``P``, not ``U``. With many
    patterns (``P > U / 3``: a binomial costs about three units drawn, counted and binned) the
    units are drawn one by one instead. The replicates are computed a block at a time over one
    unit of each pattern.
    """
    units, copies = problem.pairable.patterns(problem.weights)
    patterns = _AlphaProblem(problem.pairable.subset(units), problem.metric)
    n_units = int(copies.sum())
    rng = np.random.default_rng(seed)
    one_by_one = units.size * 3 > n_units
    p = patterns.pairable
    width = p.n_units + p.entry_unit.size + (p.pair_unit.size if problem.metric.uses_totals else 0)
    rows = max(1, min(n_boot, _BLOCK // max(width, n_units if one_by_one else 1, 1)))
    pattern_of = np.repeat(np.arange(units.size), copies)
    replicates = np.empty(n_boot, dtype=np.float64)
    for start in range(0, n_boot, rows):
        block = min(rows, n_boot - start)
        if one_by_one:
            picks = pattern_of[rng.integers(0, n_units, size=(block, n_units))]
            picks += np.arange(0, block * units.size, units.size)[:, None]
            draws = np.bincount(picks.ravel(), minlength=block * units.size).reshape(block, units.size)
        else:
            draws = rng.multinomial(n_units, copies / n_units, size=block)
        # Floats for BLAS products; exact, as the counts are integers of at most U.
        replicates[start : start + block] = patterns.alphas(draws.astype(np.float64))
    return replicates


# --------------------------------------------------------------------------- agreement and kappas


def mean_pairwise_agreement(reliability_data: ReliabilityData) -> float | None:
    """Observed agreement for any number of coders, as a proportion in [0, 1].

    For each unit with ``m_u ≥ 2`` values, the share of agreeing ordered coder pairs
    ``Σ_c n_uc (n_uc − 1) / (m_u (m_u − 1))``; the result is its mean over those units. None when no
    unit has two values.
    """
    codes, labels = _encode(reliability_data, None, order="try")
    if codes.ndim != 2 or codes.shape[0] < 2 or not (codes >= 0).any():
        return None
    p = _Pairable(codes, len(labels))
    if p.n_units == 0:
        return None
    agreeing = np.bincount(p.entry_unit, weights=p.entry_count * (p.entry_count - 1), minlength=p.n_units)
    m = p.values_per_unit.astype(np.float64)
    return float(np.mean(agreeing / (m * (m - 1))))


def percent_agreement(a: Sequence[Any], b: Sequence[Any]) -> float | None:
    """Share of units, among those both coders coded, on which they chose the same value (0 to 1)."""
    if len(a) != len(b):
        raise ValueError(f"the two codings differ in length ({len(a)} vs {len(b)})")
    return mean_pairwise_agreement([list(a), list(b)])


def _paired_codes(
    a: Sequence[Any], b: Sequence[Any], categories: Sequence[Any] | None, order: Literal["required", "try"]
) -> tuple[NDArray[np.int64], NDArray[np.int64], list[Any]]:
    if len(a) != len(b):
        raise ValueError(f"the two codings differ in length ({len(a)} vs {len(b)})")
    codes, labels = _encode([list(a), list(b)], categories, order=order)
    codes = codes.reshape(2, len(a))
    both = (codes >= 0).all(axis=0)
    return codes[0, both], codes[1, both], labels


def confusion_matrix(a: Sequence[Any], b: Sequence[Any], categories: Sequence[Any]) -> list[list[int]]:
    """Counts of (a, b) value pairs: rows follow ``a``, columns ``b``, both in ``categories`` order.

    Pairs with a missing value (``None``/NaN) on either side are left out; a value outside
    ``categories`` raises ValueError.
    """
    first, second, labels = _paired_codes(a, b, categories, order="try")
    size = len(labels)
    counts = np.bincount(first * size + second, minlength=size * size).reshape(size, size)
    return counts.tolist()


def cohen_kappa(
    a: Sequence[Any],
    b: Sequence[Any],
    weights: Weights | None = None,
    categories: Sequence[Any] | None = None,
) -> float | None:
    """Cohen's kappa for two coders; weighted (Cohen 1968) with ``weights="linear"|"quadratic"``.

    ``κ = 1 − Σ w_ij p_ij / Σ w_ij e_ij`` with observed proportions ``p_ij``, chance proportions
    ``e_ij = p_i· p_·j`` and disagreement weights ``w_ij = [i ≠ j]`` (unweighted, which equals
    ``(p_o − p_e)/(1 − p_e)``), ``|i − j|`` (linear) or ``(i − j)²`` (quadratic) over the order of
    ``categories`` (else sorted values). Pairs with a missing value on either side are dropped.

    Returns None when no pair is left; 1.0 when chance disagreement is 0 (both coders used one and
    the same value throughout, so p_e = p_o = 1).
    """
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(f"weights must be None, 'linear' or 'quadratic', got {weights!r}")
    first, second, labels = _paired_codes(a, b, categories, order="try" if weights is None else "required")
    if first.size == 0:
        return None
    size = len(labels)
    return cohen_kappa_table(np.bincount(first * size + second, minlength=size * size).reshape(size, size), weights)


def cohen_kappa_table(counts: ArrayLike, weights: Weights | None = None) -> float | None:
    """:func:`cohen_kappa` from the table of (a, b) value counts, rows ``a``, in category order."""
    table = np.asarray(counts)
    total = int(table.sum())
    if total == 0:
        return None
    size = table.shape[0]
    observed = table / total
    chance = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    index = np.arange(size)
    distance = np.abs(index[:, None] - index[None, :]).astype(np.float64)
    if weights is None:
        disagreement = (distance > 0).astype(np.float64)
    elif weights == "linear":
        disagreement = distance
    else:
        disagreement = distance**2
    expected = float((disagreement * chance).sum())
    if expected == 0.0:
        # Chance disagreement is 0 only when both coders used one and the same value throughout.
        return 1.0
    return 1.0 - float((disagreement * observed).sum()) / expected


def fleiss_kappa(counts: ArrayLike) -> float | None:
    """Fleiss' kappa from a units x categories table of how many raters chose each category.

    ``κ = (P̄ − P_e) / (1 − P_e)`` with ``P_i = (Σ_j n_ij² − n) / (n (n − 1))``, ``P̄`` their mean,
    ``p_j = Σ_i n_ij / (N n)`` and ``P_e = Σ_j p_j²``. Every unit must have the same number of
    ratings ``n`` (ValueError otherwise). Returns None for an empty table or fewer than two ratings
    per unit, and 1.0 when every rating falls in one category (P_e = 1).
    """
    table = np.asarray(counts, dtype=np.float64)
    if table.ndim != 2:
        raise ValueError(f"counts must be a units x categories table, got shape {table.shape}")
    if table.shape[0] == 0 or table.shape[1] == 0:
        return None
    if not np.isfinite(table).all() or (table < 0).any() or (table != np.round(table)).any():
        raise ValueError("counts must be non-negative whole numbers")
    raters = table.sum(axis=1)
    unequal = np.flatnonzero(raters != raters[0])
    if unequal.size:
        unit = int(unequal[0])
        raise ValueError(
            f"every unit must have the same number of ratings: unit 0 has {raters[0]:g}, unit {unit} has {raters[unit]:g}"
        )
    n = float(raters[0])
    if n < 2:
        return None
    per_unit = ((table**2).sum(axis=1) - n) / (n * (n - 1))
    shares = table.sum(axis=0) / (table.shape[0] * n)
    chance = float(shares @ shares)
    if chance >= 1.0:
        return 1.0
    return (float(per_unit.mean()) - chance) / (1.0 - chance)
