"""Article language by langdetect (seeded), sentence language by script."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from langdetect.lang_detect_exception import LangDetectException

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


def test_fast_langdetect_gives_langdetect_answer() -> None:
    # The numpy loop must give langdetect's own answer, text for text (same seed, same draws).
    from langdetect import detect

    from annotator.nlp.language import _langdetect

    texts = [(SEEDS / item["file"]).read_text(encoding="utf-8")[:1000] for item in
             json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))["articles"]]
    texts += ["Der Außenminister traf sich am Dienstag mit seinem Amtskollegen in Astana.",
              "Le ministre des Affaires étrangères a rencontré son homologue à Astana mardi.",
              "Держсекретар США Ентоні Блінкен прибув до Астани на переговори з міністром.",
              "Министърът на външните работи се срещна с колегата си в Астана във вторник."]
    assert [_langdetect(t) for t in texts] == [detect(t) for t in texts]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Russian letters only, with ы/э: told by the script, even with a Latin name in it.
        ("Госсекретарь США Энтони Блинкен прибыл в Астану на переговоры с Tokayev.", "ru"),
        # Ukrainian (і, ї) and Bulgarian (no ы/э) go to langdetect, which tells them.
        ("Держсекретар США Ентоні Блінкен прибув до Астани на переговори з міністром.", "uk"),
        ("Министърът на външните работи се срещна с колегата си в Астана във вторник.", "bg"),
    ],
)
def test_cyrillic_articles(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_long_article_read_by_prefix() -> None:
    from annotator.nlp.language import DETECT_PREFIX, _prefix

    text = "Der Minister traf sich am Dienstag. " * 100
    cut = _prefix(text)
    assert len(cut) <= DETECT_PREFIX and text.startswith(cut) and not cut.endswith("Diens")
    assert detect_language(text + " The end.") == "de"


@pytest.mark.parametrize("text", [
    "Antony Blinken met NATO and EU ministers in Astana — “a fair deal”, he said.",
    "ABC DEF ghi   Jkl MNo ß ș ț Ẽ ấ 日本語 ひらがな カタカナ 한국어 A B  c",
    "НАТО и ЕС заявили, что Ünïcödé ÀÉÎÕÜ ÿ",
])
def test_fast_ngrams_are_langdetects(text: str) -> None:
    from langdetect import detector_factory

    from annotator.nlp.language import _extract_ngrams

    detector_factory.init_factory()
    det = detector_factory._factory.create()
    det.append(text)
    det.cleaning_text()
    assert _extract_ngrams(det.text, det.word_lang_prob_map) == det._extract_ngrams()


def test_profiles_load_as_langdetect_loads_them() -> None:
    """The paced loader (no GUI stall on first use) builds langdetect's own factory."""
    from langdetect import DetectorFactory, detector_factory

    from annotator.nlp import language

    detector_factory.init_factory()  # langdetect's own, loaded first: ours must not depend on it
    saved = language._factory
    try:
        language._factory = None
        ours = language._detector_factory()
        theirs = DetectorFactory()
        theirs.load_profile(detector_factory.PROFILES_DIRECTORY)
        assert ours is not None and ours.langlist == theirs.langlist
        assert list(ours.word_lang_prob_map) == list(theirs.word_lang_prob_map)
        assert all(row.tolist() == theirs.word_lang_prob_map[w]
                   for w, row in ours.word_lang_prob_map.items())
        text = "The minister met his counterpart in Astana on Tuesday."
        assert language._langdetect(text) == "en"
    finally:
        language._factory = saved


def _synthetic_texts(per_language: int, seed: int = 1) -> list[str]:
    """Texts in every language langdetect knows, made of each profile's frequent trigrams, with
    capitals, digits, punctuation, runs of spaces, line breaks, URLs and e-mail addresses."""
    import os
    import random

    from langdetect import detector_factory

    folder = detector_factory.PROFILES_DIRECTORY
    rng = random.Random(seed)
    texts = []
    for name in sorted(os.listdir(folder)):
        freq = json.loads((Path(folder) / name).read_text(encoding="utf-8"))["freq"]
        grams = [g for g, _ in sorted(freq.items(), key=lambda kv: -kv[1])
                 if len(g) == 3 and " " not in g][:300]
        for _ in range(per_language):
            words = []
            for _ in range(rng.randint(1, 120)):
                w = "".join(rng.choice(grams) for _ in range(rng.randint(1, 3)))
                r = rng.random()
                w = (w.upper() if r < 0.1 else w.capitalize() if r < 0.3
                     else str(rng.randint(0, 9999)) if r < 0.35
                     else "https://example.com/" + w if r < 0.37
                     else w + "@mail.example.org" if r < 0.38 else w)
                words.append(w + rng.choice(["", "", ",", ".", "!", " —", ":", "  ", "\n"]))
            texts.append(" ".join(words))
    return texts


def test_fast_langdetect_matches_langdetect_in_every_language() -> None:
    """The regex text preparation, the per-word n-gram cache and the inlined draws give
    langdetect's own answer in all its 55 languages (0 of 8,288 texts differed in the lab)."""
    from langdetect import detect

    from annotator.nlp.language import _langdetect

    texts = _synthetic_texts(3)
    assert len(texts) >= 150
    ours, theirs = [], []
    for text in texts:
        for out, fn in ((ours, _langdetect), (theirs, detect)):
            try:
                out.append(fn(text))
            except LangDetectException as exc:
                out.append(str(exc))
    assert ours == theirs
    assert len(set(theirs)) >= 40  # the texts really are in many languages


@pytest.mark.parametrize("text", [
    "Visit https://example.com/a?b=c or mail me@example.org  now   please",
    "  leading and trailing spaces  ",
    "Mostly Cyrillic текст с латиницей ABC и ещё немного слов на русском языке",
    "Tiếng Việt có dấu: Việt Nam, Hà Nội",  # combining marks normalised by normalize_vi
    "",
])
def test_detector_text_is_langdetects(text: str) -> None:
    """``append`` + ``cleaning_text`` done with regexes, and the n-grams from the cached words of
    our own factory's table, equal langdetect's own loops."""
    from annotator.nlp import language

    det = language._detector_factory().create()
    det.append(text)
    det.cleaning_text()
    assert language._detector_text(det, text) == det.text
    prepared = det.text
    assert language._extract_ngrams(prepared, det.word_lang_prob_map) == det._extract_ngrams()
    # again, now from the per-word cache
    assert language._extract_ngrams(prepared, det.word_lang_prob_map) == det._extract_ngrams()


def test_inlined_draws_are_randoms_choice() -> None:
    from annotator.nlp.language import _INLINE_CHOICE, _choice_is_inlinable

    assert _INLINE_CHOICE and _choice_is_inlinable()  # on the Python the project pins
