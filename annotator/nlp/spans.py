"""Span rules applied after the NER models: determiners, possessives, titles before names, demonyms."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from annotator.model import Mention

if TYPE_CHECKING:
    from annotator.nlp.targets import Gazetteer

# The per-language lists are the documented ones (docs/nlp.md, tests/data/ner_eval/GUIDELINES.md).
#: English words that head a title or role before a person's name (lowercase).
EN_TITLES: frozenset[str] = frozenset(
    """president vice-president minister secretary secretary-general chancellor premier ambassador envoy
    senator governor mayor spokesman spokeswoman spokesperson chairman chairwoman commissioner
    king queen prince princess pope patriarch sheikh emir sultan mr mrs ms dr prof sir dame
    general colonel lieutenant admiral""".split()
)
#: Titles that also start organisation names ("General Assembly", "King's College"): only cut from a
#: span the model already called a person.
EN_WEAK_TITLES: frozenset[str] = frozenset({"general", "colonel", "lieutenant", "admiral", "king", "queen",
                                            "prince", "princess", "sir", "dame"})
#: Words that may stand between a title and the name: "Secretary of State Antony Blinken".
EN_TITLE_TAILS: tuple[tuple[str, ...], ...] = (("of", "state"), ("of", "defense"), ("of", "defence"),
                                               ("of", "the", "treasury"))
#: Russian title stems (lowercase, compared as word prefixes so every case form matches).
RU_TITLES: tuple[str, ...] = (
    "президент", "вице-президент", "министр", "замминистр", "госсекретар", "премьер", "вице-премьер",
    "посол", "генсек", "спикер", "председател", "канцлер", "сенатор", "губернатор", "мэр", "глав",
    "пресс-секретар", "господин", "госпож", "г-н", "г-жа", "генерал", "король", "корол",
)  # fmt: skip
#: Words that make a span an organisation whatever title stands in it ("Presidential Administration").
ORG_WORDS: frozenset[str] = frozenset(
    """ministry department council committee commission office administration agency assembly union
    bank party service court parliament government organization organisation university institute
    forum fund association""".split()
)
_LEADING_DETERMINER = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$", re.IGNORECASE)
_WORD = re.compile(r"\S+")
_CYRILLIC = re.compile(r"[\u0400-\u052f]")
#: A word at least this long that is one slip from a title is a typo'd title ("Secreatry").
TYPO_MIN_CHARS = 6


def _bare(word: str) -> str:
    return word.strip(".,;:!?\"'«»“”()").lower()


@lru_cache(maxsize=1 << 16)  # the typo search tries every long title: words repeat, so remember
def is_title(word: str, strong_only: bool = False) -> bool:
    """True for a title or role word in English or Russian, typos of long English titles included."""
    w = _bare(word)
    if not w:
        return False
    if _CYRILLIC.search(w):
        return any(w.startswith(stem) for stem in RU_TITLES)
    titles = EN_TITLES - EN_WEAK_TITLES if strong_only else EN_TITLES
    if w in titles:
        return True
    return len(w) >= TYPO_MIN_CHARS and any(len(t) >= TYPO_MIN_CHARS and _typo(w, t) for t in titles)


def _typo(word: str, title: str) -> bool:
    """One slip of the keyboard: a letter wrong, missing or extra, or two neighbours swapped."""
    if abs(len(word) - len(title)) > 1:
        return False
    if len(word) == len(title):
        diff = [i for i, (a, b) in enumerate(zip(word, title)) if a != b]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and word[diff[0]] == title[diff[1]] \
                and word[diff[1]] == title[diff[0]]:
            return True
    return _one_edit(word, title)


def _one_edit(a: str, b: str) -> bool:
    """Levenshtein distance at most 1, in one pass: skip the common prefix, then the rest must be
    equal after dropping one letter (or one letter from each, for a substitution)."""
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:]
    return a[i:] == b[i + 1:]


def _name_like(word: str) -> bool:
    return word[:1].isupper() and not is_title(word)


def _words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(start + m.start(), start + m.end()) for m in _WORD.finditer(text[start:end])]


def _strip_determiner_possessive(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    m = _LEADING_DETERMINER.match(piece)
    if m and m.end() < len(piece):
        start += m.end()
        piece = text[start:end]
    p = _POSSESSIVE.search(piece)
    if p and p.start() > 0:
        end = start + p.start()
    return start, end


def _title_cut(text: str, words: list[tuple[int, int]], strong_only: bool) -> int | None:
    """Index of the first name word after the last title that only names follow, or None."""
    lowered = [_bare(text[s:e]) for s, e in words]
    for i in range(len(words) - 2, -1, -1):
        if not is_title(text[words[i][0]:words[i][1]], strong_only):
            continue
        j = i + 1
        for tail in EN_TITLE_TAILS:
            if tuple(lowered[j:j + len(tail)]) == tail:
                j += len(tail)
                break
        rest = words[j:]
        if rest and all(_name_like(text[s:e]) for s, e in rest):
            return j
    return None


def _trailing_title(text: str, words: list[tuple[int, int]]) -> int | None:
    """Index of the first word of a title run that ends the span ("US Secreatry"), or None."""
    k = len(words)
    while k > 0 and is_title(text[words[k - 1][0]:words[k - 1][1]], strong_only=True):
        k -= 1
    return k if k < len(words) else None


def _before_title(text: str, end: int) -> bool:
    """True when the word right after ``end`` (same line) is a strong title ("Trade| Minister")."""
    after = text[end:end + 40]
    if not after.startswith(" "):
        return False
    words = after.split()
    return bool(words) and is_title(words[0], strong_only=True)


def _after_title(text: str, start: int) -> bool:
    """True when the word just before ``start`` (same line) is a strong title."""
    before = text[max(0, start - 40):start]
    if not before.endswith((" ", "\u00a0")) or "\n" in before[-2:]:
        return False
    words = before.split()
    return bool(words) and is_title(words[-1], strong_only=True)


def normalise_mention(text: str, mention: Mention, gazetteer: Gazetteer | None = None) -> Mention | None:
    """One mention after the span rules (a new object; ``raw_label`` kept), or None when dropped.

    1. a leading determiner and a possessive ending go ("the United States’" -> "United States");
    2. a title or role before a name goes, and the rest is a person ("Kazakh President Kassym-Jomart
       Tokayev" ORG -> "Kassym-Jomart Tokayev" PER); for spans not tagged PER only strong titles count
       and a span with an organisation word ("Ministry") is left alone;
    3. a span that ends in a title ("US Secreatry") loses it; what remains is kept if it names a
       gazetteer entry (with the entry's kind) or is a demonym (MISC), else dropped;
    4. an ORG/LOC span right after a strong title, with no organisation word, is a person;
    5. a demonym or nationality adjective is MISC ("Kazakh", "Russians"), never PER/ORG/LOC.
    Offsets stay exact: ``text[start:end] == mention.text``.
    """
    start, end = _strip_determiner_possessive(text, mention.start, mention.end)
    label = mention.label
    words = _words(text, start, end)
    if not words:
        return None
    lowered = {_bare(text[s:e]) for s, e in words}
    organisation = bool(lowered & ORG_WORDS)
    if len(words) > 1 and not (organisation and label != "PER"):
        cut = _title_cut(text, words, strong_only=label != "PER")
        if cut is not None:
            words = words[cut:]
            start, label = words[0][0], "PER"
    if len(words) >= 1 and not organisation:
        k = _trailing_title(text, words)
        if k is not None:
            if k == 0:
                return None  # a bare title ("Secretary") is no entity
            words = words[:k]
            end = words[-1][1]
            rest = text[start:end]
            entry = gazetteer.lookup(rest) if gazetteer is not None else None
            if entry is not None:
                label = entry.kind
            elif gazetteer is not None and gazetteer.is_demonym(rest):
                label = "MISC"
            else:
                return None
    words = _words(text, start, end)
    for i in range(1, len(words)):
        w = text[words[i][0]:words[i][1]]
        nxt = text[words[i + 1][0]:words[i + 1][1]] if i + 1 < len(words) else ""
        if w[:1].isdigit() and nxt[:1].islower():
            end = words[i - 1][1]  # "Apple 1.8 billion": the name stops before an amount
            words = words[:i]
            break
    if label != "PER" and not organisation and _before_title(text, end):
        # "Trade [Minister]", "Kazakh Foreign [Minister]": words of a title, not a name. Keep the
        # longest head that names a gazetteer entry or is a demonym; else drop the span.
        while words:
            rest = text[start:words[-1][1]]
            entry = gazetteer.lookup(rest) if gazetteer is not None else None
            if entry is not None or (gazetteer is not None and gazetteer.is_demonym(rest)):
                end = words[-1][1]
                if entry is None:
                    label = "MISC"
                break
            words = words[:-1]
        if not words:
            return None
    if label in ("ORG", "LOC") and not organisation and _after_title(text, start):
        if gazetteer is None or gazetteer.lookup(text[start:end]) is None:
            label = "PER"  # "President [Kassym-Jomart Tokayev]" with the title left outside the span
    start, end = _strip_determiner_possessive(text, start, end)
    surface = text[start:end]
    if gazetteer is not None and gazetteer.is_demonym(surface):
        label = "MISC"
    if start == mention.start and end == mention.end and label == mention.label:
        return mention
    normal = mention.normal if (start, end) == (mention.start, mention.end) else None
    if normal is None or (_CYRILLIC.search(surface) is None and not surface.isupper()):
        normal = surface  # (an acronym keeps the name it stands for)
    return replace(mention, start=start, end=end, text=surface, label=label, normal=normal)


#: A dateline: a place in capitals at the start of a line, then a comma or full stop and a date.
_DATELINE = re.compile(r"[,.]\s*(?:\d|[A-Za-z]{3,9}\.?\s+\d|[а-яё]+\s*\d|\d{1,2}\s+[а-яё]+)")


def is_dateline(text: str, mention: Mention) -> bool:
    """True for the place of a dateline ("TOKYO, March 3 –", "АСТАНА, 12 марта."): metadata, no mention."""
    line_start = text.rfind("\n", 0, mention.start) + 1
    if text[line_start:mention.start].strip():
        return False
    letters = [ch for ch in mention.text if ch.isalpha()]
    if len(letters) < 2 or not all(ch.isupper() for ch in letters):
        return False
    after = text[mention.end:mention.end + 20]
    return bool(_DATELINE.match(after)) or (after[:1] in ",." and not after[1:2].isalnum()
                                            and bool(re.match(r"[,.]\s*\S*\d", after)))


_BRACKETED = re.compile(r"^(.*\S)\s+\(([^()\s]+)\)?$")


def _split_bracketed(text: str, mention: Mention) -> list[Mention]:
    """"World Health Organization (WHO)" is two mentions of one name: the name and its acronym."""
    m = _BRACKETED.match(mention.text)
    if m is None or not any(ch.isupper() for ch in m.group(2)):
        return [mention]
    name_end = mention.start + len(m.group(1))
    acr_start = mention.start + m.start(2)
    acr_end = acr_start + len(m.group(2))
    name = text[mention.start:name_end]
    # The acronym's normal form is the name it abbreviates, so both find one target.
    return [replace(mention, end=name_end, text=name, normal=None),
            replace(mention, start=acr_start, end=acr_end, text=text[acr_start:acr_end], normal=name)]


def _join_org_country(text: str, mentions: list[Mention], gazetteer: Gazetteer | None) -> list[Mention]:
    """Russian: an organisation followed by the country it belongs to is one name ("МИД России",
    "Госдепартамента США"): the models tag the two words apart."""
    out: list[Mention] = []
    for m in sorted(mentions, key=lambda m: m.start):
        prev = out[-1] if out else None
        if (prev is not None and prev.label == "ORG" and m.label == "LOC" and _CYRILLIC.search(prev.text)
                and text[prev.end:m.start] == " " and len(m.text.split()) == 1
                and (gazetteer is None or gazetteer.lookup(m.text) is not None)):
            out[-1] = replace(prev, end=m.end, text=text[prev.start:m.end],
                              normal=f"{prev.normal or prev.text} {m.text}")
            continue
        out.append(m)
    return out


def normalise_mentions(text: str, mentions: Iterable[Mention],
                       gazetteer: Gazetteer | None = None) -> list[Mention]:
    """:func:`normalise_mention` over an article's mentions, dropped ones left out; datelines go and
    a Russian organisation + country pair becomes one name."""
    out = []
    for m in (piece for mention in mentions for piece in _split_bracketed(text, mention)):
        n = normalise_mention(text, m, gazetteer)
        if n is not None and not is_dateline(text, n):
            out.append(n)
    return _join_org_country(text, out, gazetteer)
