"""Agreement statistics against published examples, hand computations and a naive reference."""
from __future__ import annotations

import itertools
import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.agreement import (
    bootstrap_alpha_ci,
    cohen_kappa,
    confusion_matrix,
    fleiss_kappa,
    jaccard_distance,
    krippendorff_alpha,
    krippendorff_alpha_sets,
    masi_distance,
    mean_pairwise_agreement,
    percent_agreement,
)

_ = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 coders x 12 units.
KRIPPENDORFF_2011: list[list[int | None]] = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
]

# Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 5 categories, 14 raters each.
FLEISS_WIKIPEDIA = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def _wikipedia_cohen() -> tuple[list[str], list[str]]:
    """Wikipedia, "Cohen's kappa": 50 proposals, yes/yes 20, yes/no 5, no/yes 10, no/no 15."""
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    return a, b


# --------------------------------------------------------------------------- naive references


def reference_alpha(data: Sequence[Sequence[Any]], level: str) -> float | None:
    """Krippendorff (2011) step by step: coincidence matrix, metric, alpha. Slow and obvious."""
    coincidences: dict[tuple[Any, Any], float] = defaultdict(float)
    totals: Counter[Any] = Counter()
    for unit in zip(*data):
        values = [value for value in unit if value is not None]
        if len(values) < 2:
            continue
        totals.update(values)
        for i, j in itertools.permutations(range(len(values)), 2):
            coincidences[values[i], values[j]] += 1 / (len(values) - 1)
    if not totals:
        return None
    order = sorted(totals)
    n = sum(totals.values())

    def delta(c: Any, k: Any) -> float:
        if level == "nominal":
            return float(c != k)
        if level == "ordinal":
            low, high = sorted((order.index(c), order.index(k)))
            between = sum(totals[g] for g in order[low : high + 1])
            return (between - (totals[c] + totals[k]) / 2) ** 2
        if level == "interval":
            return float((c - k) ** 2)
        return float(((c - k) / (c + k)) ** 2) if c + k else 0.0

    observed = sum(count * delta(c, k) for (c, k), count in coincidences.items())
    expected = sum(totals[c] * totals[k] * delta(c, k) for c in order for k in order)
    if expected == 0:
        return 1.0
    return 1 - (n - 1) * observed / expected


def reference_kappa(a: Sequence[Any], b: Sequence[Any], weights: str | None, categories: Sequence[Any]) -> Fraction:
    """Weighted kappa in exact fractions, as scikit-learn writes it: 1 - Σ w·C / Σ w·E."""
    size = len(categories)
    index = {category: i for i, category in enumerate(categories)}
    table = [[Fraction(0)] * size for _ in range(size)]
    for x, y in zip(a, b):
        table[index[x]][index[y]] += 1
    total = sum(map(sum, table))
    rows = [sum(row) for row in table]
    cols = [sum(table[i][j] for i in range(size)) for j in range(size)]

    def weight(i: int, j: int) -> int:
        if weights is None:
            return int(i != j)
        return abs(i - j) if weights == "linear" else (i - j) ** 2

    observed = sum(weight(i, j) * table[i][j] for i in range(size) for j in range(size))
    expected = sum(weight(i, j) * rows[i] * cols[j] / total for i in range(size) for j in range(size))
    return 1 - observed / expected


# --------------------------------------------------------------------------- published examples


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_example(level: str, published: float) -> None:
    assert krippendorff_alpha(KRIPPENDORFF_2011, level) == pytest.approx(published, abs=5e-4)  # type: ignore[arg-type]
    as_array = np.array(KRIPPENDORFF_2011, dtype=float)  # None becomes NaN: the ndarray fast path
    assert krippendorff_alpha(as_array, level) == pytest.approx(published, abs=5e-4)  # type: ignore[arg-type]


def test_krippendorff_2011_exact_values() -> None:
    # More digits than the paper prints, to pin the formula rather than the rounding.
    assert krippendorff_alpha(KRIPPENDORFF_2011) == pytest.approx(0.7434210526, abs=1e-9)
    assert krippendorff_alpha(KRIPPENDORFF_2011, "interval") == pytest.approx(0.8491071429, abs=1e-9)


