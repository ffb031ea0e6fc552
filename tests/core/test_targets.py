"""Grouping mentions into targets: translit keys, gazetteer, surname and fuzzy rules, and the seeds."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from annotator.model import Mention, Target
from annotator.nlp.targets import Gazetteer, TargetResolver, clean_name, default_gazetteer, merge_aliases
from annotator.nlp.translit import fold, similarity, skeleton, to_latin

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def mention(text: str, label: str = "PER", normal: str | None = None) -> Mention:
    return Mention(start=0, end=len(text), label=label, text=text, origin="test", normal=normal)


def lang_of(text: str) -> str:
    return "ru" if any("а" <= ch.lower() <= "я" for ch in text) else "en"


# --- translit ------------------------------------------------------------------------------------


def test_to_latin() -> None:
    assert to_latin("Энтони Блинкен") == "Entoni Blinken"
    assert to_latin("Жомарт Щучинск Хабаровск Цой Чехов Шымкент Юрий Ясный Йошкар Ы Подъезд Соль") == (
        "Zhomart Shchuchinsk Khabarovsk Tsoy Chekhov Shymkent Yuriy Yasnyy Yoshkar Y Podezd Sol"
    )
    assert to_latin("Қасым-Жомарт Тоқаев, Київ") == "Kasym-Zhomart Tokaev, Kiyiv"
    assert to_latin("ЖКХ") == "ZHKKH"


def test_fold() -> None:
    assert fold("U.S.") == "us"
    assert fold("  Café   Zürich ") == "cafe zurich"
    assert fold("Касым-Жомарт  Токаев") == "kasym-zhomart tokaev"
    assert fold("Йошкар-Ола") == "yoshkar-ola"  # "й" is not decomposed before transliteration


@pytest.mark.parametrize(
    "names",
    [
        ["Blinken", "Блинкен", "Блинкена"],
        ["Tileuberdi", "Tleuberdi", "Тлеуберди"],
        ["Tokayev", "Токаев", "Tokaev"],
        ["Antony", "Anthony", "Энтони"],
        ["Kassym-Jomart", "Касым-Жомарт"],
    ],
)
def test_skeleton_equal(names: list[str]) -> None:
    assert len({skeleton(n) for n in names}) == 1
    assert skeleton("Blinken") == "blnkn"


def test_skeleton_different() -> None:
    assert skeleton("Putin") != skeleton("Tokayev")
    assert skeleton("Kazakhstan") != skeleton("Kyrgyzstan")


def test_similarity() -> None:
    assert similarity("tileuberdi", "tleuberdi") == pytest.approx(0.9)
    assert similarity("", "") == 1.0 and similarity("a", "") == 0.0


def test_clean_name() -> None:
    assert clean_name("the United States’") == "United States"
    assert clean_name("Secretary Blinken") == "Blinken"
    assert clean_name("Mr. Tleuberdi") == "Tleuberdi"
    assert clean_name("Kazakh President Kassym-Jomart Tokayev") == "Kassym-Jomart Tokayev"
    assert clean_name("г-н Блинкен") == "Блинкен"
    assert clean_name("президентом Токаевым") == "Токаевым"
    assert clean_name("US State Department") == "US State Department"
    assert clean_name("UN General Assembly") == "UN General Assembly"


# --- grouping ------------------------------------------------------------------------------------

GROUPS: dict[str, list[tuple[str, str]]] = {
    "blinken": [
        (t, "PER")
        for t in ["Blinken", "Antony Blinken", "Anthony Blinken", "Блинкен", "Энтони Блинкен", "Блинкена",
                  "Secretary Blinken", "Mr. Blinken"]
    ],
    "tileuberdi": [
        (t, "PER")
        for t in ["Tileuberdi", "Mukhtar Tileuberdi", "Tleuberdi", "Тлеуберди", "Мухтар Тлеуберди",
                  "Мухтаром Тлеуберди"]
    ],
    "us": [(t, "LOC") for t in ["US", "United States", "U.S.", "USA", "США", "Соединенных Штатов"]],
    "tokayev": [(t, "PER") for t in ["Tokayev", "Kassym-Jomart Tokayev", "Токаев", "Касым-Жомарт Токаев"]],
}  # fmt: skip
APART = [
    (("Putin", "PER"), ("Tokayev", "PER")),
    (("Russia", "LOC"), ("Belarus", "LOC")),
    (("Kazakhstan", "LOC"), ("Kyrgyzstan", "LOC")),
    (("Washington", "LOC"), ("United States", "LOC")),
    (("Ukraine", "LOC"), ("Uzbekistan", "LOC")),
    (("Joe Biden", "PER"), ("Hunter Biden", "PER")),
]


def _all_items() -> list[tuple[str, str, str]]:
    items = [(group, text, label) for group, members in GROUPS.items() for text, label in members]
    items += [(f"apart{i}.{j}", text, label) for i, pair in enumerate(APART) for j, (text, label) in enumerate(pair)]
    return items


@pytest.mark.parametrize("seed", range(12))
def test_groups_in_any_order(seed: int) -> None:
    items = _all_items()
    random.Random(seed).shuffle(items)
    resolver = TargetResolver()
    found: dict[str, set[int]] = {}
    for group, text, label in items:
        target = resolver.resolve(mention(text, label), lang_of(text))
        assert target is not None, text
        found.setdefault(group, set()).add(id(target))
    names = [t.name for t in resolver.targets]
    for group in GROUPS:
        assert len(found[group]) == 1, (group, names)
    assert len(set.union(*(found[g] for g in GROUPS))) == len(GROUPS), names
    for i in range(len(APART)):
        assert found[f"apart{i}.0"] != found[f"apart{i}.1"], (APART[i], names)


def test_canonical_names() -> None:
    resolver = TargetResolver()
    for text in ["Блинкена", "Blinken", "Энтони Блинкен", "Antony Blinken"]:
        target = resolver.resolve(mention(text), lang_of(text))
    assert target is not None and target.name == "Antony Blinken"  # a Latin full name wins
    assert {"Блинкена", "Blinken", "Энтони Блинкен"} <= set(target.aliases)
    us = resolver.resolve(mention("США", "LOC"), "ru")
    assert us is not None and us.name == "United States" and us.kind == "LOC" and "США" in us.aliases


def test_apart_without_gazetteer() -> None:
    resolver = TargetResolver(gazetteer=Gazetteer([]))
    names = ["Kazakhstan", "Kyrgyzstan", "Russia", "Belarus", "Ukraine", "Uzbekistan", "Austria", "Australia"]
    targets = [resolver.resolve(mention(n, "LOC"), "en") for n in names]
    assert len({id(t) for t in targets}) == len(names)
    again = resolver.resolve(mention("Kazakstan", "LOC"), "en")  # fuzzy within the kind
    assert again is targets[0]


def test_surname_alone_with_two_people_is_not_guessed() -> None:
    resolver = TargetResolver()
    joe = resolver.resolve(mention("Joe Biden"), "en")
    hunter = resolver.resolve(mention("Hunter Biden"), "en")
    alone = resolver.resolve(mention("Biden"), "en")
    assert joe is not hunter and alone is not joe and alone is not hunter


def test_misc_junk_and_demonyms() -> None:
    resolver = TargetResolver()
    assert resolver.resolve(mention("Western", "MISC"), "en") is None
    assert resolver.resolve(mention("Russian", "MISC"), "en") is None
    assert resolver.resolve(mention("Kazakh", "ORG"), "en") is None  # a demonym the model called an ORG
    assert resolver.resolve(mention("российский", "LOC"), "ru") is None
    for junk in ["A", "2023", "state", "kk-mos/sc", "Mr.", "Secretary", "—"]:
        assert resolver.resolve(mention(junk, "ORG"), "en") is None, junk
    assert resolver.targets == []


def test_mislabelled_person_joins_the_person() -> None:
    resolver = TargetResolver()
    person = resolver.resolve(mention("Mukhtar Tileuberdi"), "en")
    assert resolver.resolve(mention("Tleuberdi", "ORG"), "en") is person
    assert resolver.resolve(mention("Blinken", "LOC"), "en") is not person
    assert resolver.resolve(mention("the Republic Mukhtar Tleuberdi", "ORG"), "en") is person
    tokayev = resolver.resolve(mention("Kazakh President Kassym-Jomart Tokayev", "ORG"), "en")
    assert tokayev is not None and tokayev.kind == "PER" and tokayev.name == "Kassym-Jomart Tokayev"
    assert resolver.resolve(mention("Tokayev"), "en") is tokayev


def test_existing_targets_learn_aliases_and_ids() -> None:
    existing = [
        Target(name="Antony Blinken", kind="PER", aliases=["Blinken"], id=1),
        Target(name="Kazakhstan", kind="LOC", aliases=[], id=2),
        Target(name="Ned Price", kind="PER", id=3, pinned=True),
    ]
    resolver = TargetResolver(existing)
    assert resolver.resolve(mention("Блинкена", normal="Блинкен"), "ru") is existing[0]
    assert resolver.resolve(mention("Казахстаном", "LOC", normal="Казахстан"), "ru") is existing[1]
    assert resolver.resolve(mention("Price"), "en") is existing[2]
    changed = resolver.take_changes()
    assert {t.id for t in changed} == {1, 2, 3}
    assert "Блинкен" in existing[0].aliases and "Блинкена" in existing[0].aliases
    assert existing[2].name == "Ned Price" and existing[2].aliases == ["Price"]  # pinned: never renamed
    assert resolver.take_changes() == []
    # A new target: the caller stores it and sets its id on the same object.
    new = resolver.resolve(mention("Vladimir Putin"), "en")
    assert new is not None and new.id is None
    new.id = 4
    assert resolver.resolve(mention("Путина", normal="Путин"), "ru") is new
    assert [t.id for t in resolver.take_changes()] == [4]


def test_resolve_all_puts_full_names_first() -> None:
    resolver = TargetResolver()
    items = [(mention("Blinken", "LOC"), "en"), (mention("Blinken"), "en"), (mention("Antony Blinken"), "en")]
    results = resolver.resolve_all(items)
    assert results[0] is results[1] is results[2]
    assert results[0] is not None and results[0].kind == "PER" and results[0].name == "Antony Blinken"


def test_merge_aliases() -> None:
    a = Target(name="Antony Blinken", kind="PER", aliases=["Blinken"], id=1, n_mentions=3)
    b = Target(name="Энтони Блинкен", kind="PER", aliases=["Blinken", "Блинкена"], id=2, n_mentions=2)
    merged = merge_aliases(a, b)
    assert (merged.name, merged.id, merged.n_mentions) == ("Antony Blinken", 1, 5)
    assert merged.aliases == ["Blinken", "Энтони Блинкен", "Блинкена"]


def test_gazetteer_file() -> None:
    gazetteer = default_gazetteer()
    assert len(gazetteer.entries) >= 60
    assert {e.kind for e in gazetteer.entries} <= {"LOC", "ORG", "PER"}
    names = [e.name for e in gazetteer.entries]
    assert len(names) == len(set(names))
    for text, name in [("ОДКБ", "CSTO"), ("Госдеп", "US State Department"), ("С5+1", "C5+1"),
                       ("Белого дома", "White House"), ("Евросоюза", "European Union"), ("РФ", "Russia")]:  # fmt: skip
        entry = gazetteer.lookup(text)
        assert entry is not None and entry.name == name, text
    assert gazetteer.lookup("Washington").name == "Washington"  # a city, not the country


# --- end to end ----------------------------------------------------------------------------------


def test_seeds_end_to_end() -> None:
    from annotator.nlp.entities import find_entities_batch
    from annotator.nlp.language import detect_language

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    items = [(t, detect_language(t)) for t in texts]
    found = find_entities_batch(items)
    resolver = TargetResolver()
    resolver.resolve_all([(m, lang) for (_t, lang), ms in zip(items, found) for m in ms])

    def targets_named(surname_skeleton: str) -> list[Target]:
        return [
            t for t in resolver.targets
            if any(skeleton(v.split()[-1]) == surname_skeleton for v in [t.name, *t.aliases])
        ]  # fmt: skip

    for surname, latin, cyrillic in [("blnkn", "Blinken", "Блинкен"), ("tlbrd", "Tileuberdi", "Тлеуберди")]:
        matches = targets_named(surname)
        assert len(matches) == 1, [(t.name, t.kind, t.aliases) for t in matches]
        (target,) = matches
        assert target.kind == "PER" and latin in target.name
        assert any(cyrillic in a for a in target.aliases) and any(a.isascii() for a in target.aliases)
    assert len(targets_named(skeleton("Tokayev"))) == 1
    kinds = {t.name: t.kind for t in resolver.targets}
    assert kinds["United States"] == "LOC" and kinds["Kazakhstan"] == "LOC" and kinds["Washington"] == "LOC"
