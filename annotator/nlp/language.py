"""Language of an article (langdetect, seeded) and of a single sentence (by script)."""
from __future__ import annotations

import functools
import gc
import json
import os
import re
import sys
import threading
import time
from typing import Any, Mapping

from langdetect import DetectorFactory, detector_factory
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.lang_profile import LangProfile
from langdetect.utils.ngram import NGram

# langdetect samples n-grams at random; without a fixed seed the same text can get two answers.
DetectorFactory.seed = 0

#: Returned when the language cannot be told (empty text, no letters, langdetect gave up).
UNDETERMINED = "und"
#: Below this many letters an article's language is told by its script, not by langdetect.
SHORT_TEXT = 40
#: langdetect reads at most this many characters of an article (cut at a space): its answer is
#: settled long before, and reading 10,000 characters costs ten times as much.
DETECT_PREFIX = 1000
#: An article this Cyrillic (share of its letters; langdetect drops the Latin letters of a text
#: over 2/3 non-Latin anyway) with a letter only Russian has and none Russian lacks is Russian.
RUSSIAN_SHARE = 0.8

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


def _is_cyrillic(code: int) -> bool:
    # Cyrillic, Cyrillic Supplement, Extended-A/B/C: the letters Russian, Kazakh, Ukrainian, Serbian use.
    return 0x0400 <= code <= 0x052F or 0x2DE0 <= code <= 0x2DFF or 0xA640 <= code <= 0xA69F or 0x1C80 <= code <= 0x1C8F


def _is_latin(code: int) -> bool:
    # Basic Latin letters plus Latin-1, Extended-A/B and Extended Additional (accented letters).
    return (
        0x41 <= code <= 0x5A
        or 0x61 <= code <= 0x7A
        or (0x00C0 <= code <= 0x024F and code not in (0x00D7, 0x00F7))
        or 0x1E00 <= code <= 0x1EFF
    )


def _letter_class(test: object) -> re.Pattern[str]:
    """A regex of every letter (``str.isalpha``) whose code point passes ``test``: counting
    matches in C is ~20 times faster than a Python call per character."""
    codes = [c for c in range(0x2000 if test is _is_latin else 0xA6A0)
             if test(c) and chr(c).isalpha()]  # type: ignore[operator]
    return re.compile("[" + "".join(re.escape(chr(c)) for c in codes) + "]")


