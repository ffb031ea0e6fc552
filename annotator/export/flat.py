"""Flat label strings shared by the prodigy, doccano and Label Studio formats (export and import).

A label becomes a list of strings: ``frame:<frame id>``, ``stance:<target key>:<VALUE>`` and
``irrelevant``. Target keys may contain colons; the value never does, so the last colon splits.
"""
from __future__ import annotations

from typing import Any, Iterable

from ..model import STANCE_VALUES

IRRELEVANT = "irrelevant"
FRAME = "frame:"
STANCE = "stance:"


def stance_choice(key: str, value: str) -> str:
    """``Antony Blinken:FAVOR``: a stance as a choice value (Label Studio) or after ``stance:``."""
    return f"{key}:{value}"


def flat_labels(label: dict[str, Any]) -> list[str]:
    out = [FRAME + f for f in label["frames"]]
    out += [STANCE + stance_choice(k, v) for k, v in sorted(label["stance"].items())]
    if label["irrelevant"]:
        out.append(IRRELEVANT)
    return out


def parse_stance_choice(text: str) -> tuple[str, str] | None:
    key, sep, value = text.rpartition(":")
    value = value.strip().upper()
    if not sep or not key.strip() or value not in STANCE_VALUES:
        return None
    return key.strip(), value


def parse_flat(items: Iterable[Any]) -> tuple[dict[str, str], list[str], bool, list[str]]:
    """``(stance by target key, frame ids, irrelevant, strings not understood)``."""
    stance: dict[str, str] = {}
    frames: list[str] = []
    irrelevant = False
    unknown: list[str] = []
    for item in items:
        text = str(item)
        if text == IRRELEVANT:
            irrelevant = True
        elif text.startswith(FRAME) and len(text) > len(FRAME):
            frames.append(text[len(FRAME):])
        elif text.startswith(STANCE) and (pair := parse_stance_choice(text[len(STANCE):])):
            stance[pair[0]] = pair[1]
        else:
            unknown.append(text)
    return stance, frames, irrelevant, unknown
