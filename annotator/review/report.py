"""The agreement report: per field, per target, per article and per annotator pair, with bootstrap CIs."""
from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any, Sequence

import numpy as np

from .. import agreement as ag
from ..agreement_units import CodedUnits, GroupStats
from ..machine import usable_cores
from ..model import GOLD_ANNOTATOR, STANCE_VALUES
from ..progress import Progress
from .coded import NONE_CODE, Fields, Ints, LabelArrays, arrays_of, build_fields, read_arrays
from .units import NO_STANCE, STANCE_CATEGORIES, ProjectLabels, Unit

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


def _describe(value: Any) -> str:
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(map(str, value))) + "}" if value else "no frame"
    return str(value)


def _alpha(data: CodedUnits, level: str, n_boot: int, seed: int, distance: Any = None) -> Stat:
    """Krippendorff's alpha with the reason when it is not defined (a constant measures nothing,
    though agreement.py calls it 1.0); a 95% bootstrap interval when ``n_boot``."""
    values = data.values()
    if values.size == 0:
        return Stat(None, NO_UNITS)
    if values.size == 1:
        return Stat(None, f"no variation: every value is {_describe(data.raw_labels[int(values[0])])}")
    value = data.alpha(level, distance)
    if value is None:
        return Stat(None, NO_UNITS)
    return Stat(value, ci=data.bootstrap_ci(level, distance, n_boot, seed) if n_boot > 0 else None)


def _group_alphas(groups: GroupStats, names: Sequence[Any]) -> list[Stat]:
    out = []
    for units, n_values, value, alpha in zip(groups.units.tolist(), groups.n_values.tolist(),
                                             groups.value.tolist(), groups.alpha.tolist()):
        if units == 0:
            out.append(Stat(None, NO_UNITS))
        elif n_values == 1:
            out.append(Stat(None, f"no variation: every value is {_describe(names[value])}"))
        else:
            out.append(Stat(alpha))
    return out


def _kappa(a: Ints, b: Ints, n_categories: int, weights: ag.Weights | None = None,
           names: Sequence[str] = ()) -> Stat:
    """Cohen's kappa of two code rows (-1 = not coded) over the units both coded."""
    both = (a >= 0) & (b >= 0)
    table = np.bincount(a[both] * n_categories + b[both], minlength=n_categories**2)
    return _table_kappa(table.reshape(n_categories, n_categories), weights, names)


def _table_kappa(table: Ints, weights: ag.Weights | None = None, names: Sequence[str] = ()) -> Stat:
    """Cohen's kappa of a table of (a, b) value counts."""
    if not table.any():
        return Stat(None, "no unit labelled by both")
    used = np.flatnonzero(table.sum(axis=0) + table.sum(axis=1))
    if used.size == 1:
        code = int(used[0])
        return Stat(None, f"no variation: every value is {names[code] if names else code}")
    value = ag.cohen_kappa_table(table, weights)
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
#: Stance codes on the ordinal scale AGAINST < NEUTRAL < FAVOR: "none" (the last code) left out.
_ORDINAL = np.array([0, 1, 2, -1], dtype=np.int64)


#: Mean stance columns per target from which the per-target intervals are computed in threads.
THREADED_COLUMNS = 1000


def _in_threads(fn: Callable[[Any], Any], items: list[Any], worth_it: bool) -> Iterator[Any]:
    """``fn`` of each item, in order. Where ``worth_it`` (bootstrap intervals: numpy draws them
    without the GIL) and there are cores to spare, computed in a thread per core; a caller that
    stops early (cancelled) leaves nothing running: the items not started are dropped."""
    cores = usable_cores()
    if not worth_it or cores < 2 or len(items) < 2:
        yield from map(fn, items)
        return
    pool = ThreadPoolExecutor(cores, thread_name_prefix="agreement")
    try:
        for future in [pool.submit(fn, item) for item in items]:
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _stance_field(key: str, title: str, nominal: CodedUnits, ordinal: CodedUnits, chosen: int,
                  n_boot: int, seed: int) -> FieldResult:
    return FieldResult(key, title, nominal.n_pairable, _alpha(nominal, "nominal", n_boot, seed),
                       _alpha(ordinal, "ordinal", n_boot, seed), nominal.agreement(), chosen)


