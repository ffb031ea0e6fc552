"""The agreement report: per field, per target, per article and per annotator pair, with bootstrap CIs."""
from __future__ import annotations

import textwrap
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any, Sequence

import numpy as np
from numpy.typing import NDArray

from .. import agreement as ag
from ..model import GOLD_ANNOTATOR, STANCE_VALUES
from ..progress import Progress
from .units import NO_STANCE, STANCE_CATEGORIES, ProjectLabels, Unit, read_project

NO_UNITS = "no unit labelled by two of the annotators"
NOT_CHOSEN = "no annotator chose this frame on these units"
#: Past its five busiest targets, the text report lists a target on its own from this many
#: units (``--json`` has them all).
MIN_TARGET_UNITS = 5


# -- one statistic ----------------------------------------------------------------------------------


@dataclass
class Stat:
    """A coefficient, or None with the reason it is not defined; ``ci`` is a 95% bootstrap interval."""

    value: float | None
    reason: str = ""
    ci: tuple[float, float] | None = None

    def text(self, digits: int = 3) -> str:
        if self.value is None:
            return "n/a"
        return f"{self.value:.{digits}f}"

    def ci_text(self) -> str:
        return f"[{self.ci[0]:.2f}, {self.ci[1]:.2f}]" if self.ci else ""


#: Coder rows over units as float codes, NaN where the annotator did not label the unit.
Matrix = NDArray[np.float64]


def _describe(value: Any) -> str:
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(map(str, value))) + "}" if value else "no frame"
    return str(value)


def _pairable(m: Matrix) -> NDArray[np.bool_]:
    return (~np.isnan(m)).sum(axis=0) >= 2


def _values(m: Matrix) -> NDArray[np.float64]:
    """The distinct codes in the units at least two coders coded."""
    sub = m[:, _pairable(m)]
    return np.unique(sub[~np.isnan(sub)])


def alpha_stat(m: Matrix, level: ag.Level = "nominal", names: Sequence[str] = (),
               n_boot: int = 0, seed: int = 0) -> Stat:
    """Krippendorff's alpha of a code matrix, with the reason when it is not defined.

    ``names[code]`` says what a code means (for "no variation: every value is X"). For ordinal
    data the codes are ranks, so an unused category in between weighs nothing, as it should.
    """
    values = _values(m)
    if values.size == 0:
        return Stat(None, NO_UNITS)
    if values.size == 1:
        # agreement.py calls this 1.0; a report must say it measures nothing.
        code = int(values[0])
        return Stat(None, f"no variation: every value is {names[code] if names else code}")
    value = ag.krippendorff_alpha(m, level=level)
    if value is None:
        return Stat(None, NO_UNITS)
    ci = ag.bootstrap_alpha_ci(m, level=level, n_boot=n_boot, seed=seed) if n_boot > 0 else None
    return Stat(value, ci=ci)


def sets_alpha_stat(rows: Sequence[Sequence[frozenset[str] | None]], n_boot: int = 0,
                    seed: int = 0) -> Stat:
    """Krippendorff's alpha with MASI distance over label sets (None = not labelled)."""
    seen: set[frozenset[str]] = set()
    n = 0
    for column in zip(*rows):
        present = [v for v in column if v is not None]
        if len(present) >= 2:
            n += 1
            seen.update(present)
    if n == 0:
        return Stat(None, NO_UNITS)
    if len(seen) == 1:
        return Stat(None, f"no variation: every value is {_describe(next(iter(seen)))}")
    value = ag.krippendorff_alpha_sets(rows, distance=ag.masi_distance)
    if value is None:
        return Stat(None, NO_UNITS)
    ci = (ag.bootstrap_alpha_ci(rows, distance=ag.masi_distance, n_boot=n_boot, seed=seed)
          if n_boot > 0 else None)
    return Stat(value, ci=ci)


def kappa_stat(a: NDArray[np.float64], b: NDArray[np.float64], n_categories: int,
               weights: ag.Weights | None = None, names: Sequence[str] = ()) -> Stat:
    """Cohen's kappa of two code rows over the units both coded."""
    both = ~(np.isnan(a) | np.isnan(b))
    if not both.any():
        return Stat(None, "no unit labelled by both")
    first, second = a[both].astype(np.int64), b[both].astype(np.int64)
    values = np.unique(np.concatenate([first, second]))
    if values.size == 1:
        code = int(values[0])
        return Stat(None, f"no variation: every value is {names[code] if names else code}")
    value = ag.cohen_kappa(first, second, weights=weights, categories=range(n_categories))
    return Stat(value) if value is not None else Stat(None, "no unit labelled by both")