def test_ordinal_uses_category_order_not_labels() -> None:
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
    as_words = [[None if v is None else words[v] for v in row] for row in KRIPPENDORFF_2011]
    alpha = krippendorff_alpha(as_words, "ordinal", categories=("one", "two", "three", "four", "five"))
    assert alpha == pytest.approx(0.815, abs=5e-4)
    # Unused categories in between change nothing: the ordinal metric weighs by frequencies.
    padded = krippendorff_alpha(KRIPPENDORFF_2011, "ordinal", categories=(0, 1, 2, 3, 4, 5, 6))
    assert padded == pytest.approx(0.815, abs=5e-4)


def test_fleiss_wikipedia_example() -> None:
    assert fleiss_kappa(FLEISS_WIKIPEDIA) == pytest.approx(0.210, abs=5e-4)
    assert fleiss_kappa(np.array(FLEISS_WIKIPEDIA)) == pytest.approx(0.20993, abs=1e-5)


def test_cohen_wikipedia_example() -> None:
    a, b = _wikipedia_cohen()
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert percent_agreement(a, b) == pytest.approx(0.7)
    assert confusion_matrix(a, b, ("yes", "no")) == [[20, 5], [10, 15]]
    # With two categories every weighting is the same disagreement, so the same kappa.
    assert cohen_kappa(a, b, "linear") == pytest.approx(0.4)
    assert cohen_kappa(a, b, "quadratic") == pytest.approx(0.4)


def test_weighted_kappa_hand_computed() -> None:
    # Pairs (0,0) (0,1) (0,2) (1,1) (1,2) (2,2); rows 3,2,1; columns 1,2,3. By hand:
    # unweighted p_o = 1/2, p_e = 10/36 -> 4/13; linear 1 - (4/6)/(36/36) = 1/3;
    # quadratic 1 - (6/6)/(56/36) = 5/14.
    a = [0, 0, 0, 1, 1, 2]
    b = [0, 1, 2, 1, 2, 2]
    assert cohen_kappa(a, b) == pytest.approx(4 / 13)
    assert cohen_kappa(a, b, "linear") == pytest.approx(1 / 3)
    assert cohen_kappa(a, b, "quadratic") == pytest.approx(5 / 14)
    for weights in (None, "linear", "quadratic"):
        assert cohen_kappa(a, b, weights) == pytest.approx(float(reference_kappa(a, b, weights, (0, 1, 2))))  # type: ignore[arg-type]


def test_weighted_kappa_follows_given_category_order() -> None:
    stances = ("AGAINST", "NEUTRAL", "FAVOR")
    a = ["AGAINST", "AGAINST", "NEUTRAL", "FAVOR", "FAVOR", "NEUTRAL", "AGAINST", "FAVOR"]
    b = ["FAVOR", "AGAINST", "NEUTRAL", "NEUTRAL", "FAVOR", "FAVOR", "AGAINST", "AGAINST"]
    got = cohen_kappa(a, b, "linear", categories=stances)
    assert got == pytest.approx(1 / 5)
    assert got == pytest.approx(float(reference_kappa(a, b, "linear", stances)))
    # Sorted order (AGAINST, FAVOR, NEUTRAL) puts FAVOR next to AGAINST: a different scale.
    assert cohen_kappa(a, b, "linear") == pytest.approx(11 / 27)
    assert confusion_matrix(a, b, stances) == [[2, 0, 1], [0, 1, 1], [1, 1, 1]]


# --------------------------------------------------------------------------- sets and MASI


def test_masi_and_jaccard_distances() -> None:
    ab, a, bc, c = frozenset("ab"), frozenset("a"), frozenset("bc"), frozenset("c")
    assert masi_distance(ab, frozenset("ba")) == 0.0
    assert masi_distance(a, ab) == pytest.approx(1 - 1 / 2 * 2 / 3)  # subset
    assert masi_distance(ab, bc) == pytest.approx(1 - 1 / 3 * 1 / 3)  # overlap
    assert masi_distance(a, c) == 1.0  # disjoint
    assert masi_distance(frozenset(), frozenset()) == 0.0
    assert masi_distance(frozenset(), a) == 1.0
    assert [jaccard_distance(x, y) for x, y in [(ab, ab), (a, ab), (ab, bc), (a, c)]] == pytest.approx(
        [0.0, 0.5, 2 / 3, 1.0]
    )
    assert jaccard_distance(frozenset(), frozenset()) == 0.0


