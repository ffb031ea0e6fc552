"""Paragraph and sentence offsets: exact, trimmed, complete; sensible splits on the seeds."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.nlp.sentences import MAX_SENTENCE_CHARS, split_paragraphs, split_sentences

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def _sentences(text: str, lang: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, lang)]


def _check_spans(text: str, spans: list[tuple[int, int]]) -> None:
    covered = [0] * len(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        for i in range(start, end):
            covered[i] += 1
        previous_end = end
    for i, ch in enumerate(text):
        # Every visible character is in exactly one span; whitespace may fall between spans.
        assert covered[i] == 1 or (ch.isspace() and covered[i] == 0), (i, ch, spans)


_ALPHABET = st.sampled_from(
    list("abcXYZ ёжЖБлин.,!?…;:-–—\"'«»“”()/")
    + ["\n", "\r\n", "\r", "\t", "\u00a0", "\u2028", "\x0b", "  ", "\n\n", " \n \n", "Mr. ", "U.S. ", "т.е. "]
    + ["。", "！", "東京", "é", "ß", "\u0301", "😀", "1", "28. "]
)
_TEXT = st.lists(_ALPHABET, max_size=80).map("".join) | st.text(max_size=120)


@settings(max_examples=150, deadline=None)
@given(text=_TEXT, lang=st.sampled_from(["en", "ru", "de", "xx"]))
def test_sentence_spans_cover_text_exactly(text: str, lang: str) -> None:
    _check_spans(text, split_sentences(text, lang))


@settings(max_examples=100, deadline=None)
@given(text=_TEXT)
def test_paragraph_spans(text: str) -> None:
    spans = split_paragraphs(text)
    _check_spans(text, spans)
    for start, end in spans:
        lines = text[start:end].replace("\r\n", "\n").replace("\r", "\n").split("\n")
        assert all(line.strip() for line in lines), "a paragraph never holds a blank line"


def test_paragraphs_on_blank_lines() -> None:
    text = "Title\r\n \r\nFirst line\nsecond line\n\t\n\nLast"
    assert [text[s:e] for s, e in split_paragraphs(text)] == ["Title", "First line\nsecond line", "Last"]


def test_headline_is_own_sentence() -> None:
    text = _seed("000")
    sentences = _sentences(text, "en")
    assert sentences[0] == "All news"
    assert sentences[1] == "US seeks to minimize impact on Kazakhstan from sanctions imposed on Russia — Blinken"


def test_dateline_stays_with_its_sentence() -> None:
    sentences = _sentences(_seed("000"), "en")
    first = next(s for s in sentences if s.startswith("WASHINGTON"))
    assert first.startswith("WASHINGTON, May 21 /TASS/. The US is committed")
    assert first.endswith("during talks on Friday.")


def test_mr_is_not_a_sentence_end() -> None:
    sentences = _sentences(_seed("001"), "en")
    assert "Mr. Tleuberdi noted that Kazakhstan is trying to avoid any possibility of sanctions evasion by " \
        "Russian companies." in sentences
    assert not any(s.endswith("Mr.") for s in sentences)


def test_russian_seed() -> None:
    sentences = _sentences(_seed("003"), "ru")
    assert sentences[0] == "Госсекретарь США прокомментировал влияние антироссийских санкций на Казахстан"
    assert sentences[1].startswith("Астана. 28 февраля. КазТАГ – Государственный секретарь США Энтони Блинкен")
    assert "Мы находим новые пути, новые экспортные рынки." in sentences
    # The seed has a non-breaking space in the middle of this sentence: compare words.
    assert sentences[-1].split() == "Также президент Казахстана Касым-Жомарт Токаев принял Блинкена в Акорде.".split()
    assert 12 <= len(sentences) <= 16


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_offsets(prefix: str) -> None:
    text = _seed(prefix)
    _check_spans(text, split_sentences(text, "ru" if prefix == "003" else "en"))


def test_title_lines_inside_a_paragraph() -> None:
    text = "Politics\nBlinken visits Astana\nThe Secretary of State arrived on Tuesday. He met\nthe president."
    assert _sentences(text, "en") == [
        "Politics",
        "Blinken visits Astana",
        "The Secretary of State arrived on Tuesday.",
        "He met\nthe president.",
    ]


def test_hard_wrapped_paragraph_is_joined() -> None:
    text = (
        "The minister said that the talks in Astana had covered energy and\n"
        "Security cooperation, and that the two sides would meet again soon\n"
        "In Washington to continue the work begun this week in the capital.\n"
        "Nothing else was agreed."
    )
    assert len(_sentences(text, "en")) == 2


def test_no_punctuation_and_long_text() -> None:
    text = "word " * 2000
    sentences = split_sentences(text, "en")
    assert all(e - s <= MAX_SENTENCE_CHARS for s, e in sentences)
    _check_spans(text, sentences)


@pytest.mark.parametrize("lang", ["en", "ru", "xx"])
def test_crlf_tabs_nbsp(lang: str) -> None:
    text = "Заголовок\r\n\r\nFirst\u00a0one.\tSecond one!\r\nthird part.  Fourth?"
    sentences = _sentences(text, lang)
    assert sentences[0] == "Заголовок"
    assert sentences[-1] == "Fourth?"


def test_fallback_splits_cjk() -> None:
    assert _sentences("東京で会談した。合意した！", "ja") == ["東京で会談した。", "合意した！"]