# -- the report -------------------------------------------------------------------------------------


@dataclass
class FieldResult:
    key: str  # "stance", "stance:<target id>", "frames", "frame:<id>", "irrelevant"
    title: str
    units: int  # units coded by at least two of the annotators
    alpha: Stat  # nominal alpha; MASI alpha for frame sets
    ordinal: Stat | None = None  # stance only: AGAINST < NEUTRAL < FAVOR, "none" left out
    agreement: float | None = None  # observed: share of agreeing annotator pairs
    chosen: int = 0  # labels giving the value (a frame: chosen; stance: a stance, not "none")


@dataclass
class ArticleResult:
    article_id: str
    title: str
    outlet: str | None
    units: int
    fields: list[FieldResult]


@dataclass
class PairResult:
    a: str
    b: str
    units: int  # sentences both labelled
    stance_units: int
    stance_kappa: Stat  # nominal, "none" is a category
    stance_weighted: Stat  # linear weights on AGAINST < NEUTRAL < FAVOR, "none" left out
    frames_alpha: Stat  # MASI alpha of the two
    frames_kappa: Stat  # mean Cohen's kappa over the binary frames either used
    irrelevant_kappa: Stat


@dataclass
class Confusion:
    a: str
    b: str
    categories: list[str]
    matrix: list[list[int]]  # rows: a's stance, columns: b's


@dataclass
class AgreementReport:
    annotators: list[str]
    units: int  # sentences labelled by at least two of the annotators
    labelled: int  # sentences labelled by at least one
    fields: list[FieldResult]
    articles: list[ArticleResult]
    pairs: list[PairResult]
    confusion: Confusion | None = None
    bootstrap: int = 0
    seed: int = 0
    notes: list[str] = field(default_factory=list)

    def field(self, key: str) -> FieldResult:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        return "\n".join(format_report(self))


_NOTES = [
    "units: sentences labelled by at least two of the annotators; gold labels are left out.",
    "stance toward a target is compared on the units that mention it or where anyone gave it a"
    " stance; an annotator who labelled the sentence but gave that target no stance counts as"
    f" '{NO_STANCE}' (a category). Sentences an annotator did not label are missing, not '{NO_STANCE}'.",
    f"ordinal alpha and weighted kappa use AGAINST < NEUTRAL < FAVOR and leave '{NO_STANCE}' out.",
    "frames: each frame as yes/no per unit; frame sets with MASI distance (no frame = empty set).",
    "pairs: 'frame κ' is the mean Cohen's kappa over the frames either annotator used.",
    "agree: observed agreement, the share of annotator pairs giving the same value on a unit.",
]


_YES_NO = ("no", "yes")


@dataclass
class _Fields:
    """Every field as code matrices over the units, built once and sliced per target/article/pair."""

    stance: Matrix  # coders x (unit, target) pairs; codes index STANCE_CATEGORIES
    stance_target: NDArray[np.int64]  # the target of each pair
    stance_unit: NDArray[np.int64]  # the unit (index into units) of each pair
    frames: NDArray[np.float64]  # frames x coders x units: 1 chosen, 0 not
    frame_sets: list[list[frozenset[str] | None]]  # coders x units
    irrelevant: Matrix  # coders x units: 1 irrelevant, 0 not


def _build(units: Sequence[Unit], names: Sequence[str], targets: set[int],
           frame_ids: Sequence[str]) -> _Fields:
    k, n = len(names), len(units)
    code = {c: float(i) for i, c in enumerate(STANCE_CATEGORIES)}
    frame_index = {f: i for i, f in enumerate(frame_ids)}
    stance_cols: list[list[float]] = []
    stance_target: list[int] = []
    stance_unit: list[int] = []
    frames = np.full((len(frame_ids), k, n), np.nan)
    frame_sets: list[list[frozenset[str] | None]] = [[None] * n for _ in names]
    irrelevant = np.full((k, n), np.nan)
    for j, u in enumerate(units):
        labels = [u.labels.get(a) for a in names]
        for i, lab in enumerate(labels):
            if lab is None:
                continue
            frames[:, i, j] = 0.0
            for f in lab.frames:
                frames[frame_index[f], i, j] = 1.0
            frame_sets[i][j] = frozenset(lab.frames)
            irrelevant[i, j] = float(lab.irrelevant)
        relevant = (u.mentioned | {t for lab in labels if lab for t in lab.stance}) & targets
        for t in sorted(relevant):
            stance_cols.append([np.nan if lab is None else code[lab.stance.get(t, NO_STANCE)]
                                for lab in labels])
            stance_target.append(t)
            stance_unit.append(j)
    stance = np.array(stance_cols, dtype=np.float64).T.reshape(k, len(stance_cols))
    return _Fields(stance, np.array(stance_target, dtype=np.int64),
                   np.array(stance_unit, dtype=np.int64), frames, frame_sets, irrelevant)


