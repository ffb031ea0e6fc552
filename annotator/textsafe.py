"""Showing user data safely: control and bidi characters made visible as ``\\x1b``/``\\u202e`` escapes.

Titles, outlets, file names and annotator names come from files we do not control. Printed raw,
an ESC sequence can retitle the terminal, clear it or fake a prompt, ``\\r`` can overwrite a line,
and a right-to-left override (U+202E) can make ``exe.txt`` read ``txt.exe``. Everything the CLI
prints of such data goes through :func:`visible`; the desktop app uses the same function.
"""
from __future__ import annotations

import functools
import re
import sys
from typing import TextIO

#: Bidirectional formatting characters: embeddings and overrides (U+202A-U+202E), isolates
#: (U+2066-U+2069), the LTR/RTL marks (U+200E, U+200F) and the Arabic letter mark (U+061C).
BIDI_CONTROLS = frozenset(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C])

#: Line and paragraph separators: they break a line in many viewers, like ``\\n`` does.
LINE_SEPARATORS = frozenset([0x2028, 0x2029])


@functools.lru_cache(maxsize=8)
def _table(keep: str) -> dict[int, str]:
    controls = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]  # C0, DEL, C1
    table = {c: f"\\x{c:02x}" for c in controls}
    table.update({c: f"\\u{c:04x}" for c in (*BIDI_CONTROLS, *LINE_SEPARATORS)})
    for ch in keep:
        table.pop(ord(ch), None)
    return table


@functools.lru_cache(maxsize=8)
def _finder(keep: str) -> re.Pattern[str]:
    """Finds any character :func:`_table` escapes."""
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_table(keep))) + "]")


def visible(text: str, keep: str = "\t") -> str:
    """``text`` with every control character shown as an escape, safe to print or display.

    C0 controls (including ESC and ``\\r``), DEL and C1 controls become ``\\x1b``-style escapes;
    bidi controls and the Unicode line/paragraph separators become ``\\u202e``-style escapes.
    Characters in ``keep`` pass through: the default keeps tabs, which is right for one line of
    output; pass ``keep="\\n\\t"`` for multi-line text such as a table. Backslashes are left as
    they are (Windows paths stay readable), so the result is for people, not for parsing back;
    JSON output is for programs and uses ``json.dumps`` instead.

    >>> visible("\\x1b]0;pwned\\x07 \\u202eevil")
    '\\\\x1b]0;pwned\\\\x07 \\\\u202eevil'
    """
    table = _table(keep)
    # Nearly all text has nothing to escape: finding that out is ~100 times cheaper than
    # str.translate with a dict (0.45 s for the 3.4 MB agreement report of 100k articles).
    return text.translate(table) if _finder(keep).search(text) else text


def echo(text: str, keep: str = "\t", file: TextIO | None = None) -> None:
    """Print ``text`` through :func:`visible` (to stdout, or ``file``)."""
    print(visible(text, keep), file=file if file is not None else sys.stdout)


@functools.lru_cache(maxsize=1)
def _in_place_table() -> dict[int, str]:
    table = {c: chr(0x2400 + c) for c in range(0x20) if c not in (0x09, 0x0A)}  # ␀ … ␟
    table[0x7F] = "\u2421"  # ␡
    for c in (*range(0x80, 0xA0), *BIDI_CONTROLS, *LINE_SEPARATORS):
        table[c] = "\ufffd"
    return table


def visible_in_place(text: str) -> str:
    """``text`` with each control or bidi character replaced by *one* visible character.

    For text whose offsets must stay valid (the article viewer highlights entities by offset):
    C0 controls become their Control Pictures (``\\x1b`` shows as ␛), DEL ␡, and C1 controls, bidi
    controls and line/paragraph separators the replacement character U+FFFD, so an override can
    neither reverse what follows nor hide. Newlines and tabs stay.
    """
    return text.translate(_in_place_table())