def test_alpha_sets_hand_computed() -> None:
    # Unit 1: {A} vs {A,B} (MASI 2/3); unit 2: {B} vs {B}. n = 4, Σoδ = 2·2/3,
    # Σ n_c n_k δ = 2(2/3 + 2·1 + 2·2/3) = 8, so α = 1 - 3·(4/3)/8 = 0.5.
    data = [[{"A"}, {"B"}], [{"A", "B"}, {"B"}]]
    assert krippendorff_alpha_sets(data) == pytest.approx(0.5)


@pytest.mark.parametrize("distance", [masi_distance, jaccard_distance, lambda a, b: float(a != b)])
def test_alpha_sets_of_singletons_is_nominal_alpha(distance: Callable[[Any, Any], float]) -> None:
    singletons = [[None if v is None else {v} for v in row] for row in KRIPPENDORFF_2011]
    assert krippendorff_alpha_sets(singletons, distance) == pytest.approx(0.743421052631579)


def test_alpha_sets_strings_are_single_labels_and_empty_set_is_a_value() -> None:
    as_strings = [[None if v is None else str(v) for v in row] for row in KRIPPENDORFF_2011]
    assert krippendorff_alpha_sets(as_strings) == pytest.approx(0.743421052631579)
    # An empty set is a coded "no frame": it disagrees with {A}; None would have been skipped.
    assert krippendorff_alpha_sets([[set(), {"A"}], [{"A"}, {"A"}]]) == pytest.approx(0.0)
    assert krippendorff_alpha_sets([[None, {"A"}], [{"A"}, {"A"}]]) == 1.0


def test_vectorised_set_distances_match_the_scalar_functions() -> None:
    rng = random.Random(7)
    frames = "ABCDEFG"
    base = [frozenset(rng.sample(frames, rng.randint(0, 3))) for _ in range(300)]

    def vary(labels: frozenset[str]) -> frozenset[str] | None:
        roll = rng.random()
        if roll < 0.1:
            return None
        if roll < 0.5:
            return labels
        return frozenset(rng.sample(frames, rng.randint(0, 3))) | set(list(labels)[:1])

    data = [[vary(labels) for labels in base] for _ in range(3)]
    for distance in (masi_distance, jaccard_distance):
        vectorised = krippendorff_alpha_sets(data, distance)
        one_by_one = krippendorff_alpha_sets(data, lambda a, b, d=distance: d(a, b))  # a new function: the slow path
        assert vectorised == pytest.approx(one_by_one, abs=1e-12)


# --------------------------------------------------------------------------- degenerate cases


def test_no_pairable_units_gives_none() -> None:
    lonely = [[1, None, None], [None, 2, None]]
    assert krippendorff_alpha(lonely) is None
    assert krippendorff_alpha([]) is None
    assert krippendorff_alpha([[1, 2, 3]]) is None  # one coder
    assert krippendorff_alpha_sets([[{"A"}, None], [None, {"B"}]]) is None
    assert bootstrap_alpha_ci(lonely) is None
    assert mean_pairwise_agreement(lonely) is None
    assert percent_agreement([1, None], [None, 2]) is None
    assert cohen_kappa([1, None], [None, 2]) is None
    assert fleiss_kappa([[1, 0], [0, 1]]) is None  # one rating per unit
    assert fleiss_kappa(np.zeros((0, 3))) is None


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_constant_value_is_perfect_agreement(level: str) -> None:
    constant = [[3, 3, None, 3], [3, 3, 3, None], [None, 3, 3, 3]]
    assert krippendorff_alpha(constant, level) == 1.0  # type: ignore[arg-type]
    assert bootstrap_alpha_ci(constant, level, n_boot=20) == (1.0, 1.0)  # type: ignore[arg-type]