@functools.cache
def _script_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The Cyrillic and Latin letter classes, built on first use (0.1 s: not on every start)."""
    return _letter_class(_is_cyrillic), _letter_class(_is_latin)

# Russian has ы and э, which Ukrainian, Bulgarian, Macedonian and Serbian lack; the other
# Cyrillic languages have letters Russian lacks (і ї є ґ ў қ ә ј љ ...): with none of those, a
# text that is Cyrillic and has ы or э is Russian.
_RUSSIAN_ONLY_RE = re.compile("[ыэЫЭ]")
_NOT_RUSSIAN_RE = re.compile("[^\u0410-\u044f\u0401\u0451]")


def script_counts(text: str) -> tuple[int, int]:
    """``(cyrillic letters, latin letters)`` in ``text``."""
    cyrillic_re, latin_re = _script_res()
    return len(cyrillic_re.findall(text)), len(latin_re.findall(text))


def detect_language(text: str) -> str:
    """The ISO 639-1 code of a whole article's language, or ``"und"`` when it cannot be told.

    Told by the script where that decides (a short text; a Russian one), else by langdetect on
    the first :data:`DETECT_PREFIX` characters."""
    if not any(ch.isalpha() for ch in text):
        return UNDETERMINED
    cyrillic, latin = script_counts(text)
    if cyrillic + latin < SHORT_TEXT:
        # langdetect guesses wildly on a few words ("nl" for an English headline): use the script.
        return "ru" if cyrillic > latin else "en"
    if cyrillic >= RUSSIAN_SHARE * (cyrillic + latin) and _is_russian(text):
        return "ru"
    try:
        with _detect_lock:
            code = _langdetect(_prefix(text))
    except LangDetectException:
        return UNDETERMINED
    # langdetect says "zh-cn"/"zh-tw"; the project stores plain ISO 639-1 codes.
    return code.split("-")[0].lower() or UNDETERMINED


def _is_russian(text: str) -> bool:
    cyrillic = "".join(_script_res()[0].findall(text))
    return bool(_RUSSIAN_ONLY_RE.search(cyrillic)) and not _NOT_RUSSIAN_RE.search(cyrillic)


def _prefix(text: str) -> str:
    if len(text) <= DETECT_PREFIX:
        return text
    cut = text.rfind(" ", 0, DETECT_PREFIX + 1)
    return text[: cut if cut > DETECT_PREFIX // 2 else DETECT_PREFIX]


class _Normalized(dict[int, str]):
    """langdetect's per-character normalisation as a ``str.translate`` table, filled as characters
    are met (a pure function of the character; always one character)."""

    def __missing__(self, code: int) -> str:
        self[code] = out = NGram.normalize(chr(code))
        return out


_normalized = _Normalized()


def _word_ngrams(chars: str, table: Mapping[str, Any]) -> list[str]:
    """``Detector._extract_ngrams`` of already normalised ``chars`` from a fresh state: the same
    n-grams in the same order (``NGram.add_char``'s state machine, inlined)."""
    grams = " "
    capital = False
    out: list[str] = []
    for ch in chars:
        last = grams[-1]
        if last == " ":
            grams = " "
            capital = False
            if ch == " ":
                continue
        elif len(grams) >= 3:
            grams = grams[1:]
        grams += ch
        if ch.isupper():
            if last.isupper():
                capital = True
        else:
            capital = False
        if capital:
            continue
        if ch != " " and ch in table:
            out.append(ch)
        if len(grams) >= 2:
            if grams[-2:] in table:
                out.append(grams[-2:])
            if len(grams) >= 3 and grams in table:
                out.append(grams)
    return out


#: The n-grams of each word met (with and without the space after it) and the table they were
#: looked up in: ``(table, {word: n-grams})``.
_word_cache: tuple[object, dict[str, list[str]]] = (None, {})
_WORD_CACHE_MAX = 50_000  # ~250 bytes a word (the n-grams are interned): ~12 MB at most


def _extract_ngrams(text: str, table: Mapping[str, Any]) -> list[str]:
    """``Detector._extract_ngrams``: the same n-grams in the same order, word by word.

    The state machine starts afresh after every space, so the n-grams of a text are those of its
    space-separated words (each with the space after it, the last only if the text ends in one),
    one after another; words repeat, so each word's are looked up once."""
    global _word_cache
    words = text.translate(_normalized).split(" ")
    last = len(words) - 1
    if _word_cache[0] is not table or len(_word_cache[1]) > _WORD_CACHE_MAX:
        _word_cache = (table, {})
    cache = _word_cache[1]
    out: list[str] = []
    for i, word in enumerate(words):
        if not word:
            continue  # a space after a space (or at the start) adds nothing
        key = word + " " if i < last else word
        grams = cache.get(key)
        if grams is None:
            cache[key] = grams = [sys.intern(g) for g in _word_ngrams(key, table)]
        out += grams
    return out


_factory: DetectorFactory | None = None  # ours, not langdetect's global (its values are lists)


def _detector_factory() -> DetectorFactory:
    """What ``detector_factory.init_factory()`` builds: the same profiles in the same order, so the
    same numbers and answers, without holding the GIL for long. Loaded in an import's worker thread,
    langdetect's own loader kept the window's thread waiting up to 0.3 s (bench:
    ``import_stall_max``): its ~88k probability lists set off a full garbage collection (80 ms
    alone, more beside Qt's objects), and every later full collection walks them again. Here the
    collector is off while loading, the probabilities end up in numpy rows the collector does not
    track, and a short pause after each profile and block lets the window run."""
    global _factory
    if _factory is None:
        collecting = gc.isenabled()
        gc.disable()
        try:
            _factory = _load_profiles()
        finally:
            if collecting:
                gc.enable()
    return _factory


def _load_profiles() -> DetectorFactory:
    folder = detector_factory.PROFILES_DIRECTORY
    names = os.listdir(folder)  # langdetect's order and size: the index of each language
    factory = DetectorFactory()
    index = 0
    for name in names:
        path = os.path.join(folder, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8") as fh:
                profile = LangProfile(**json.load(fh))
        except (OSError, ValueError, TypeError) as exc:
            raise LangDetectException(ErrorCode.FileLoadError,
                                      f"cannot read langdetect's profile {path}: {exc}") from exc
        factory.add_profile(profile, index, len(names))
        index += 1
        time.sleep(0.001)
    # One float64 row per n-gram (the same values): numpy arrays are not tracked by the garbage
    # collector, so no collection ever walks them. Filled in blocks, pausing between blocks.
    import numpy as np

    lists = factory.word_lang_prob_map
    rows = np.empty((len(lists), len(names)), dtype=np.float64)
    words = list(lists)
    for start in range(0, len(words), _BLOCK):
        block = words[start:start + _BLOCK]
        rows[start:start + len(block)] = [lists[w] for w in block]
        time.sleep(0.001)
    factory.word_lang_prob_map = {w: rows[i] for i, w in enumerate(words)}
    del lists, words
    return factory


_BLOCK = 4096  # n-grams per block of rows: ~5 ms of copying


def _detector_text(det: Any, text: str) -> str:
    """``det.append(text)`` then ``det.cleaning_text()``: the same text, with regexes in place of
    langdetect's loops over every character."""
    text = det.URL_RE.sub(" ", text)
    text = det.MAIL_RE.sub(" ", text)
    text = NGram.normalize_vi(text)
    # append() keeps a space only after a character that is not one: a run of spaces is one.
    text = _SPACES.sub(" ", text[: det.max_text_length])
    # cleaning_text(): a text with over twice as many non-Latin letters as 'A'..'z' loses the latter.
    if 2 * len(_ASCII_RANGE.findall(text)) < len(_NON_LATIN.findall(text)):
        text = _ASCII_RANGE.sub("", text)
    return text


_SPACES = re.compile(" {2,}")
_ASCII_RANGE = re.compile("[A-z]")  # langdetect's 'A' <= ch <= 'z' (with [ \\ ] ^ _ `)
# ch >= U+0300 outside the Latin Extended Additional block (U+1E00-U+1EFF)
_NON_LATIN = re.compile("[\u0300-\u1dff\u1f00-\U0010ffff]")


def _choice_is_inlinable() -> bool:
    """Whether ``random.Random.choice`` draws as :func:`_langdetect` does by hand (Python 3.11's
    ``_randbelow_with_getrandbits``); otherwise ``choice`` itself is called."""
    import random

    a, b = random.Random(0), random.Random(0)
    seq = list(range(37))
    for _ in range(500):
        k = len(seq).bit_length()
        r = b.getrandbits(k)
        while r >= len(seq):
            r = b.getrandbits(k)
        if a.choice(seq) != seq[r]:
            return False
    return True


_INLINE_CHOICE = _choice_is_inlinable()


def _langdetect(text: str) -> str:
    """``langdetect.detect(text)``, the same answer bit for bit, ~6 times faster.

    langdetect's own loop multiplies ~55 language probabilities in Python for each of hundreds of
    sampled n-grams; here each step is one numpy product over the same float64 values in the same
    order (elementwise IEEE products and quotients are identical), with the same seeded random
    draws and the same sequential sum, so the result cannot differ. The text is prepared and its
    n-grams extracted with regexes and a per-word cache instead of a loop over characters.
    """
    import numpy as np

    det = _detector_factory().create()
    table = det.word_lang_prob_map
    ngrams = _extract_ngrams(_detector_text(det, text), table)
    if not ngrams:
        raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
    n = len(det.langlist)
    langprob = np.zeros(n)
    rnd = det.random
    rnd.seed(det.seed)
    count = len(ngrams)
    bits = count.bit_length()
    getrandbits = rnd.getrandbits
    choice = None if _INLINE_CHOICE else rnd.choice
    threshold, limit = det.CONV_THRESHOLD, det.ITERATION_LIMIT
    for _ in range(det.n_trial):
        prob = np.full(n, 1.0 / n) if det.prior_map is None else np.array(det.prior_map)
        alpha = det.alpha + rnd.gauss(0.0, 1.0) * det.ALPHA_WIDTH
        weight = alpha / det.BASE_FREQ
        i = 0
        while True:
            if choice is None:  # rnd.choice(ngrams), inlined
                r = getrandbits(bits)
                while r >= count:
                    r = getrandbits(bits)
                word = ngrams[r]
            else:
                word = choice(ngrams)
            prob *= weight + table[word]
            if i % 5 == 0:
                values = prob.tolist()
                total = sum(values)  # Python's sum, as langdetect's: same rounding
                prob /= total
                # max(p / total) is max(p) / total: a correctly rounded quotient is monotonic.
                if max(values) / total > threshold or i >= limit:
                    break
            i += 1
        langprob += prob / det.n_trial
    best = [(p, lang) for lang, p in zip(det.langlist, langprob.tolist()) if p > det.PROB_THRESHOLD]
    # langdetect sorts stably by probability: on a tie the first in its list wins, as max() does.
    return max(best, key=lambda pair: pair[0])[1] if best else det.UNKNOWN_LANG


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
