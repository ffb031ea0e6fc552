"""Agreement over coded units kept as their distinct columns: alpha, observed agreement and
bootstrap intervals equal to those of :mod:`annotator.agreement`, and the same per group of units."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from .agreement import (
    _AlphaProblem,
    _coded_problem,
    _metric,
    _percentile_ci,
    _ragged,
)

__all__ = ["CodedUnits", "GroupStats"]

# Column keys up to this many distinct values are counted densely (no sort).
_DENSE_KEYS = 1 << 20


def _distinct_columns(codes: NDArray[np.int64], n_codes: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The first unit of each distinct column (in key order) and each unit's distinct column."""
    coders, n = codes.shape
    base = n_codes + 1
    if base**coders > _DENSE_KEYS:
        _, first, column = np.unique(codes.T, axis=0, return_index=True, return_inverse=True)
        return first.astype(np.int64), column.reshape(-1).astype(np.int64)
    keys = ((codes + 1) * (base ** np.arange(coders))[:, None]).sum(axis=0)
    seen = np.zeros(base**coders, dtype=bool)
    seen[keys] = True
    distinct = np.flatnonzero(seen)
    lookup = np.zeros(base**coders, dtype=np.int64)
    lookup[distinct] = np.arange(distinct.size)
    column = lookup[keys]
    first = np.full(distinct.size, n, dtype=np.int64)
    first[column[::-1]] = np.arange(n)[::-1]
    return first, column


class GroupStats:
    """One statistic per group of units: alpha (NaN where undefined), observed agreement, and
    the pairable units and distinct values of each group (for the reason a value is undefined)."""

    def __init__(self, units: NDArray[np.int64], n_values: NDArray[np.int64], value: NDArray[np.int64],
                 alpha: NDArray[np.float64], agreement: list[float | None]) -> None:
        self.units = units
        self.n_values = n_values
        self.value = value  # the code of one value of the group (the only one when n_values == 1)
        self.alpha = alpha
        self.agreement = agreement