def test_units_with_one_value_are_skipped() -> None:
    # Unit 13 gets one value (7), unit 14 none: neither is pairable.
    extended = [row + [extra, None] for row, extra in zip(KRIPPENDORFF_2011, [7, None, None, None])]
    assert krippendorff_alpha(extended) == pytest.approx(krippendorff_alpha(KRIPPENDORFF_2011))


def test_kappa_degenerate_marginals() -> None:
    assert cohen_kappa(["x"] * 4, ["x"] * 4) == 1.0
    assert cohen_kappa(["x"] * 4, ["x"] * 4, "quadratic", categories=("x", "y", "z")) == 1.0
    assert cohen_kappa(["x"] * 4, ["y"] * 4) == 0.0  # p_o = p_e = 0
    assert fleiss_kappa([[3, 0], [3, 0]]) == 1.0


def test_nan_counts_as_missing() -> None:
    with_nan = [[math.nan if v is None else v for v in row] for row in KRIPPENDORFF_2011]
    assert krippendorff_alpha(with_nan) == pytest.approx(0.743421052631579)
    assert cohen_kappa([1, math.nan, 2], [1, 2, 2]) == 1.0


def test_invalid_input_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="same number of ratings"):
        fleiss_kappa([[1, 2], [2, 2]])
    with pytest.raises(ValueError, match="whole numbers"):
        fleiss_kappa([[1, -1], [0, 0]])
    with pytest.raises(ValueError, match="same units"):
        krippendorff_alpha([[1, 2], [1]])
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha(KRIPPENDORFF_2011, "cardinal")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not one of the categories"):
        krippendorff_alpha([["FAVOR", "MAYBE"], ["FAVOR", "FAVOR"]], categories=("AGAINST", "FAVOR"))
    with pytest.raises(ValueError, match="numeric"):
        krippendorff_alpha([["FAVOR", "AGAINST"], ["FAVOR", "FAVOR"]], "interval")
    with pytest.raises(ValueError, match="categories"):
        krippendorff_alpha([[1, "a"], [1, "a"]], "ordinal")
    with pytest.raises(ValueError, match="non-negative"):
        krippendorff_alpha([[-1, 2], [1, 2]], "ratio")
    with pytest.raises(ValueError, match="length"):
        cohen_kappa([1, 2], [1])
    with pytest.raises(ValueError, match="weights"):
        cohen_kappa([1, 2], [1, 2], "cubic")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="krippendorff_alpha_sets"):
        krippendorff_alpha([[{"A"}], [{"A"}]])
    with pytest.raises(ValueError, match="either"):
        bootstrap_alpha_ci(KRIPPENDORFF_2011, "ordinal", distance=masi_distance)


# --------------------------------------------------------------------------- bootstrap


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 3, 400)
    data = np.where(rng.random((3, 400)) < 0.7, truth, rng.integers(0, 3, (3, 400))).astype(float)
    data[rng.random((3, 400)) < 0.1] = np.nan
    for level in ("nominal", "ordinal", "interval"):
        alpha = krippendorff_alpha(data, level)  # type: ignore[arg-type]
        assert alpha is not None
        low, high = bootstrap_alpha_ci(data, level, n_boot=300, seed=11)  # type: ignore[arg-type,misc]
        assert low < alpha < high
        assert high - low < 0.2
        assert bootstrap_alpha_ci(data, level, n_boot=300, seed=11) == (low, high)  # type: ignore[arg-type]
    assert bootstrap_alpha_ci(data, n_boot=300, seed=12) != bootstrap_alpha_ci(data, n_boot=300, seed=11)
    wide = bootstrap_alpha_ci(data, n_boot=300, seed=11, ci=0.99)
    narrow = bootstrap_alpha_ci(data, n_boot=300, seed=11, ci=0.5)
    assert wide is not None and narrow is not None
    assert wide[0] <= narrow[0] <= narrow[1] <= wide[1]


