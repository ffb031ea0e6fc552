"""Parsing JSON from files we do not control: a depth limit, bounded numbers, strict JSON only.

Python's ``json`` recurses once per nesting level (100,000 ``[`` end in ``RecursionError``),
refuses integers longer than ``sys.get_int_max_str_digits()`` with a bare ``ValueError``, and
accepts ``NaN``/``Infinity`` (not JSON) and ``1e999`` (infinite), which then turn into titles
"nan"/"inf" and into exports that are no longer JSON. Every reader parses through :func:`loads`
(or :func:`decoder`), which raises :class:`JsonError` with a message for people instead.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

#: Deepest nesting accepted. Our formats need 5 levels; 64 leaves room for anyone's metadata.
MAX_DEPTH = 64

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class JsonError(ValueError):
    """Text that is not JSON we accept; ``str()`` says why, ``lineno``/``colno`` where if known
    and ``reason`` is the parser's own words for a syntax error."""

    def __init__(self, message: str, lineno: int | None = None, colno: int | None = None,
                 reason: str | None = None) -> None:
        super().__init__(message)
        self.lineno, self.colno, self.reason = lineno, colno, reason or message


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # longer than Python's int/str digit limit
        raise JsonError(f"a whole number of {len(text.lstrip('-'))} digits is too long") from None


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonError(f"the number {text[:30]} is out of range")
    return value


def _constant(name: str) -> Any:
    raise JsonError(f"{name} is not a JSON number")


def decoder() -> json.JSONDecoder:
    """A decoder with our number rules (no depth check: call :func:`check_depth` first)."""
    return json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=_constant)


_DECODER = decoder()


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether ``text``'s arrays and objects nest more than ``limit`` levels (brackets inside
    strings do not count). Cheap for ordinary lines: with no more opening brackets than
    ``limit`` in all, nothing is scanned; else only the brackets left once strings are cut out.
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    level = 0
    for ch in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        if ch in "[{":
            level += 1
            if level > limit:
                return True
        else:
            level -= 1
    return False


_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def value_end(text: str, pos: int) -> int:
    """Where the array or object starting at ``text[pos]`` ends, found by counting brackets
    (without parsing, so a value too deep or with bad numbers can be stepped over)."""
    level = 0
    for m in _TOKEN.finditer(text, pos):
        ch = m.group()
        if ch in "[{":
            level += 1
        elif ch in "]}":
            level -= 1
            if level == 0:
                return m.end()
    return len(text)


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    if too_deep(text, limit):
        raise JsonError(f"nested too deep (more than {limit} levels of arrays and objects)")


def loads(text: str, limit: int = MAX_DEPTH) -> Any:
    """``json.loads`` for untrusted text; raises :class:`JsonError` (a ``ValueError``)."""
    check_depth(text, limit)
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise JsonError(f"not valid JSON ({exc.msg}: column {exc.colno})", exc.lineno,
                        exc.colno, exc.msg) from None
    except RecursionError:  # a lower recursion limit than the depth check assumes
        raise JsonError("nested too deep") from None
