"""Scraper boilerplate lines and the title line."""
from __future__ import annotations

from pathlib import Path

import pytest

from annotator.nlp.boilerplate import is_boilerplate, is_slug, title_line
from annotator.nlp.sentences import split_paragraphs

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.mark.parametrize(
    "text",
    [
        "Leave a Comment",
        "Leave a Reply",
        "LEAVE A REPLY Cancel reply",
        "Back to top button",
        "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
        "Learn how your comment data is processed.",
        "Related Articles",
        "Share this:",
        "Share on Facebook",
        "Read more »",
        "Read more: Blinken arrives in Astana",
        "Subscribe to our newsletter",
        "All news",
        "See more",
        "We use cookies to ensure that we give you the best experience on our website. If you continue to "
        "use this site we will assume that you are happy with it.",
        "kk-mos/sc",
        "ml/ss",
        "  Advertisement  ",
        "Tags: Kazakhstan, USA",
        "© 2023 Reuters. All rights reserved.",
        "Читайте также: Токаев встретился с Блинкеном",
        "Поделиться",
        "Подписывайтесь на наш Telegram-канал",
        "Все новости",
        "Комментарии (3)",
        "При использовании материалов ссылка на источник обязательна.",
        "Leave a Comment\n\nBack to top button",
    ],
)
def test_boilerplate(text: str) -> None:
    assert is_boilerplate(text)


@pytest.mark.parametrize(
    "text",
    [
        "The State Department declined to comment on the report.",
        "Blinken did not comment on the sanctions, the statement said.",
        "No comment, said the minister.",
        "Leave a comment below if you agree with the minister about sanctions on Russia.",
        "Subscribers to the service rose sharply after the visit.",
        "See more people in the region than ever before, the minister said.",
        "Read the statement carefully, Price said, because every word matters.",
        "Комментарии министра вызвали споры в Астане.",
        "Подписаться под заявлением отказались пять стран.",
        "Copyright holders sued the ministry.",
        "Erdni Kagaltynov",
        "Politics",
        "pro-russian",
        "US-Kazakhstan Relations",
        "",
    ],
)
def test_not_boilerplate(text: str) -> None:
    assert not is_boilerplate(text)


def test_slug() -> None:
    assert is_slug("kk-mos/sc") and is_slug("ap-ru") and not is_slug("e-mail") and not is_slug("Kk-mos/sc")


def _paragraphs(prefix: str) -> list[str]:
    text = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    return [text[s:e] for s, e in split_paragraphs(text)]


@pytest.mark.parametrize(
    ("prefix", "title"),
    [
        ("000", "US seeks to minimize impact on Kazakhstan from sanctions imposed on Russia — Blinken"),
        ("001", "Kazakh Foreign Minister says he sees no threats from Russia"),
        ("003", "Госсекретарь США прокомментировал влияние антироссийских санкций на Казахстан"),
        ("004", "Blinken expresses support for Kazakhstan’s sovereignty, territorial integrity"),
    ],
)
def test_title_line_on_seeds(prefix: str, title: str) -> None:
    paragraphs = _paragraphs(prefix)
    assert paragraphs[title_line(paragraphs)] == title


def test_title_line_edge_cases() -> None:
    assert title_line([]) == 0
    assert title_line(["Leave a Reply"]) == 0
    assert title_line(["Russia", "Iran"]) == 0  # a short line followed by a shorter one is the title
    assert title_line(["Share this", "World news", "A much longer headline follows here", "Body."]) == 2
    assert title_line(["Blinken visits", "Body text that is longer."]) == 0