def _resample(data: Any, level: str, distance: Any, seed: int) -> np.ndarray:
    """The units (columns) of the first bootstrap replicate of ``seed``: U copies over the
    distinct unit patterns, each pattern's copies taken from its first unit; drawn one by one
    when there are many patterns (as here: 11 units), else as one multinomial draw."""
    from annotator.agreement import _problem

    problem = _problem(data, level, None, distance)
    assert problem is not None
    units, copies = problem.pairable.patterns()
    n = int(copies.sum())
    rng = np.random.default_rng(seed)
    if units.size * 3 > n:
        return units[np.repeat(np.arange(units.size), copies)[rng.integers(0, n, size=(1, n))[0]]]
    return np.repeat(units, rng.multinomial(n, copies / n))


@pytest.mark.parametrize("level", ["nominal", "ordinal", "ratio"])
def test_bootstrap_replicate_is_alpha_of_resampled_units(level: str) -> None:
    # Every unit of the example without its last column is pairable, so one replicate must be
    # exactly the alpha of the columns the seeded generator draws (copies per unit pattern).
    data = np.array(KRIPPENDORFF_2011, dtype=float)[:, :11]
    picks = _resample(data, level, None, 5)
    expected = krippendorff_alpha(data[:, picks], level)  # type: ignore[arg-type]
    low, high = bootstrap_alpha_ci(data, level, n_boot=1, seed=5)  # type: ignore[arg-type,misc]
    assert low == pytest.approx(expected) and high == pytest.approx(expected)


def test_bootstrap_sets_variant() -> None:
    frames = [[None if v is None else {f"F{v}", "COMMON"} for v in row] for row in KRIPPENDORFF_2011]
    alpha = krippendorff_alpha_sets(frames)
    assert alpha is not None
    ci = bootstrap_alpha_ci(frames, distance=masi_distance, n_boot=400, seed=1)
    assert ci is not None and ci[0] <= alpha <= ci[1]
    data = [row[:11] for row in frames]
    picks = _resample(data, "nominal", jaccard_distance, 2)
    resampled = [[row[i] for i in picks] for row in data]
    one = bootstrap_alpha_ci(data, distance=jaccard_distance, n_boot=1, seed=2)
    assert one is not None
    assert one[0] == pytest.approx(krippendorff_alpha_sets(resampled, jaccard_distance))


# --------------------------------------------------------------------------- properties

small_values = st.one_of(st.none(), st.integers(1, 5))


@st.composite
def reliability_tables(draw: st.DrawFn) -> list[list[int | None]]:
    coders = draw(st.integers(2, 4))
    units = draw(st.integers(1, 10))
    return [draw(st.lists(small_values, min_size=units, max_size=units)) for _ in range(coders)]


@settings(max_examples=150, deadline=None)
@given(reliability_tables(), st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_alpha_matches_the_step_by_step_reference(data: list[list[int | None]], level: str) -> None:
    expected = reference_alpha(data, level)
    got = krippendorff_alpha(data, level)  # type: ignore[arg-type]
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(reliability_tables(), st.sampled_from(["nominal", "ordinal", "interval"]), st.randoms(use_true_random=False))
def test_alpha_ignores_the_order_of_coders_and_units(
    data: list[list[int | None]], level: str, rnd: random.Random
) -> None:
    coders = list(data)
    rnd.shuffle(coders)
    columns = list(range(len(data[0])))
    rnd.shuffle(columns)
    shuffled = [[row[i] for i in columns] for row in coders]
    before = krippendorff_alpha(data, level)  # type: ignore[arg-type]
    after = krippendorff_alpha(shuffled, level)  # type: ignore[arg-type]
    assert (before is None) == (after is None)
    if before is not None:
        assert after == pytest.approx(before, abs=1e-9)
    sets_before = krippendorff_alpha_sets([[None if v is None else set(range(v)) for v in row] for row in data])
    sets_after = krippendorff_alpha_sets([[None if v is None else set(range(v)) for v in row] for row in shuffled])
    assert (sets_before is None) == (sets_after is None)
    if sets_before is not None:
        assert sets_after == pytest.approx(sets_before, abs=1e-9)


pairs = st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("abc")), min_size=1, max_size=30)


