"""Article language by langdetect (seeded), sentence language by script."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.nlp.language import detect_language, script_counts, sentence_language

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_seeds_match_manifest() -> None:
    manifest = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))
    for item in manifest["articles"]:
        text = (SEEDS / item["file"]).read_text(encoding="utf-8")
        assert detect_language(text) == item["lang"], item["file"]


def test_deterministic() -> None:
    text = "Der Außenminister traf sich am Dienstag mit seinem Amtskollegen in Astana."
    assert {detect_language(text) for _ in range(5)} == {"de"}


@pytest.mark.parametrize("text", ["", "   \n\t", "12345 67 -- !!", "☺☺☺"])
def test_undetermined(text: str) -> None:
    assert detect_language(text) == "und"


def test_script_counts() -> None:
    assert script_counts("Блинкен met Tokayev, 2023") == (7, 10)
    assert script_counts("Қасым-Жомарт Тоқаев") == (17, 0)
    assert script_counts("Zürich") == (0, 6)


@pytest.mark.parametrize(
    ("text", "article_lang", "expected"),
    [
        ("Госсекретарь США Энтони Блинкен", "en", "ru"),
        ("Госсекретарь США Энтони Блинкен", "ru", "ru"),
        ("Держсекретар США Ентоні Блінкен", "uk", "uk"),
        ("Antony Blinken arrived in Astana.", "ru", "en"),
        ("Antony Blinken arrived in Astana.", "de", "de"),
        ("Antony Blinken arrived in Astana.", "zh", "en"),
        ("2023 — 28.02", "ru", "ru"),
        ("", "en", "en"),
        ("東京で会談", "ja", "ja"),
    ],
)
def test_sentence_language(text: str, article_lang: str, expected: str) -> None:
    assert sentence_language(text, article_lang) == expected


def test_short_articles_are_told_by_script_not_langdetect() -> None:
    from annotator.nlp.language import detect_language

    assert detect_language("Blinken in Astana") == "en"
    assert detect_language("Визит Блинкена") == "ru"
