"""Entity mentions from the real models (each loaded once per session by the module cache)."""
from __future__ import annotations

from pathlib import Path

import pytest

from annotator.model import ENTITY_LABELS
from annotator.nlp import entities
from annotator.nlp.entities import backend_name, english_normal, find_entities, find_entities_batch, model_available
from annotator.nlp.language import detect_language

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def seeds() -> list[tuple[str, str]]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    return [(t, detect_language(t)) for t in texts]


@pytest.fixture(scope="module")
def seed_mentions(seeds: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    return find_entities_batch(seeds)


def test_availability() -> None:
    assert model_available("en") and model_available("ru")
    assert not model_available("de") and not model_available("und")
    assert backend_name("de") is None
    assert find_entities("Die Bundesregierung in Berlin.", "de") == []


def test_origins() -> None:
    assert backend_name("en") in {f"spacy:{m}-3.8.0" for m in entities.SPACY_MODELS}
    assert backend_name("ru") == "natasha-1.6.0"


def test_seed_invariants(seeds, seed_mentions) -> None:  # type: ignore[no-untyped-def]
    for (text, _lang), mentions in zip(seeds, seed_mentions):
        assert mentions, "every seed article has entities"
        previous_end = 0
        for m in mentions:
            assert text[m.start : m.end] == m.text
            assert m.text == m.text.strip() and m.text[-1] not in ".,;:!?\"'”’"
            assert m.start >= previous_end
            previous_end = m.end
            assert m.label in ENTITY_LABELS and m.raw_label not in {"DATE", "CARDINAL", "MONEY", "PERCENT"}
            assert m.origin and m.normal


def test_english_seeds_find_blinken(seeds, seed_mentions) -> None:  # type: ignore[no-untyped-def]
    for (_text, lang), mentions in zip(seeds, seed_mentions):
        if lang == "en":
            assert any(m.label == "PER" and "Blinken" in m.text for m in mentions)


def test_russian_seed_normal_forms(seeds, seed_mentions) -> None:  # type: ignore[no-untyped-def]
    (mentions,) = [ms for (_t, lang), ms in zip(seeds, seed_mentions) if lang == "ru"]
    persons = {(m.text, m.normal) for m in mentions if m.label == "PER"}
    assert ("Энтони Блинкена", "Энтони Блинкен") in persons
    assert ("Блинкена", "Блинкен") in persons
    assert ("Мухтара Тлеуберди", "Мухтар Тлеуберди") in persons
    assert all(m.origin == "natasha-1.6.0" for m in mentions)
    assert any(m.normal == "Соединенные Штаты" for m in mentions)


def test_short_texts_and_batch_order() -> None:
    en = "Secretary Blinken met Kazakhstan’s President Tokayev in Astana on Tuesday, the U.S. said."
    ru = "Госсекретарь США Энтони Блинкен встретился с Мухтаром Тлеуберди в Астане."
    mixed = "Blinken spoke in Astana.\n\n«Мы поддерживаем Казахстан», – сказал Энтони Блинкен."
    batch = find_entities_batch([(en, "en"), ("", "en"), (ru, "ru"), (mixed, "en"), ("Hallo Welt", "de")])
    assert batch[1] == [] and batch[4] == []
    assert [m.text for m in batch[0]] == [m.text for m in find_entities(en, "en")]
    by_text = {m.text: m for m in batch[0]}
    assert by_text["Blinken"].label == "PER"
    assert by_text["Kazakhstan"].label == "LOC" and by_text["Kazakhstan"].raw_label == "GPE"
    assert any(m.text == "U.S." for m in batch[0])  # the abbreviation keeps its final dot
    assert {m.normal for m in batch[2] if m.label == "PER"} >= {"Энтони Блинкен", "Мухтар Тлеуберди"}
    # A Russian paragraph inside an English article goes to natasha.
    assert any(m.normal == "Энтони Блинкен" and m.origin.startswith("natasha") for m in batch[3])


def test_disabled_components_do_not_change_ner(seeds) -> None:  # type: ignore[no-untyped-def]
    import importlib

    text = seeds[0][0]
    for package in entities.SPACY_MODELS:
        try:
            nlp = importlib.import_module(package).load()
            break
        except ImportError:
            continue
    full = [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]
    with nlp.select_pipes(enable=["ner"]):
        lean = [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]
    assert full == lean


@pytest.mark.parametrize(
    ("text", "normal"),
    [("the United States’", "United States"), ("Kazakhstan’s", "Kazakhstan"), ("Tokayev's", "Tokayev"),
     ("The Kremlin", "Kremlin"), ("US", "US"), ("Theresa May", "Theresa May")],
)  # fmt: skip
def test_english_normal(text: str, normal: str) -> None:
    assert english_normal(text) == normal
