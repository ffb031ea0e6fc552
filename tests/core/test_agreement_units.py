"""CodedUnits (distinct unit columns) against the row functions of annotator.agreement: the same
floats for alpha, agreement and intervals, over the whole data, subsets, derived codes and groups."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from annotator import agreement as ag
from annotator.agreement_units import CodedUnits

SETS = [frozenset(), frozenset({"a"}), frozenset({"b"}), frozenset({"a", "b"})]


def _data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 300))
    truth = rng.integers(0, 4, n)
    codes = np.where(rng.random((3, n)) < 0.7, truth, rng.integers(0, 4, (3, n)))
    codes[rng.random((3, n)) < 0.2] = -1
    return codes, np.where(codes < 0, np.nan, codes.astype(float))


def _rows(codes: np.ndarray) -> list[list[Any]]:
    return [[None if c < 0 else SETS[c] for c in row] for row in codes]


def _pairable(m: np.ndarray) -> bool:
    return bool(((~np.isnan(m)).sum(axis=0) >= 2).any())


@pytest.mark.parametrize("seed", range(12))
def test_same_floats_as_the_row_functions(seed: int) -> None:
    codes, m = _data(seed)
    nominal = CodedUnits(codes, [0, 1, 2, 3])
    assert nominal.alpha() == ag.krippendorff_alpha(m)
    assert nominal.agreement() == ag.mean_pairwise_agreement(m)
    assert nominal.bootstrap_ci(n_boot=40, seed=2) == ag.bootstrap_alpha_ci(m, n_boot=40, seed=2)
    ordinal = nominal.derived(np.array([0, 1, 2, -1]), [0, 1, 2])
    mo = np.where(m == 3, np.nan, m)
    if _pairable(mo):
        assert ordinal.alpha("ordinal") == ag.krippendorff_alpha(mo, "ordinal")
        assert ordinal.bootstrap_ci("ordinal", n_boot=40, seed=2) == ag.bootstrap_alpha_ci(
            mo, "ordinal", n_boot=40, seed=2)
    sets = CodedUnits(codes, SETS, order="first_seen")
    assert sets.alpha(distance=ag.masi_distance) == ag.krippendorff_alpha_sets(_rows(codes))
    assert sets.bootstrap_ci(distance=ag.masi_distance, n_boot=40, seed=2) == ag.bootstrap_alpha_ci(
        _rows(codes), distance=ag.masi_distance, n_boot=40, seed=2)
    binary = sets.derived(np.array([0, 1, 0, 1]), [0, 1])
    assert binary.alpha() == ag.krippendorff_alpha(np.where(codes < 0, np.nan, codes % 2))
    chosen = np.flatnonzero(np.random.default_rng(seed).random(codes.shape[1]) < 0.5)
    if _pairable(m[:, chosen]):
        assert nominal.subset(chosen).alpha() == ag.krippendorff_alpha(m[:, chosen])
        assert sets.subset(chosen).alpha(distance=ag.masi_distance) == ag.krippendorff_alpha_sets(
            [[row[i] for i in chosen] for row in _rows(codes)])


@pytest.mark.parametrize("seed", range(12))
def test_groups_at_once_as_one_by_one(seed: int) -> None:
    codes, m = _data(seed)
    group = np.random.default_rng(seed + 100).integers(0, 7, codes.shape[1])
    group[: codes.shape[1] // 2] = 0  # one big group: over 128 units, numpy sums it in halves
    nominal = CodedUnits(codes, [0, 1, 2, 3])
    ordinal = nominal.derived(np.array([0, 1, 2, -1]), [0, 1, 2])
    sets = CodedUnits(codes, SETS, order="first_seen")
    cases = [(nominal, m, "nominal", None), (ordinal, np.where(m == 3, np.nan, m), "ordinal", None),
             (sets, None, "nominal", ag.masi_distance)]
    for data, matrix, level, distance in cases:
        stats = data.by_group(group, 7, level, distance)
        for g in range(7):
            if distance is None:
                sub: Any = matrix[:, group == g]
                alpha = ag.krippendorff_alpha(sub, level) if _pairable(sub) else None
            else:
                sub = [[row[i] for i in np.flatnonzero(group == g)] for row in _rows(codes)]
                alpha = ag.krippendorff_alpha_sets(sub)
            got = None if np.isnan(stats.alpha[g]) else float(stats.alpha[g])
            if distance is None:
                assert got == alpha
            else:  # summed in another order: the last bit may differ (docs/decisions.md)
                assert got == pytest.approx(alpha, rel=0, abs=1e-12) if alpha is not None else got is None
            assert stats.agreement[g] == (ag.mean_pairwise_agreement(sub) if alpha is not None else None)