def _ordinal(m: Matrix) -> Matrix:
    """"none" (the last code) left out: the ordinal scale is AGAINST < NEUTRAL < FAVOR."""
    return np.where(m == STANCE_CATEGORIES.index(NO_STANCE), np.nan, m)


def _agreement(m: Matrix) -> float | None:
    return ag.mean_pairwise_agreement(m) if _pairable(m).any() else None


def _stance_field(key: str, title: str, m: Matrix, n_boot: int, seed: int) -> FieldResult:
    none = STANCE_CATEGORIES.index(NO_STANCE)
    return FieldResult(
        key, title, int(_pairable(m).sum()),
        alpha_stat(m, "nominal", STANCE_CATEGORIES, n_boot, seed),
        alpha_stat(_ordinal(m), "ordinal", STANCE_CATEGORIES, n_boot, seed),
        _agreement(m), int(((m != none) & ~np.isnan(m)).sum()),
    )


def _binary_field(key: str, title: str, m: Matrix, n_boot: int, seed: int) -> FieldResult:
    alpha = alpha_stat(m, "nominal", _YES_NO, n_boot, seed)
    values = _values(m)
    if values.size == 1 and key.startswith("frame:") and values[0] == 0:
        alpha = Stat(None, NOT_CHOSEN)
    elif values.size == 1 and key == "irrelevant":
        alpha = Stat(None, "no variation: every label marks the sentence "
                     + ("irrelevant" if values[0] == 1 else "relevant"))
    return FieldResult(key, title, int(_pairable(m).sum()), alpha, None, _agreement(m),
                       int(np.nansum(m)))


def _sets_field(rows: list[list[frozenset[str] | None]], n_boot: int, seed: int) -> FieldResult:
    n = sum(1 for column in zip(*rows) if sum(v is not None for v in column) >= 2)
    agree = ag.mean_pairwise_agreement(rows) if n else None
    return FieldResult("frames", "frames (MASI)", n, sets_alpha_stat(rows, n_boot, seed), None,
                       agree, sum(1 for row in rows for v in row if v))


def compute_agreement(
    data: ProjectLabels,
    annotators: Sequence[str] | None = None,
    n_boot: int = 0,
    seed: int = 0,
    confusion: tuple[str, str] | None = None,
    per_article: bool = True,
    progress: Progress | None = None,
) -> AgreementReport:
    """The agreement report over ``data`` for ``annotators`` (default: every human annotator)."""
    names = list(annotators) if annotators else [a for a in data.annotators if a != GOLD_ANNOTATOR]
    if GOLD_ANNOTATOR in names:
        raise ValueError("gold labels are not an annotator's: leave 'gold' out")
    chosen = [Unit(u.sentence_id, u.article_id, u.index,
                   {a: lab for a, lab in u.labels.items() if a in names}, u.mentioned)
              for u in data.units]
    labelled = sum(1 for u in chosen if u.labels)
    units = [u for u in chosen if len(u.labels) >= 2]
    stanced = {t for u in units for lab in u.labels.values() for t in lab.stance}
    frame_titles = dict(data.frames)
    used_frames = {f for u in units for lab in u.labels.values() for f in lab.frames}
    frame_ids = [f for f, _ in data.frames] + sorted(used_frames - set(frame_titles))
    articles_of: dict[str, list[int]] = defaultdict(list)
    for j, u in enumerate(units):
        articles_of[u.article_id].append(j)
    prog = progress or Progress()
    steps = 4 + len(stanced) + len(frame_ids) + (len(articles_of) if per_article else 0)
    prog.update(0, steps, "agreement")
    fd = _build(units, names, stanced, frame_ids)
    prog.step("reading labels")

    fields = [_stance_field("stance", "stance (all targets)", fd.stance, n_boot, seed)]
    prog.step("stance")
    per_target = []
    for t in stanced:
        per_target.append(_stance_field(f"stance:{t}", f"stance: {data.targets.get(t, f'target {t}')}",
                                        fd.stance[:, fd.stance_target == t], n_boot, seed))
        prog.step("stance per target")
    fields += sorted(per_target, key=lambda f: (-f.units, f.title))
    fields.append(_sets_field(fd.frame_sets, n_boot, seed))
    prog.step("frame sets")
    for i, fid in enumerate(frame_ids):
        fields.append(_binary_field(f"frame:{fid}", f"frame: {frame_titles.get(fid, fid)}",
                                    fd.frames[i], n_boot, seed))
        prog.step("frames")
    fields.append(_binary_field("irrelevant", "irrelevant", fd.irrelevant, n_boot, seed))
    prog.step("irrelevant")

    articles: list[ArticleResult] = []
    if per_article:
        stance_of: dict[str, list[int]] = defaultdict(list)
        for c, j in enumerate(fd.stance_unit.tolist()):
            stance_of[units[j].article_id].append(c)
        for aid, cols in articles_of.items():
            idx = np.array(cols, dtype=np.int64)
            title, outlet = data.articles.get(aid, (aid, None))
            articles.append(ArticleResult(aid, title, outlet, len(cols), [
                _stance_field("stance", "stance", fd.stance[:, stance_of[aid]], 0, seed),
                _sets_field([[row[j] for j in cols] for row in fd.frame_sets], 0, seed),
                _binary_field("irrelevant", "irrelevant", fd.irrelevant[:, idx], 0, seed),
            ]))
            prog.step("per article")

    pairs = [_pair(fd, names, a, b) for a, b in combinations(names, 2)]
    conf = None if confusion is None else stance_confusion(data.units, *confusion)
    return AgreementReport(names, len(units), labelled, fields, articles, pairs, conf, n_boot,
                           seed, list(_NOTES))


