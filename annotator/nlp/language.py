"""Language of an article (langdetect, seeded) and of a single sentence (by script)."""
from __future__ import annotations

import threading

from langdetect import DetectorFactory, detect
from langdetect.lang_detect_exception import LangDetectException

# langdetect samples n-grams at random; without a fixed seed the same text can get two answers.
DetectorFactory.seed = 0

#: Returned when the language cannot be told (empty text, no letters, langdetect gave up).
UNDETERMINED = "und"
#: Below this many letters an article's language is told by its script, not by langdetect.
SHORT_TEXT = 40

#: Languages written in Cyrillic (ISO 639-1). A Cyrillic sentence in such an article keeps its language.
CYRILLIC_LANGS: frozenset[str] = frozenset({"ru", "uk", "be", "bg", "kk", "ky", "mk", "mn", "sr", "tg", "tt", "ba"})

#: Languages written in Latin script (ISO 639-1), including those langdetect can return.
LATIN_LANGS: frozenset[str] = frozenset(
    {
        "af", "az", "ca", "cs", "cy", "da", "de", "en", "es", "et", "eu", "fi", "fr", "ga", "gl", "hr",
        "hu", "id", "is", "it", "lt", "lv", "ms", "mt", "nl", "no", "nb", "nn", "pl", "pt", "ro", "sk",
        "sl", "so", "sq", "sv", "sw", "tl", "tr", "uz", "vi",
    }
)  # fmt: skip

# langdetect builds its profile table lazily on first use; two threads racing there can corrupt it.
_detect_lock = threading.Lock()


def detect_language(text: str) -> str:
    """The ISO 639-1 code of a whole article's language, or ``"und"`` when it cannot be told."""
    if not any(ch.isalpha() for ch in text):
        return UNDETERMINED
    cyrillic, latin = script_counts(text)
    if cyrillic + latin < SHORT_TEXT:
        # langdetect guesses wildly on a few words ("nl" for an English headline): use the script.
        return "ru" if cyrillic > latin else "en"
    try:
        with _detect_lock:
            code = detect(text)
    except LangDetectException:
        return UNDETERMINED
    # langdetect says "zh-cn"/"zh-tw"; the project stores plain ISO 639-1 codes.
    return code.split("-")[0].lower() or UNDETERMINED


def _is_cyrillic(ch: str) -> bool:
    # Cyrillic, Cyrillic Supplement, Extended-A/B/C: the letters Russian, Kazakh, Ukrainian, Serbian use.
    code = ord(ch)
    return 0x0400 <= code <= 0x052F or 0x2DE0 <= code <= 0x2DFF or 0xA640 <= code <= 0xA69F or 0x1C80 <= code <= 0x1C8F


def _is_latin(ch: str) -> bool:
    code = ord(ch)
    # Basic Latin letters plus Latin-1, Extended-A/B and Extended Additional (accented letters).
    return (
        ("a" <= ch <= "z")
        or ("A" <= ch <= "Z")
        or (0x00C0 <= code <= 0x024F and code not in (0x00D7, 0x00F7))
        or 0x1E00 <= code <= 0x1EFF
    )


def script_counts(text: str) -> tuple[int, int]:
    """``(cyrillic letters, latin letters)`` in ``text``."""
    cyrillic = latin = 0
    for ch in text:
        if not ch.isalpha():
            continue
        if _is_cyrillic(ch):
            cyrillic += 1
        elif _is_latin(ch):
            latin += 1
    return cyrillic, latin


def sentence_language(text: str, article_lang: str) -> str:
    """The language of one sentence, told by its script (langdetect is unreliable on short text).

    Mostly Cyrillic: the article's language if that is a Cyrillic one, else ``"ru"``. Mostly Latin: the
    article's language if that is a Latin-script one, else ``"en"``. Neither (or a tie): the article's.
    """
    cyrillic, latin = script_counts(text)
    if cyrillic > latin:
        return article_lang if article_lang in CYRILLIC_LANGS else "ru"
    if latin > cyrillic:
        return article_lang if article_lang in LATIN_LANGS else "en"
    return article_lang
