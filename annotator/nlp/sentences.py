"""Paragraph and sentence boundaries as offsets into the original text (syntok, razdel, a regex)."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import razdel
import syntok.segmenter

from annotator.nlp.language import CYRILLIC_LANGS, LATIN_LANGS

#: Sentences longer than this are cut at a space: text without punctuation must still give units a
#: person can read and label.
MAX_SENTENCE_CHARS = 1500

# A blank line: a line break, then one or more lines holding nothing but (non-newline) whitespace.
_BLANK_LINES = re.compile(r"(?:\r\n|\r|\n)(?:[^\S\r\n]*(?:\r\n|\r|\n))+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Sentence ends for the fallback splitter: terminal punctuation, optional closing quotes/brackets, then
# whitespace; CJK full stops need no space after them.
_FALLBACK_END = re.compile(r"[.!?…؟।]+[\"'”’»)\]]*(?=\s)|[。！？]+[\"'”’»）」』]*")

Span = tuple[int, int]


def _strip(text: str, start: int, end: int) -> Span:
    """``(start, end)`` narrowed so that neither end is whitespace (may become empty)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_paragraphs(text: str) -> list[Span]:
    """Paragraphs split on blank lines, as trimmed ``(start, end)`` offsets into ``text``."""
    spans: list[Span] = []
    pos = 0
    for match in _BLANK_LINES.finditer(text):
        spans.append(_strip(text, pos, match.start()))
        pos = match.end()
    spans.append(_strip(text, pos, len(text)))
    return [(s, e) for s, e in spans if e > s]


def _lines(text: str, start: int, end: int) -> list[Span]:
    spans: list[Span] = []
    pos = start
    for match in _LINE_BREAK.finditer(text, start, end):
        spans.append(_strip(text, pos, match.start()))
        pos = match.end()
    spans.append(_strip(text, pos, end))
    return [(s, e) for s, e in spans if e > s]


def _hard_wrapped(text: str, lines: list[Span]) -> bool:
    """True when lines look wrapped at a fixed width (an e-mail or a .txt file), not one line per unit."""
    if len(lines) < 3:
        return False
    widths = [e - s for s, e in lines[:-1]]
    widest = max(widths)
    return widest >= 40 and all(w >= 0.75 * widest for w in widths)


def _soft_break(text: str, before: Span, after: Span) -> bool:
    """True when a single line break inside a paragraph continues the same sentence."""
    last = text[before[1] - 1]
    first = text[after[0]]
    # A lowercase start, or a line ending mid-clause, continues; a title over its text does not.
    return first.islower() or last in ",;-‐‑–—("


def _blocks(text: str, paragraph: Span) -> list[Span]:
    """A paragraph cut at line breaks that start a new unit (titles, list items, one-line paragraphs)."""
    lines = _lines(text, *paragraph)
    if len(lines) <= 1 or _hard_wrapped(text, lines):
        return [paragraph]
    blocks = [lines[0]]
    for line in lines[1:]:
        if _soft_break(text, blocks[-1], line):
            blocks[-1] = (blocks[-1][0], line[1])
        else:
            blocks.append(line)
    return blocks


def _syntok_starts(chunk: str) -> Iterable[int]:
    for paragraph in syntok.segmenter.analyze(chunk):
        for sentence in paragraph:
            # token.offset indexes the string we passed in; token.value may be normalised, so only the
            # offset is used, and the sentence runs up to where the next one starts.
            for token in sentence:
                yield token.offset
                break


def _razdel_starts(chunk: str) -> Iterable[int]:
    for sentence in razdel.sentenize(chunk):
        yield sentence.start


def _regex_starts(chunk: str) -> Iterable[int]:
    yield 0
    for match in _FALLBACK_END.finditer(chunk):
        yield match.end()


def _segmenter(lang: str) -> Callable[[str], Iterable[int]]:
    if lang in LATIN_LANGS:
        return _syntok_starts
    if lang in CYRILLIC_LANGS:
        return _razdel_starts
    return _regex_starts


def _shouted(word: str) -> bool:
    """A word in capitals (WASHINGTON, TASS), as in a wire-service dateline."""
    letters = [ch for ch in word if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _is_dateline(text: str, span: Span) -> bool:
    """A short fragment ending in a full stop, like "Astana. 28 February." or "WASHINGTON, May 21 /TASS/."."""
    piece = text[span[0] : span[1]]
    words = piece.split()
    if len(piece) > 40 or len(words) > 4 or not piece.endswith("."):
        return False
    # A place, a date or an agency in capitals; a short real sentence ("He refused.") has none of these.
    return len(words) == 1 or any(ch.isdigit() for ch in piece) or any(_shouted(w) for w in words)


def _cut_long(text: str, span: Span) -> list[Span]:
    start, end = span
    out: list[Span] = []
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        cut = limit
        # Cut after the last space before the limit, so no word is broken when there is a space at all.
        for i in range(limit, start + MAX_SENTENCE_CHARS // 2, -1):
            if text[i - 1].isspace():
                cut = i
                break
        piece = _strip(text, start, cut)
        if piece[1] > piece[0]:
            out.append(piece)
        start = _strip(text, cut, end)[0]
    if end > start:
        out.append((start, end))
    return out


def _split_block(text: str, block: Span, lang: str) -> list[Span]:
    start, end = block
    chunk = text[start:end]
    starts = {start}
    for offset in _segmenter(lang)(chunk):
        # A start is moved onto the next visible character: every non-space character then belongs to
        # exactly one sentence whatever the segmenter did with whitespace.
        while 0 < offset < len(chunk) and chunk[offset].isspace():
            offset += 1
        if 0 < offset < len(chunk):
            starts.add(start + offset)
    bounds = sorted(starts) + [end]
    spans = [_strip(text, a, b) for a, b in zip(bounds, bounds[1:])]
    spans = [s for s in spans if s[1] > s[0]]
    # A dateline split off at the head of a paragraph belongs to the sentence it introduces.
    while len(spans) > 1 and _is_dateline(text, spans[0]):
        spans[0:2] = [(spans[0][0], spans[1][1])]
    return [piece for span in spans for piece in _cut_long(text, span)]


def split_sentences(text: str, lang: str) -> list[Span]:
    """Sentences as ``(start, end)`` offsets into ``text``: trimmed, non-empty, in order, non-overlapping.

    Paragraphs (and title-like lines inside them) come first, so a headline stays its own sentence;
    each is then split by syntok (Latin-script languages), razdel (Cyrillic) or a punctuation regex.
    """
    spans: list[Span] = []
    for paragraph in split_paragraphs(text):
        for block in _blocks(text, paragraph):
            spans.extend(_split_block(text, block, lang))
    return spans