def _pair(fd: _Fields, names: Sequence[str], a: str, b: str) -> PairResult:
    i, j = names.index(a), names.index(b)
    both = ~(np.isnan(fd.irrelevant[i]) | np.isnan(fd.irrelevant[j]))
    # Stance toward the targets either of the two gave a stance to (not a third annotator's).
    none = STANCE_CATEGORIES.index(NO_STANCE)
    sa, sb = fd.stance[i], fd.stance[j]
    rows = both[fd.stance_unit] & ((sa != none) | (sb != none))
    theirs = np.isin(fd.stance_target, np.unique(fd.stance_target[rows]))
    keep = theirs & both[fd.stance_unit]
    sa, sb = sa[keep], sb[keep]
    frame_kappas = []
    for m in fd.frames:
        fa, fb = m[i][both], m[j][both]
        if fa.any() or fb.any():
            k = kappa_stat(fa, fb, 2)
            if k.value is not None:
                frame_kappas.append(k.value)
    if frame_kappas:
        frames_kappa = Stat(float(np.mean(frame_kappas)))
    else:
        frames_kappa = Stat(None, "no frame with variation" if both.any() else "no unit labelled by both")
    sets = [[fd.frame_sets[i][u] for u in np.flatnonzero(both)],
            [fd.frame_sets[j][u] for u in np.flatnonzero(both)]]
    return PairResult(
        a, b, int(both.sum()), int(keep.sum()),
        kappa_stat(sa, sb, len(STANCE_CATEGORIES), names=STANCE_CATEGORIES),
        kappa_stat(_ordinal(sa[None])[0], _ordinal(sb[None])[0], len(STANCE_VALUES), "linear",
                   STANCE_CATEGORIES),
        sets_alpha_stat(sets),
        frames_kappa,
        kappa_stat(fd.irrelevant[i], fd.irrelevant[j], 2, names=_YES_NO),
    )


def stance_confusion(units: Sequence[Unit], a: str, b: str) -> Confusion:
    """Stance of ``a`` (rows) against ``b`` (columns) over the (sentence, target) pairs both coded.

    Targets are those either of the two gave a stance to on a sentence both labelled.
    """
    both = [u for u in units if a in u.labels and b in u.labels]
    targets = {t for u in both for lab in (u.labels[a], u.labels[b]) for t in lab.stance}
    fd = _build(both, [a, b], targets, [f for u in both for lab in u.labels.values()
                                        for f in lab.frames])
    k = len(STANCE_CATEGORIES)
    matrix = np.zeros((k, k), dtype=np.int64)
    if fd.stance.size:
        np.add.at(matrix, (fd.stance[0].astype(np.int64), fd.stance[1].astype(np.int64)), 1)
    return Confusion(a, b, list(STANCE_CATEGORIES), matrix.tolist())


def agreement_report(project: Any, annotators: Sequence[str] | None = None, n_boot: int = 0,
                     seed: int = 0, confusion: tuple[str, str] | None = None,
                     progress: Progress | None = None) -> AgreementReport:
    """Read ``project`` and compute its agreement report (see :func:`compute_agreement`)."""
    known = project.annotators()
    for name in [*(annotators or ()), *(confusion or ())]:
        if name not in known:
            raise ValueError(f"no annotator named {name!r} (known: {', '.join(known) or 'none'})")
    data = read_project(project, progress)
    return compute_agreement(data, annotators, n_boot, seed, confusion, progress=progress)


