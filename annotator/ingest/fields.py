"""Checking the metadata fields files give (title, outlet, date, url, lang, id) before they are kept."""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

#: A BCP 47-ish language tag: a 2-3 letter language, then optional subtags ("en", "pt-BR", "zh_Hant").
LANG_TAG = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")


def language_code(value: str) -> str | None:
    """The project's language code for a tag (its lower-cased language part: "pt-BR" -> "pt",
    "EN" -> "en"), or None when ``value`` is not a language tag."""
    value = value.strip()
    head = re.split(r"[-_]", value, maxsplit=1)[0]
    if not LANG_TAG.fullmatch(head.lower() + value[len(head):]):
        return None
    return head.lower()


def text_fields(row: Mapping[str, Any], keys: Iterable[str]
                ) -> tuple[dict[str, str | None], dict[str, str], list[str]]:
    """``row``'s ``keys`` as text: ``(values, extra meta, problems)``.

    Absent, null and empty values are None. Text is kept as it is and whole numbers become their
    digits (``"id": 42`` -> "42"); anything else (true/false, decimal numbers, lists, objects) is left
    out and named in ``problems``, and so is a ``lang`` that is not a language tag: the article
    is then detected. A tag with subtags is stored as its language part ("pt-BR" -> "pt", which
    the sentence splitter and entity models know) and kept whole in meta ``lang_tag``.
    """
    values: dict[str, str | None] = {}
    meta: dict[str, str] = {}
    problems: list[str] = []
    for key in keys:
        value = row.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            problems.append(f'"{key}" must be text, not {_kind(value)}; field ignored')
            value = None
        if key == "lang" and value:
            code = language_code(value)
            if code is None:
                problems.append(f'"lang" {value[:40]!r} is not a language code; detected instead')
            elif code != value.strip().lower():
                meta["lang_tag"] = value
            value = code
        values[key] = value or None
    return values, meta, problems


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, float):
        return "a decimal number"
    return {dict: "an object", list: "a list"}.get(type(value), type(value).__name__)