@settings(max_examples=100, deadline=None)
@given(pairs, st.sampled_from([None, "linear", "quadratic"]))
def test_kappa_is_symmetric_and_matches_exact_reference(
    coded: list[tuple[str, str]], weights: str | None
) -> None:
    a = [x for x, _ in coded]
    b = [y for _, y in coded]
    forward = cohen_kappa(a, b, weights)  # type: ignore[arg-type]
    backward = cohen_kappa(b, a, weights)  # type: ignore[arg-type]
    assert forward is not None and backward == pytest.approx(forward, abs=1e-12)
    if len(set(a)) == len(set(b)) == 1 and a[0] == b[0]:
        assert forward == 1.0
    else:
        assert forward == pytest.approx(float(reference_kappa(a, b, weights, sorted(set(a) | set(b)))), abs=1e-12)
    assert percent_agreement(a, b) == pytest.approx(sum(x == y for x, y in coded) / len(coded))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.frozensets(st.sampled_from("ABCD"), max_size=4), min_size=1, max_size=6),
    st.lists(st.frozensets(st.sampled_from("ABCD"), max_size=4), min_size=1, max_size=6),
)
def test_set_distances_are_symmetric_and_bounded(left: list[frozenset[Hashable]], right: list[frozenset[Hashable]]) -> None:
    for x, y in zip(left, right):
        for distance in (masi_distance, jaccard_distance):
            assert distance(x, y) == pytest.approx(distance(y, x))
            assert 0.0 <= distance(x, y) <= 1.0
            assert (distance(x, y) == 0.0) == (x == y)


def test_alpha_matches_nltk_reference_values() -> None:
    """Cross-check against an independent implementation (values computed once with NLTK)."""
    import json
    from pathlib import Path

    from annotator import agreement as ag_

    ref = json.loads((Path(__file__).resolve().parent.parent / "data" /
                      "nltk_alpha_reference.json").read_text())
    for case in ref["cases"]:
        sets = [[None if x is None else frozenset(x) for x in row] for row in case["rows_sets"]]
        assert round(ag_.krippendorff_alpha_sets(sets, ag_.masi_distance), 10) == round(case["masi"], 10)
        assert round(ag_.krippendorff_alpha(case["rows_nom"], "nominal"), 10) == round(case["nominal"], 10)
        assert round(ag_.krippendorff_alpha(case["rows_int"], "interval"), 10) == round(case["interval"], 10)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio", "masi", "jaccard", "custom"])
def test_vectorised_bootstrap_matches_scalar_alpha_on_every_resample(level: str) -> None:
    # The bootstrap computes a block of replicates at once; each must be the scalar alpha of the
    # same resample: copies of each unit pattern drawn from the same seeded generator.
    from annotator.agreement import _bootstrap_replicates, _problem

    rng = np.random.default_rng(21)
    truth = rng.integers(1, 5, 300)
    data = np.where(rng.random((3, 300)) < 0.6, truth, rng.integers(1, 5, (3, 300))).astype(float)
    data[rng.random((3, 300)) < 0.25] = np.nan
    if level in ("masi", "jaccard", "custom"):
        sets = [[None if np.isnan(v) else {f"F{int(v)}"} | ({"X"} if v > 2 else set()) for v in row]
                for row in data]
        distance = {"masi": masi_distance, "jaccard": jaccard_distance,
                    "custom": lambda a, b: 0.0 if a == b else 0.25 + 0.1 * len(a ^ b)}[level]
        problem = _problem(sets, "nominal", None, distance)
    else:
        problem = _problem(data, level, None, None)
    assert problem is not None
    n_units = problem.pairable.n_units
    units, copies = problem.pairable.patterns()
    assert copies.sum() == n_units and units.size < n_units  # interchangeable units share a pattern
    draws = np.random.default_rng(8).multinomial(n_units, copies / n_units, size=157)
    freq = np.zeros((157, n_units), dtype=np.int64)
    freq[:, units] = draws
    scalar = np.array([problem.alpha(row) for row in freq])
    vectorised = _bootstrap_replicates(problem, 157, 8)
    assert units.size * 3 <= n_units  # the multinomial draw, not units one by one
    assert np.unique(scalar).size > 50  # the resamples differ, so the comparison means something
    np.testing.assert_allclose(vectorised, scalar, rtol=0, atol=1e-12)