def _binary_alpha(key: str, alpha: Stat, values: Ints) -> Stat:
    if values.size == 1 and key.startswith("frame:") and values[0] == 0:
        return Stat(None, NOT_CHOSEN)
    if values.size == 1 and key == "irrelevant":
        return Stat(None, "no variation: every label marks the sentence "
                    + ("irrelevant" if values[0] == 1 else "relevant"))
    return alpha


def _binary_field(key: str, title: str, data: CodedUnits, chosen: int, n_boot: int, seed: int) -> FieldResult:
    alpha = _binary_alpha(key, _alpha(data, "nominal", n_boot, seed), data.values())
    return FieldResult(key, title, data.n_pairable, alpha, None, data.agreement(), chosen)


def _per_article(lab: LabelArrays, fd: Fields, stance: CodedUnits, ordinal: CodedUnits,
                 sets: CodedUnits, irrelevant: CodedUnits) -> list[ArticleResult]:
    """Every article's stance, frame-set and irrelevant alpha (no intervals), all at once."""
    articles, group = np.unique(fd.unit_article, return_inverse=True)
    n = int(articles.size)
    column_group = group[fd.stance_unit]
    nominal = stance.by_group(column_group, n)
    scale = ordinal.by_group(column_group, n, "ordinal")
    masi = sets.by_group(group, n, distance=ag.masi_distance)
    irrel = irrelevant.by_group(group, n)
    stanced = np.bincount(column_group, weights=((fd.stance >= 0) & (fd.stance != NONE_CODE)).sum(axis=0),
                          minlength=n)
    empty = np.array([not s for s in fd.sets] + [True])
    framed = np.bincount(group, weights=(~empty[fd.frame_sets]).sum(axis=0), minlength=n)
    marked = np.bincount(group, weights=(fd.irrelevant == 1).sum(axis=0), minlength=n)
    units = np.bincount(group, minlength=n)
    stance_alpha = _group_alphas(nominal, STANCE_CATEGORIES)
    ordinal_alpha = _group_alphas(scale, STANCE_CATEGORIES)
    sets_alpha = _group_alphas(masi, fd.sets)
    irrel_alpha = _group_alphas(irrel, _YES_NO)
    out = []
    for g, index in enumerate(articles.tolist()):
        aid, title, outlet = lab.articles[index]
        values = irrel.value[g:g + 1] if irrel.n_values[g] == 1 else irrel.value[:0]
        out.append(ArticleResult(aid, title, outlet, int(units[g]), [
            FieldResult("stance", "stance", int(nominal.units[g]), stance_alpha[g], ordinal_alpha[g],
                        nominal.agreement[g], int(stanced[g])),
            FieldResult("frames", "frames (MASI)", int(masi.units[g]), sets_alpha[g], None,
                        masi.agreement[g], int(framed[g])),
            FieldResult("irrelevant", "irrelevant", int(irrel.units[g]),
                        _binary_alpha("irrelevant", irrel_alpha[g], values), None, irrel.agreement[g],
                        int(marked[g])),
        ]))
    return out


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
    return _report(arrays_of(data), data.annotators, data.targets, data.frames, annotators, n_boot,
                   seed, confusion, per_article, progress)


