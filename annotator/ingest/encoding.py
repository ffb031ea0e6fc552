"""Decoding article files: BOMs, UTF-8, and a scored fallback for legacy Cyrillic/Latin code pages."""
from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

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


def _odd_share(text: str) -> float:
    """Share of characters no text has: unassigned, private-use, surrogates, controls."""
    sample = text[:4096]
    odd = sum(unicodedata.category(c) in ("Cn", "Co", "Cs")
              or (unicodedata.category(c) == "Cc" and c not in "\t\n\r\f") for c in sample)
    return odd / max(1, len(sample))


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when every other byte of the start is NUL (ASCII-heavy UTF-16 text
    written without a byte-order mark), else None."""
    head = data[:4096]
    if len(head) < 8 or len(head) % 2:
        return None
    even, odd = head[0::2].count(0) / (len(head) // 2), head[1::2].count(0) / (len(head) // 2)
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    return None


def _by_mark(payload: bytes, enc: str) -> tuple[str, int] | None:
    """The text after a byte-order mark and the bytes replaced, or None if the mark lies.

    A truncated last code unit is replaced; more damage than that, characters no text has
    (cp1251 "яю" read as UTF-16), or UTF-16 with neither NUL nor high bytes (plain ASCII
    after "ÿþ") mean the mark is not one.
    """
    try:
        return payload.decode(enc), 0
    except UnicodeDecodeError:
        text = payload.decode(enc, errors="replace")
    bad = text.count("\ufffd")
    if enc == "utf-8" or bad > 1 or text[:-1].count("\ufffd"):
        return None
    if enc.startswith("utf-16") and payload and 0 not in payload and max(payload) < 0x80:
        return None
    return (text, bad) if _odd_share(text) < 0.2 else None


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def decode(data: bytes) -> tuple[str, str]:
    """Decode file bytes; returns ``(text, encoding)``. See :func:`decode_counted`."""
    text, encoding, _ = decode_counted(data)
    return text, encoding


def decode_counted(data: bytes) -> tuple[str, str, int]:
    """Decode file bytes; returns ``(text, encoding, bytes replaced by U+FFFD)``.

    Order: a byte-order mark (UTF-8/16/32) unless decoding by it fails or gives mostly
    characters no text has (cp1251 text starting "яю" begins with the UTF-16 mark); UTF-16
    without a mark (every other byte NUL); strict UTF-8; UTF-8 with a few bad bytes replaced
    when valid multi-byte characters outnumber the bad bytes four to one; else the best of
    cp1251, koi8-r and cp1252 (Russian news is often cp1251): Cyrillic when non-ASCII words
    are wholly non-ASCII, and among the Cyrillic pages the one giving mostly lower-case letters.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            got = _by_mark(data[len(bom):], enc)
            if got is not None:
                return got[0], enc.replace("-le", "").replace("-be", "") + "-bom", got[1]
            # Not what the mark says (a truncated file, or cp1251 text starting "яю"):
            # decode as if unmarked rather than fail the import.
            data = data[len(bom):] if enc == "utf-8" else data
            break
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        try:
            text = data.decode(utf16)
            if _odd_share(text) < 0.2:
                return text, utf16, 0
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8", 0
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    if len(_NON_ASCII.findall(text)) - text.count("\ufffd") >= 4 * bad:
        return text, "utf-8", bad
    cp1251 = data.decode("cp1251", errors="replace")
    if _whole_word_ratio(cp1251) > 0.5:
        koi8 = data.decode("koi8-r", errors="replace")
        if _cyrillic_lower_ratio(koi8) > _cyrillic_lower_ratio(cp1251):
            return koi8, "koi8-r", koi8.count("\ufffd")
        return cp1251, "cp1251", cp1251.count("\ufffd")
    cp1252 = data.decode("cp1252", errors="replace")
    return cp1252, "cp1252", cp1252.count("\ufffd")


# -- is it text at all? -------------------------------------------------------------------------

#: File signatures (magic numbers) of formats people drop into a folder of articles by mistake.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"%PDF-", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (.doc/.xls)"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"(\xb5/\xfd", "a zstd archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"SQLite format 3\x00", "an SQLite database (a project file?)"),
    (b"\x7fELF", "an ELF program"),
    (b"MZ", "a Windows program"),
    (b"\xca\xfe\xba\xbe", "a Mach-O program or Java class"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O program"),
    (b"OggS\x00", "an Ogg audio/video file"),
    (b"ID3\x03\x00", "an MP3 audio file"),
    (b"ID3\x04\x00", "an MP3 audio file"),
)
_ZIP_KINDS = ((b"word/", "a Word document (.docx)"), (b"xl/", "an Excel workbook (.xlsx)"),
              (b"ppt/", "a PowerPoint file (.pptx)"),
              (b"opendocument", "an OpenDocument file (.odt/.ods)"),
              (b"epub", "an EPUB book"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


def _magic_kind(data: bytes) -> str | None:
    """What a file's first bytes say it is, if they are a known binary signature."""
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "a WebP image", b"WAVE": "a WAV audio file",
                b"AVI ": "an AVI video"}[data[8:12]]
    if data[4:8] == b"ftyp":
        return "an MP4/MOV video or HEIC image"
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            if magic == b"BZh" and data[4:10] != b"1AY&SY":
                continue  # text may start "BZh"; bzip2 has a block magic after the level digit
            if magic == b"MZ" and b"\x00" not in data[:64]:
                continue  # text may start "MZ"; a program header is full of NULs
            if kind == "a ZIP archive":
                head = data[:4096]
                kind = next((k for marker, k in _ZIP_KINDS if marker in head), kind)
            return kind
    return None


def not_text(data: bytes, text: str) -> str | None:
    """Why ``data`` (decoded as ``text``) is not an article, or None when it is text.

    Known signatures (images, PDF, Office/ZIP, archives, SQLite, programs) name the format; any
    NUL, or control characters (other than tab, line ends, form feed and ESC) in more than 1%
    of the characters, mean some other binary data. UTF-16 text has NUL bytes but no NUL
    characters once decoded, so the check runs on the decoded text.
    """
    kind = _magic_kind(data)
    if kind is None and "\x00" in text:
        kind = "binary data (it has NUL bytes)"
    if kind is None and len(_CONTROL.findall(text[:1 << 20])) > 0.01 * min(len(text), 1 << 20):
        kind = "binary data (it has many control bytes)"
    return None if kind is None else f"looks like {kind}, not text; skipped"


class NotText(ValueError):
    """A file that is not text (an image, an archive, a program); ``str()`` says which."""


def read_text_file(path: Path) -> tuple[str, str, int]:
    """A file's text: ``(text, encoding, bytes replaced)``; raises :class:`NotText` for binary
    files and ``OSError`` when it cannot be read."""
    data = path.read_bytes()
    text, encoding, replaced = decode_counted(data)
    reason = not_text(data, text)
    if reason is not None:
        raise NotText(reason)
    return text, encoding, replaced


def replaced_note(replaced: int, encoding: str) -> str:
    """The import issue for bytes that were not valid in the encoding the file was read as."""
    return (f"{replaced} byte{'' if replaced == 1 else 's'} not valid {encoding}, replaced by"
            " U+FFFD (the rest of the file was read)")


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
