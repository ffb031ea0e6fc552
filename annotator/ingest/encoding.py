"""Decoding article files: BOMs, UTF-8, and a scored fallback for legacy Cyrillic/Latin code pages."""
from __future__ import annotations

import codecs
import re
import unicodedata

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_WORD = re.compile(r"\w+")


def _cyrillic_lower_ratio(text: str) -> float:
    cyr = [c for c in text if "\u0400" <= c <= "\u04ff"]
    if not cyr:
        return 0.0
    return sum(c.islower() for c in cyr) / len(cyr)


def _whole_word_ratio(text: str) -> float:
    """Share of words with non-ASCII letters that consist only of non-ASCII letters.

    Russian words are entirely Cyrillic; French or German words mix accents with ASCII letters
    (café, Müller). This tells a Cyrillic code page from cp1252 without a dictionary.
    """
    words = [w for w in _WORD.findall(text) if any(ord(c) > 127 for c in w)]
    if not words:
        return 0.0
    return sum(all(ord(c) > 127 for c in w) for w in words) / len(words)


def decode(data: bytes) -> tuple[str, str]:
    """Decode file bytes; returns ``(text, encoding)``.

    Order: a byte-order mark (UTF-8/16/32), then strict UTF-8, then the best of cp1251, koi8-r
    and cp1252 (Russian news is often cp1251): Cyrillic when non-ASCII words are wholly
    non-ASCII, and among the Cyrillic pages the one giving mostly lower-case letters.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return (data[len(bom):].decode(enc),
                        enc.replace("-le", "").replace("-be", "") + "-bom")
            except UnicodeDecodeError:
                # Not what the mark says (a truncated file, or cp1251 text starting "яю"):
                # decode as if unmarked rather than fail the import.
                data = data[len(bom):] if enc == "utf-8" else data
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    cp1251 = data.decode("cp1251", errors="replace")
    if _whole_word_ratio(cp1251) > 0.5:
        koi8 = data.decode("koi8-r", errors="replace")
        if _cyrillic_lower_ratio(koi8) > _cyrillic_lower_ratio(cp1251):
            return koi8, "koi8-r"
        return cp1251, "cp1251"
    return data.decode("cp1252", errors="replace"), "cp1252"


def jsonl_lines(text: str) -> list[str]:
    """The lines of a JSONL file: split at ``\\n`` only (a ``\\r`` before it is JSON blank space).

    Not ``str.splitlines``: it also splits at U+2028, U+0085 and other characters that JSON
    strings may hold unescaped (``json.dumps(ensure_ascii=False)`` writes them as they are).
    """
    return text.split("\n")


def normalise_text(text: str) -> str:
    """The form articles are stored (and hashed) in: NFC, ``\\n`` line ends, no outer blank space."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return text.strip()