def _report(lab: LabelArrays, humans: Sequence[str], targets: dict[int, str],
            frames: list[tuple[str, str]], annotators: Sequence[str] | None, n_boot: int, seed: int,
            confusion: tuple[str, str] | None, per_article: bool, progress: Progress | None
            ) -> AgreementReport:
    names = list(annotators) if annotators else [a for a in humans if a != GOLD_ANNOTATOR]
    if GOLD_ANNOTATOR in names:
        raise ValueError("gold labels are not an annotator's: leave 'gold' out")
    frame_titles = dict(frames)
    fd = build_fields(lab, names, [f for f, _ in frames])
    prog = progress or Progress()
    prog.update(0, 5 + len(fd.targets) + len(fd.frame_ids), "agreement")
    prog.step("reading labels")

    stance = CodedUnits(fd.stance, STANCE_CATEGORIES)
    ordinal = stance.derived(_ORDINAL, STANCE_CATEGORIES[:-1])
    stanced = (fd.stance >= 0) & (fd.stance != NONE_CODE)
    fields = [_stance_field("stance", "stance (all targets)", stance, ordinal, int(stanced.sum()), n_boot, seed)]
    prog.step("stance")
    by_target = np.argsort(fd.stance_target, kind="stable")
    bounds = np.searchsorted(fd.stance_target[by_target], sorted(fd.targets) + [np.iinfo(np.int64).max])
    columns = {t: by_target[bounds[i]:bounds[i + 1]] for i, t in enumerate(sorted(fd.targets))}

    def target_field(t: int) -> FieldResult:
        cols = columns[t]
        return _stance_field(f"stance:{t}", f"stance: {targets.get(t, f'target {t}')}",
                             stance.subset(cols), ordinal.subset(cols), int(stanced[:, cols].sum()),
                             n_boot, seed)

    per_target = []
    # Threads only pay for big fields: with ~30 columns a target (the quick bench) they cost
    # more than they save (1.5 -> 1.8 s); with ~3,400 (the full one) they save ~1 s.
    big = n_boot > 0 and by_target.size >= THREADED_COLUMNS * max(len(fd.targets), 1)
    with closing(_in_threads(target_field, list(fd.targets), big)) as results:
        for result in results:
            per_target.append(result)
            prog.step("stance per target")
    fields += sorted(per_target, key=lambda f: (-f.units, f.title))
    sets = CodedUnits(fd.frame_sets, fd.sets, order="first_seen")
    empty = np.array([not s for s in fd.sets] + [True])
    fields.append(FieldResult("frames", "frames (MASI)", sets.n_pairable,
                              _alpha(sets, "nominal", n_boot, seed, ag.masi_distance), None,
                              sets.agreement(), int((~empty[fd.frame_sets]).sum())))
    prog.step("frame sets")
    for i, fid in enumerate(fd.frame_ids):
        member = fd.members[:, i].astype(np.int64)
        chosen = int(np.where(fd.frame_sets >= 0, member[fd.frame_sets], 0).sum())
        fields.append(_binary_field(f"frame:{fid}", f"frame: {frame_titles.get(fid, fid)}",
                                    sets.derived(member, _YES_NO), chosen, n_boot, seed))
        prog.step("frames")
    irrelevant = CodedUnits(fd.irrelevant, _YES_NO)
    fields.append(_binary_field("irrelevant", "irrelevant", irrelevant, int((fd.irrelevant == 1).sum()),
                                n_boot, seed))
    prog.step("irrelevant")

    articles = _per_article(lab, fd, stance, ordinal, sets, irrelevant) if per_article else []
    prog.step("per article")
    pairs = [_pair(fd, names.index(a), names.index(b), a, b) for a, b in combinations(names, 2)]
    conf = None if confusion is None else _confusion(lab, *confusion)
    return AgreementReport(names, int(fd.irrelevant.shape[1]), fd.labelled, fields, articles, pairs,
                           conf, n_boot, seed, list(_NOTES))