# -- the report as text ------------------------------------------------------------------------------


def _na(stat: Stat | None, reasons: dict[str, int]) -> str:
    if stat is None:
        return ""
    if stat.value is None:
        number = reasons.setdefault(stat.reason, len(reasons) + 1)
        return f"n/a({number})"
    return stat.text()


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def format_report(r: AgreementReport) -> list[str]:
    reasons: dict[str, int] = {}
    out = [f"Agreement between {', '.join(r.annotators)}: {r.units} units"
           f" ({r.labelled} sentences labelled by any of them)."]
    if r.bootstrap:
        out.append(f"95% intervals: percentile bootstrap over units, {r.bootstrap} resamples,"
                   f" seed {r.seed}.")
    out.append("")
    head = (f"{'field':<40} {'units':>5}  {'alpha':>8} {'95% CI':>14}  {'ordinal':>8}"
            f" {'95% CI':>14}  {'agree':>5}")
    out += [head, "-" * len(head)]
    unused = [f.title.split(": ", 1)[1] for f in r.fields if f.alpha.reason == NOT_CHOSEN]
    # Targets come busiest first; past the first five, those with few units are only counted.
    small = [f for f in r.fields if f.key.startswith("stance:")][5:]
    small = [f for f in small if f.units < MIN_TARGET_UNITS]
    for f in r.fields:
        if f.alpha.reason == NOT_CHOSEN or f in small:
            continue
        if f.key == "frames" and small:
            out.append(f"  {len(small)} more targets with fewer than {MIN_TARGET_UNITS} units each"
                       f" ({sum(x.units for x in small)} units; all in --json)")
        if f.key == "irrelevant" and unused:
            out += textwrap.wrap(f"frames nobody chose (n/a): {', '.join(unused)}", len(head),
                                 initial_indent="  ", subsequent_indent="    ")
        indent = "  " if ":" in f.key else ""
        out.append(
            f"{(indent + f.title)[:40]:<40} {f.units:>5}  {_na(f.alpha, reasons):>8}"
            f" {f.alpha.ci_text():>14}  {_na(f.ordinal, reasons):>8}"
            f" {f.ordinal.ci_text() if f.ordinal else '':>14}  {_pct(f.agreement):>5}")
    if r.pairs:
        out += ["", "Annotator pairs (Cohen's kappa; stance weighted = linear, on the scale)", ""]
        head = (f"{'pair':<24} {'units':>5} {'stance κ':>9} {'κw':>8} {'frames α':>9}"
                f" {'frame κ':>8} {'irrel. κ':>9}")
        out += [head, "-" * len(head)]
        for p in r.pairs:
            out.append(f"{(p.a + ' / ' + p.b)[:24]:<24} {p.units:>5}"
                       f" {_na(p.stance_kappa, reasons):>9} {_na(p.stance_weighted, reasons):>8}"
                       f" {_na(p.frames_alpha, reasons):>9} {_na(p.frames_kappa, reasons):>8}"
                       f" {_na(p.irrelevant_kappa, reasons):>9}")
    if r.articles:
        out += ["", "Per article (alpha)", ""]
        head = (f"{'article':<40} {'outlet':<14} {'units':>5} {'stance':>8} {'ordinal':>8}"
                f" {'frames':>8} {'irrel.':>8}")
        out += [head, "-" * len(head)]
        for a in r.articles:
            st, fr, ir = a.fields
            out.append(f"{a.title[:40]:<40} {(a.outlet or '')[:14]:<14} {a.units:>5}"
                       f" {_na(st.alpha, reasons):>8} {_na(st.ordinal, reasons):>8}"
                       f" {_na(fr.alpha, reasons):>8} {_na(ir.alpha, reasons):>8}")
    if r.confusion is not None:
        c = r.confusion
        out += ["", f"Stance confusion: {c.a} (rows) x {c.b} (columns)", ""]
        out.append(f"{'':<10}" + "".join(f"{k:>9}" for k in c.categories))
        for k, row in zip(c.categories, c.matrix):
            out.append(f"{k:<10}" + "".join(f"{v:>9}" for v in row))
    if reasons:
        out += ["", "n/a:"] + [f"  ({n}) {reason}" for reason, n in reasons.items()]
    out += ["", "Notes:"]
    for note in r.notes:
        out += textwrap.wrap(note, 100, initial_indent="  - ", subsequent_indent="    ")
    return out


