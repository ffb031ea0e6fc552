"""Train/validation/test splits by article, stratified by each article's main label, seeded."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterable, Sequence


@dataclass(frozen=True)
class SplitItem:
    article_id: str
    stratum: str  # the article's main label (see records.stratum)
    size: int  # sentences it contributes


def _order_key(seed: int, article_id: str) -> str:
    return hashlib.sha256(f"{seed}:{article_id}".encode()).hexdigest()


def assign_splits(items: Iterable[SplitItem], ratios: Sequence[float], names: Sequence[str],
                  seed: int = 0) -> dict[str, str]:
    """Article id -> split name. Whole articles only, so no article is in two splits.

    Articles are ordered by stratum (largest first), then by a seeded hash within it, and each
    goes to the split furthest below its share of the sentences assigned so far. Walking the
    strata one after another this way spreads every stratum over the splits in proportion
    (systematic sampling), and the result depends only on the articles, ratios and seed.
    """
    items = list(items)
    totals: dict[str, int] = {}
    for it in items:
        totals[it.stratum] = totals.get(it.stratum, 0) + it.size
    items.sort(key=lambda it: (-totals[it.stratum], it.stratum, _order_key(seed, it.article_id)))
    got = [0] * len(names)
    done = 0
    out: dict[str, str] = {}
    for it in items:
        size = max(it.size, 1)
        deficits = [ratio * (done + size) - got[i] for i, ratio in enumerate(ratios)]
        best = max(range(len(names)), key=lambda i: (deficits[i], -i))
        got[best] += size
        done += size
        out[it.article_id] = names[best]
    return out
