"""Cyrillic-to-Latin transliteration, folded match keys and consonant skeletons for cross-script names."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# A simple, readable scheme (close to the one English-language news uses for Russian names), with the
# extra letters of Kazakh, Ukrainian, Belarusian and Serbian/Macedonian. Keys are lowercase.
_CYRILLIC_TO_LATIN: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Kazakh
    "ә": "a", "ғ": "g", "қ": "k", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    # Ukrainian and Belarusian
    "є": "ye", "ї": "yi", "ґ": "g", "ў": "u",
    # Serbian and Macedonian
    "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dzh", "ѓ": "gj", "ќ": "kj", "ѕ": "dz",
}  # fmt: skip

_VOWELS = set("aeiouy")
# Spellings that differ between transliteration habits but sound alike: Zhomart/Jomart, Tokhtar/Toktar,
# Philip/Filip, Walter/Valter, Alexei/Aleksei. Applied in order, before vowels and "h" are dropped.
_SKELETON_SUBS: tuple[tuple[str, str], ...] = (
    ("dzh", "j"), ("zh", "j"), ("kh", "k"), ("ph", "f"), ("ck", "k"), ("x", "ks"), ("q", "k"),
    ("w", "v"), ("ts", "c"),
)  # fmt: skip
_NOT_KEY = re.compile(r"[^\w\s-]|_")


def to_latin(text: str) -> str:
    """``text`` with Cyrillic letters transliterated to Latin; everything else is left as it is."""
    out: list[str] = []
    for i, ch in enumerate(text):
        latin = _CYRILLIC_TO_LATIN.get(ch.lower())
        if latin is None:
            out.append(ch)
        elif ch.islower() or not latin:
            out.append(latin)
        else:
            # "Ж" in "Жомарт" is "Zh", in "ЖКХ" it is "ZH": follow the case of the neighbouring letters.
            nxt = text[i + 1] if i + 1 < len(text) else ""
            prev = text[i - 1] if i else ""
            shouting = nxt.isupper() or (not nxt.isalpha() and prev.isupper())
            out.append(latin.upper() if shouting else latin.capitalize())
    return "".join(out)


@lru_cache(maxsize=1 << 16)  # the resolver folds every mention against every candidate: remember
def fold(text: str) -> str:
    """A match key: lowercase, Latin, no diacritics, only letters, digits, single spaces and hyphens."""
    # Transliterate before decomposing: NFKD would split "й" into "и" + breve and lose the letter.
    latin = to_latin(unicodedata.normalize("NFC", text).lower())
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", latin) if not unicodedata.combining(ch))
    # Drop punctuation without leaving a gap ("U.S." -> "us"), but keep words apart.
    return " ".join(_NOT_KEY.sub("", bare).split())


def skeleton(text: str) -> str:
    """A consonant skeleton for fuzzy cross-script matching: Blinken/Блинкен -> "blnkn".

    Folds, evens out transliteration variants, drops vowels (and "y") and "h", collapses doubled letters.
    """
    key = fold(text).replace("-", " ")
    for old, new in _SKELETON_SUBS:
        key = key.replace(old, new)
    out: list[str] = []
    for ch in key:
        if ch in _VOWELS or ch == "h" or ch.isspace():
            continue
        if out and out[-1] == ch:
            continue
        out.append(ch)
    return "".join(out)


def similarity(a: str, b: str) -> float:
    """Levenshtein similarity in [0, 1]: 1 - distance / length of the longer string."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1.0 - previous[-1] / max(len(a), len(b))