def _pair(fd: Fields, i: int, j: int, a: str, b: str) -> PairResult:
    both = (fd.irrelevant[i] >= 0) & (fd.irrelevant[j] >= 0)
    # Stance toward the targets either of the two gave a stance to (not a third annotator's).
    sa, sb = fd.stance[i], fd.stance[j]
    on_both = both[fd.stance_unit]
    rows = on_both & ((sa != NONE_CODE) | (sb != NONE_CODE))
    theirs = np.bincount(fd.stance_target[rows], minlength=int(fd.stance_target.max(initial=0)) + 1) > 0
    keep = theirs[fd.stance_target] & on_both
    sa, sb = sa[keep], sb[keep]
    set_a, set_b = fd.frame_sets[i][both], fd.frame_sets[j][both]
    # Each frame's yes/no table from the one table of (set, set) counts: the same counts.
    n_sets = len(fd.sets)
    sets_table = np.bincount(set_a * n_sets + set_b, minlength=n_sets * n_sets).reshape(n_sets, n_sets)
    frame_kappas = []
    for f in range(len(fd.frame_ids)):
        yes = fd.members[:, f].astype(np.int64)
        table = np.stack([1 - yes, yes], axis=1)
        table = table.T @ sets_table @ table
        if table[1].any() or table[:, 1].any():
            k = _table_kappa(table)
            if k.value is not None:
                frame_kappas.append(k.value)
    if frame_kappas:
        frames_kappa = Stat(float(np.mean(frame_kappas)))
    else:
        frames_kappa = Stat(None, "no frame with variation" if both.any() else "no unit labelled by both")
    return PairResult(
        a, b, int(both.sum()), int(keep.sum()),
        _kappa(sa, sb, len(STANCE_CATEGORIES), names=STANCE_CATEGORIES),
        _kappa(_ORDINAL[sa], _ORDINAL[sb], len(STANCE_VALUES), "linear", STANCE_CATEGORIES),
        _alpha(CodedUnits(np.stack([set_a, set_b]), fd.sets, order="first_seen"), "nominal", 0, 0,
               ag.masi_distance),
        frames_kappa,
        _kappa(fd.irrelevant[i], fd.irrelevant[j], 2, names=_YES_NO),
    )


def _confusion(lab: LabelArrays, a: str, b: str) -> Confusion:
    fd = build_fields(lab, [a, b], [])
    k = len(STANCE_CATEGORIES)
    matrix = np.bincount(fd.stance[0] * k + fd.stance[1], minlength=k * k).reshape(k, k)
    return Confusion(a, b, list(STANCE_CATEGORIES), matrix.tolist())


def stance_confusion(units: Sequence[Unit] | LabelArrays, a: str, b: str) -> Confusion:
    """Stance of ``a`` (rows) against ``b`` (columns) over the (sentence, target) pairs both coded.

    Targets are those either of the two gave a stance to on a sentence both labelled. ``units``:
    Unit objects, or the arrays :func:`agreement_report` reads (much faster on a big project).
    """
    if isinstance(units, LabelArrays):
        return _confusion(units, a, b)
    return _confusion(arrays_of(ProjectLabels(list(units), {}, [a, b], {}, [], {})), a, b)


def agreement_report(project: Any, annotators: Sequence[str] | None = None, n_boot: int = 0,
                     seed: int = 0, confusion: tuple[str, str] | None = None,
                     progress: Progress | None = None, per_article: bool = True,
                     arrays: LabelArrays | None = None) -> AgreementReport:
    """Read ``project``'s labels into arrays and compute its agreement report (see
    :func:`compute_agreement`; ``per_article``: also each article's alphas). ``arrays``: the
    labels as :func:`~annotator.review.coded.read_arrays` read them, if the caller has."""
    known = project.annotators()
    for name in [*(annotators or ()), *(confusion or ())]:
        if name not in known:
            raise ValueError(f"no annotator named {name!r} (known: {', '.join(known) or 'none'})")
    targets = {t.id: t.name for t in project.targets() if t.id is not None}
    frames = [(f.id, f.name) for f in project.codebook.frames]
    return _report(read_arrays(project) if arrays is None else arrays, known, targets, frames,
                   annotators, n_boot, seed, confusion, per_article, progress)


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