class CodedUnits:
    """Coder rows over units as integer codes (coders x units, -1 = not coded), kept as the
    distinct unit columns with each unit's column in order.

    ``labels[code]`` is what a code means; ``order`` is how :func:`annotator.agreement._encode`
    would number the values of these rows ("sorted": codes already in the values' order, as for
    numbers; "first_seen": coder by coder, as for label sets), so that per-unit sums run over the
    same values in the same order and every result is the same float as the row functions give
    (see docs/decisions.md for the one exception, per-group MASI alpha).
    """

    def __init__(self, codes: NDArray[np.int64], labels: Sequence[Any],
                 order: Literal["sorted", "first_seen"] = "sorted") -> None:
        first, column = _distinct_columns(codes, len(labels))
        self._setup(codes[:, first], column, first, labels, order)

    def _setup(self, raw: NDArray[np.int64], column: NDArray[np.int64], first: NDArray[np.int64],
               labels: Sequence[Any], order: Literal["sorted", "first_seen"]) -> None:
        coders = raw.shape[0]
        n = self.n_units = int(column.size)
        self.raw_columns, self.column, self.first = raw, column, first
        self.raw_labels, self.order = labels, order
        present = np.unique(raw[raw >= 0])
        if order == "first_seen":
            where = np.arange(coders)[:, None] * n + first[None, :]
            position = np.full(len(labels), coders * n, dtype=np.int64)
            np.minimum.at(position, raw[raw >= 0], where[raw >= 0])
            present = present[np.argsort(position[present], kind="stable")]
        remap = np.full(len(labels) + 1, -1, dtype=np.int64)
        remap[present] = np.arange(present.size)
        self.codes = remap[raw]  # coders x distinct columns, numbered as _encode would
        self.labels = [labels[code] for code in present.tolist()]
        self.raw = present  # the caller's code of each value
        pairable = (self.codes >= 0).sum(axis=0) >= 2
        index = np.cumsum(pairable) - 1
        units = pairable[column]
        self.pairable_units = np.flatnonzero(units)  # the pairable units, in order
        self.copies = index[column[units]]  # the pairable column of each pairable unit
        self._problems: dict[Any, _AlphaProblem | None] = {}

    def subset(self, units: NDArray[np.int64]) -> CodedUnits:
        """The same coders over ``units`` (increasing unit indices) only."""
        used = np.zeros(self.first.size, dtype=bool)
        used[self.column[units]] = True
        kept = np.flatnonzero(used)
        renumber = np.cumsum(used) - 1
        column = renumber[self.column[units]]
        first = np.full(kept.size, units.size, dtype=np.int64)
        first[column[::-1]] = np.arange(units.size)[::-1]
        out = object.__new__(CodedUnits)
        out._setup(self.raw_columns[:, kept], column, first, self.raw_labels, self.order)
        return out

    def derived(self, table: NDArray[np.int64], labels: Sequence[Any]) -> CodedUnits:
        """Each value replaced by ``table[code]`` (-1: missing), the codes of ``labels`` ("sorted")."""
        mapped = np.where(self.raw_columns >= 0, table[self.raw_columns], -1)
        first, column = _distinct_columns(mapped, len(labels))
        # A distinct column here is first met at the first unit of any column it comes from.
        start = np.full(first.size, self.n_units, dtype=np.int64)
        np.minimum.at(start, column, self.first)
        out = object.__new__(CodedUnits)
        out._setup(mapped[:, first], column[self.column], start, labels, "sorted")
        return out

    @property
    def n_pairable(self) -> int:
        return int(self.copies.size)

    def values(self) -> NDArray[np.int64]:
        """The caller's codes of the values in pairable units."""
        sub = self.codes[:, (self.codes >= 0).sum(axis=0) >= 2]
        return self.raw[np.unique(sub[sub >= 0])]

    def problem(self, level: str = "nominal", distance: Callable[[Any, Any], float] | None = None
                ) -> _AlphaProblem | None:
        key = (level, distance)
        if key not in self._problems:
            self._problems[key] = _coded_problem(self.codes, self.labels, _metric(level, self.labels, distance),
                                                 self.copies)
        return self._problems[key]

    def alpha(self, level: str = "nominal", distance: Callable[[Any, Any], float] | None = None) -> float | None:
        problem = self.problem(level, distance)
        return None if problem is None else problem.alpha()

    def bootstrap_ci(self, level: str = "nominal", distance: Callable[[Any, Any], float] | None = None,
                     n_boot: int = 1000, seed: int = 0, ci: float = 0.95) -> tuple[float, float] | None:
        """As :func:`annotator.agreement.bootstrap_alpha_ci` of the rows (the same interval)."""
        problem = self.problem(level, distance)
        return None if problem is None else _percentile_ci(problem, n_boot, seed, ci)

    def _unit_agreement(self) -> NDArray[np.float64]:
        """Each pairable distinct column's share of agreeing coder pairs."""
        problem = self.problem()
        assert problem is not None
        p = problem.pairable
        agreeing = np.bincount(p.entry_unit, weights=p.entry_count * (p.entry_count - 1), minlength=p.n_units)
        m = p.values_per_unit.astype(np.float64)
        return agreeing / (m * (m - 1))

    def agreement(self) -> float | None:
        """As :func:`annotator.agreement.mean_pairwise_agreement` of the rows."""
        if self.n_pairable == 0:
            return None
        return float(np.mean(self._unit_agreement()[self.copies]))

    def by_group(self, group: NDArray[np.int64], n_groups: int, level: str = "nominal",
                 distance: Callable[[Any, Any], float] | None = None) -> GroupStats:
        """Alpha (no bootstrap) and agreement of each group of units (``group[unit]``), at once."""
        problem = self.problem(level, distance)
        units = np.zeros(n_groups, dtype=np.int64)
        if problem is None:
            return GroupStats(units, units.copy(), units.copy(), np.full(n_groups, np.nan), [None] * n_groups)
        p = problem.pairable
        of = group[self.pairable_units]  # the group of each pairable unit
        size = p.n_codes
        units = np.bincount(of, minlength=n_groups)
        # Every pairable unit brings its column's entries to its group's value totals.
        entry_start = np.searchsorted(p.entry_unit, np.arange(p.n_units))
        entry_len = np.bincount(p.entry_unit, minlength=p.n_units)
        take = _ragged(entry_start[self.copies], entry_len[self.copies])
        entry_group = np.repeat(of, entry_len[self.copies])
        totals = np.bincount(entry_group * size + p.entry_code[take], weights=p.entry_count[take],
                             minlength=n_groups * size).reshape(n_groups, size)
        n = totals.sum(axis=1)
        n_values = np.count_nonzero(totals, axis=1)
        value = self.raw[np.argmax(totals > 0, axis=1)]
        metric = problem.metric
        if metric.uses_totals:
            positions = np.cumsum(totals, axis=1) - totals / 2.0
            pair_order = np.argsort(p.pair_unit, kind="stable")
            pair_start = np.searchsorted(p.pair_unit[pair_order], np.arange(p.n_units))
            pair_len = np.bincount(p.pair_unit, minlength=p.n_units)
            pairs = pair_order[_ragged(pair_start[self.copies], pair_len[self.copies])]
            pair_group = np.repeat(of, pair_len[self.copies])
            gap = positions[pair_group, p.pair_c[pairs]] - positions[pair_group, p.pair_k[pairs]]
            observed = np.bincount(pair_group, weights=p.pair_weight[pairs] * gap**2, minlength=n_groups)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = (totals * positions).sum(axis=1) / n
                spread = totals * (positions - mean[:, None]) ** 2
            # Summed value by value, as the scalar dot product over a few values does.
            expected = 2.0 * n * _sequential_sum(spread)
        else:
            observed = np.bincount(of, weights=problem.unit_observed()[self.copies], minlength=n_groups)
            expected = metric.expected_many(totals)
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = 1.0 - (n - 1.0) * observed / expected
        alpha = np.where((n_values < 2) | (expected == 0.0), 1.0, alpha)
        alpha[units == 0] = np.nan
        return GroupStats(units, n_values, value, alpha, self._group_agreement(of, units))

    def _group_agreement(self, of: NDArray[np.int64], units: NDArray[np.int64]) -> list[float | None]:
        # np.mean of each group's values, as mean_pairwise_agreement takes it: its pairwise
        # summation depends on the count, so the groups of one count are one (groups x count)
        # matrix, averaged row by row in one call.
        values = self._unit_agreement()[self.copies][np.argsort(of, kind="stable")]
        starts = np.cumsum(units) - units
        out = np.full(units.size, np.nan)
        for count in np.unique(units[units > 0]).tolist():
            groups = np.flatnonzero(units == count)
            out[groups] = np.mean(values[starts[groups][:, None] + np.arange(count)], axis=1)
        return [None if n == 0 else value for n, value in zip(units.tolist(), out.tolist())]


def _sequential_sum(terms: NDArray[np.float64]) -> NDArray[np.float64]:
    total = terms[:, 0].copy()
    for column in range(1, terms.shape[1]):
        total += terms[:, column]
    return total
