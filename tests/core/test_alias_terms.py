"""The import's gazetteer terms, kept up to date from one article to the next (``TermBuilder``),
are ``build_terms``' own whatever the targets and mentions do; the matcher's search does not
depend on the order it learned them in."""
from __future__ import annotations

import random

import pytest

from annotator.model import Mention, Target
from annotator.nlp.alias_match import AliasMatcher, Term, TermBuilder, build_terms

FIRST = ["Joe", "Hunter", "Anna", "Olaf", "Сергей", "Олаф", "Maria", "J.", "ali"]
LAST = ["Biden", "Scholz", "Lavrov", "Лавров", "Шольц", "Meloni", "Xi", "Kazakh", "Tass",
        "President", "lavrova", "министр", "de"]  # the last ones are no searchable surname
WORDS = ["NATO", "CSTO", "Astana", "United States", "Кремль", "the Kremlin", "EU", "Минск",
         "Biden", "Lavrov", "Шольц", "Tokayev", "Meloni", "UN", "x"]
KINDS = ["PER", "ORG", "LOC", "MISC", "NORP"]


def _name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.5:
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    if r < 0.6:
        return f"{rng.choice(FIRST)}  {rng.choice(LAST)} "  # spaces to normalise
    return rng.choice(WORDS + LAST)


def _mention(rng: random.Random) -> Mention:
    text = _name(rng)
    normal = _name(rng) if rng.random() < 0.3 else None
    return Mention(0, len(text), rng.choice(KINDS), text, "model", normal=normal)


def _mutate(rng: random.Random, targets: list[Target]) -> None:
    for _ in range(rng.choice([0, 0, 1, 1, 2, 5])):
        r = rng.random()
        if r < 0.6 or not targets:
            targets.append(Target(_name(rng), rng.choice(KINDS),
                                  [_name(rng) for _ in range(rng.choice([0, 0, 1, 2]))]))
        elif r < 0.75:
            rng.choice(targets).aliases.append(_name(rng))
        elif r < 0.85:
            rng.choice(targets).name = _name(rng)
        elif r < 0.95:
            rng.choice(targets).kind = rng.choice(KINDS)
        else:
            targets.pop(rng.randrange(len(targets)))


def _searched(matcher: AliasMatcher) -> dict[str, Term]:
    return dict(matcher.terms)


def _wanted(targets: list[Target], mentions: list[Mention],
            corrections: dict[str, str | None]) -> dict[str, Term]:
    terms = build_terms(targets, mentions, corrections)
    assert len({t.surface for t in terms}) == len(terms)  # one term a surface
    return {t.surface: t for t in terms}


@pytest.mark.parametrize("seed", range(12))
def test_kept_terms_are_build_terms(seed: int) -> None:
    rng = random.Random(seed)
    targets: list[Target] = []
    builder, matcher = TermBuilder(), AliasMatcher()
    reference = AliasMatcher()
    corrections: dict[str, str | None] = {}
    for _ in range(300):
        _mutate(rng, targets)
        if rng.random() < 0.03:
            corrections[_name(rng)] = rng.choice([None, "ORG", "PER"])
        if corrections and rng.random() < 0.02:  # an annotator takes a correction back
            del corrections[rng.choice(sorted(corrections))]
        mentions = [_mention(rng) for _ in range(rng.choice([0, 1, 3, 8, 20]))]
        builder.update(matcher, targets, mentions, corrections)
        assert _searched(matcher) == _wanted(targets, mentions, corrections)
        # the patterns kept for the Russian search are those of the terms, once each
        assert sorted(t.surface for b in matcher._ru.values() for _, t in b) == sorted(matcher.terms)
        reference.update(build_terms(targets, mentions, corrections))
    text = " ".join(f"{_name(rng)} said." for _ in range(200))
    assert matcher.find(text, "en") == reference.find(text, "en")  # learned in another order


def test_a_tie_goes_by_the_terms_not_the_order_learned() -> None:
    """Two terms on one span (a Russian surname in two case forms, as two targets' names):
    whichever the matcher learned first, the same one wins."""
    text = "Встреча с Лавровым прошла в Минске."
    terms = [Term("Лавров", "PER"), Term("Лаврова", "ORG")]
    found = [AliasMatcher(order).find(text, "ru") for order in (terms, terms[::-1])]
    assert found[0] == found[1] and len(found[0]) == 1


def test_the_targets_are_counted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each target's part is counted when it is new or changed, not for every article: an
    article costs what its mentions touch, not what the project knows."""
    from annotator.nlp import alias_match

    counted: list[str] = []
    real = alias_match._contribution
    monkeypatch.setattr(alias_match, "_contribution", lambda t: (counted.append(t.name), real(t))[1])
    rng = random.Random(1)
    targets = [Target(f"{rng.choice(FIRST)} Name{i}", rng.choice(KINDS[:3]), [f"Alias{i}"])
               for i in range(2_000)]
    builder, matcher = TermBuilder(), AliasMatcher()
    for i in range(5):
        mentions = [_mention(rng) for _ in range(20)]
        builder.update(matcher, targets, mentions)
        assert _searched(matcher) == _wanted(targets, mentions, {})
        targets.append(Target(f"New {i}", "ORG"))
    targets[10].aliases.append("Another")  # a change: that target is counted again
    builder.update(matcher, targets, [])
    assert _searched(matcher) == _wanted(targets, [], {})
    assert len(counted) == 2_000 + 4 + 2 and counted[-2:] == [targets[10].name, "New 4"]


def test_a_correction_taken_back_brings_the_surname_back() -> None:
    """"Biden" is searched for only as Joe Biden's surname; a correction "Biden: not an entity"
    takes it out, and taking the correction back brings it back."""
    targets = [Target("Joe Biden", "PER")]
    builder, matcher = TermBuilder(), AliasMatcher()
    for corrections in ({}, {"Biden": None}, {}):
        builder.update(matcher, targets, [], corrections)
        assert _searched(matcher) == _wanted(targets, [], corrections)
    assert "Biden" in matcher.terms
