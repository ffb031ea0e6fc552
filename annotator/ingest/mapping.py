"""The label mapping: from a peer tool's field and choice names to stance, frames, irrelevant, entities.

Peers name things freely ("Economic", "Crime_and_punishment", "pro", "PERSON", a choices block
called ``sentiment``). :class:`LabelMapping` turns each ``(field, value)`` a reader found into one
of our labels, automatically where the name is unambiguous and from a mapping file (``--map``)
where the user says so, and remembers every decision with a count so the import can show it.

A mapping file is JSON::

    {"fields": {"sentiment": "stance", "topic": "frames", "ner": "entities", "junk": "ignore"},
     "values": {"Econ": "frame:economic", "pos": "stance:FAVOR", "spam": "irrelevant",
                "Biden+": "stance:Joe Biden:FAVOR", "PERSON": "entity:PER", "meh": "ignore"},
     "stance_target": "Joe Biden"}

Field roles: ``stance``, ``frames``, ``irrelevant``, ``entities``, ``note``, ``ignore``, ``auto``.
Value targets use the flat spelling of our exports (``frame:ID``, ``stance:VALUE``,
``stance:TARGET:VALUE``, ``irrelevant``) plus ``entity:LABEL``, ``relevant`` and ``ignore``.
``stance_target`` is the target of stances the tool gives without one: a target name, ``@only``
(the sentence's only mentioned target) or ``@most`` (its most-mentioned target).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import ENTITY_LABELS, STANCE_VALUES

ROLES = ("stance", "frames", "irrelevant", "entities", "note", "ignore", "auto")
#: ``--stance-target`` values that pick a target per sentence from its mentions.
ONLY, MOST = "@only", "@most"

_STANCE_WORDS = {
    "FAVOR": ("favor", "favour", "for", "pro", "support", "supports", "supportive", "positive"),
    "AGAINST": ("against", "con", "oppose", "opposes", "opposed", "negative"),
    "NEUTRAL": ("neutral", "neither"),
}
_IRRELEVANT_WORDS = ("irrelevant", "not relevant", "off topic", "offtopic", "not related")
_RELEVANT_WORDS = ("relevant", "no", "false", "0")
_YES_WORDS = ("yes", "true", "1", "x")
#: Entity labels of spaCy/OntoNotes, CoNLL, natasha and doccano's examples, as ours.
_ENTITY_WORDS = {
    "PER": ("per", "person", "pers", "people", "persname"),
    "ORG": ("org", "organization", "organisation", "company", "orgname"),
    "LOC": ("loc", "location", "gpe", "geo", "fac", "place", "geoname", "country", "city"),
    "MISC": ("misc", "norp", "event", "product", "work_of_art", "law", "language"),
}


#: The mapping of the import that is running: readers that must know which columns are labels
#: (spreadsheets, whose label columns a mapping file may name) look here.
ACTIVE: ContextVar["LabelMapping | None"] = ContextVar("annotator_label_mapping", default=None)


def active() -> "LabelMapping":
    return ACTIVE.get() or LabelMapping()


class MappingError(ValueError):
    """A mapping file that cannot be used (the message names the file and the entry)."""


def norm(text: str) -> str:
    """Names compared loosely: case, ``_``/``-``/commas, ``&`` and runs of spaces do not matter."""
    text = text.casefold().replace("&", " and ")
    return " ".join(re.sub(r"[_\-,/]+", " ", text).split())


@dataclass(frozen=True)
class Mapped:
    """What one choice becomes. ``kind``: frame, stance, irrelevant, relevant, note, entity,
    ignore or unknown (not mapped); ``value``: frame id, stance value or entity label;
    ``target``: the stance's target key as the tool named it (None: none given)."""

    kind: str
    value: str | None = None
    target: str | None = None
    how: str = "auto"  # auto, map file, field role

    def describe(self) -> str:
        if self.kind == "stance":
            return f"stance {self.value}" + (f" toward {self.target}" if self.target else "")
        if self.kind in ("frame", "entity"):
            return f"{self.kind} {self.value}"
        return {"unknown": "not mapped"}.get(self.kind, self.kind)

    def spelling(self) -> str:
        """The flat spelling a mapping file uses for this outcome (``unknown``: not mapped)."""
        if self.kind == "stance":
            return f"stance:{self.target}:{self.value}" if self.target else f"stance:{self.value}"
        if self.kind in ("frame", "entity"):
            return f"{self.kind}:{self.value}"
        return self.kind


UNKNOWN = Mapped("unknown")


@dataclass
class LabelMapping:
    """Explicit field roles and value targets (from a file), the automatic rules for the rest,
    and a count of every decision taken (:attr:`used`)."""

    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    stance_target: str | None = None
    source: str = "automatic"
    #: Per (field, normalised value) targets, chosen one row at a time (the import dialog);
    #: they win over ``values``.
    pairs: dict[tuple[str, str], str] = field(default_factory=dict)
    used: Counter[tuple[str, str, Mapped]] = field(default_factory=Counter)
    #: The (field, value) pairs that were entity span labels (not choices).
    span_keys: set[tuple[str, str]] = field(default_factory=set)

    # -- loading -----------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path, stance_target: str | None = None) -> "LabelMapping":
        where = str(path)
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise MappingError(f"{where}: cannot read the mapping file: {exc.strerror or exc}") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise MappingError(f"{where}: the mapping file is not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise MappingError(f'{where}: a mapping file is a JSON object with "fields", "values"'
                               ' and "stance_target"')
        unknown = sorted(set(data) - {"fields", "values", "stance_target"})
        if unknown:
            raise MappingError(f"{where}: unknown keys {', '.join(unknown)} (known: fields, values, "
                               "stance_target)")
        fields, values = data.get("fields") or {}, data.get("values") or {}
        if not isinstance(fields, dict) or not isinstance(values, dict):
            raise MappingError(f'{where}: "fields" and "values" must be objects of names')
        for name, role in fields.items():
            if role not in ROLES:
                raise MappingError(f'{where}: fields["{name}"] is {role!r}; use one of '
                                   f"{', '.join(ROLES)}")
        mapping = cls(fields={str(k): str(v) for k, v in fields.items()}, source=where,
                      stance_target=stance_target or _opt_str(data.get("stance_target")))
        for key, target in values.items():
            if not isinstance(target, str) or mapping._parse_target(target) is None:
                raise MappingError(f'{where}: values["{key}"] is {target!r}; use frame:ID, '
                                   "stance:VALUE, stance:TARGET:VALUE, irrelevant, relevant, "
                                   "entity:LABEL or ignore")
            mapping.values[norm(str(key))] = target
        return mapping

    def chosen(self, pairs: dict[tuple[str, str], str], stance_target: str | None
               ) -> "LabelMapping":
        """A copy with per-row choices (field, value) -> flat target and a stance target: what
        the import dialog hands the import. Raises MappingError for a target it cannot read."""
        out = LabelMapping(fields=dict(self.fields), values=dict(self.values),
                           stance_target=stance_target, source="chosen in the import dialog"
                           if pairs or stance_target != self.stance_target else self.source)
        for (field_name, value), target in pairs.items():
            if self._parse_target(target) is None:
                raise MappingError(f"{field_name} = {value}: {target!r} is not a target")
            out.pairs[(field_name, norm(value))] = target
        return out

    def _explicit(self, field_name: str, value: str) -> Mapped | None:
        """What a row choice, else the mapping file, makes of ``value`` (None: neither names it)."""
        target = self.pairs.get((field_name, norm(value)))
        if target is not None:
            return self._parse_target(target, "your choice")
        target = self.values.get(norm(value))
        return self._parse_target(target) if target is not None else None

    @staticmethod
    def _parse_target(text: str, how: str = "map file") -> Mapped | None:
        if text in ("irrelevant", "relevant", "ignore", "note"):
            return Mapped(text, how=how)
        kind, _, rest = text.partition(":")
        if kind == "frame" and rest:
            return Mapped("frame", rest, how=how)
        if kind == "entity" and rest.upper() in ENTITY_LABELS:
            return Mapped("entity", rest.upper(), how=how)
        if kind == "stance" and rest:
            target, _, value = rest.rpartition(":")
            if value.strip().upper() in STANCE_VALUES:
                return Mapped("stance", value.strip().upper(), target.strip() or None, how)
        return None

    # -- deciding ----------------------------------------------------------------------------------

    def role(self, field_name: str) -> str:
        """The field's role: from the file, else guessed from its name (``auto``: per value)."""
        if field_name in self.fields:
            return self.fields[field_name]
        n = norm(field_name)
        if re.search(r"\b(stance|sentiment|polarity|attitude)", n):
            return "stance"
        if re.search(r"\bfram(e|es|ing)\b", n):
            return "frames"
        if "relevan" in n:
            return "irrelevant"
        if n in ("note", "notes", "comment", "comments", "remark"):
            return "note"
        return "auto"

    def choice(self, field_name: str, value: str, frames: "FrameNames") -> Mapped:
        """One chosen value of a field (a choice, a category, a cell), counted in :attr:`used`."""
        got = self._choice(field_name, str(value), frames)
        self.used[(field_name, str(value), got)] += 1
        return got

    def _choice(self, field_name: str, value: str, frames: "FrameNames") -> Mapped:
        got = self._explicit(field_name, value)
        role = self.role(field_name)
        if got is not None:
            if got.kind == "frame":
                fid = frames.find(got.value or "")
                return Mapped("frame", fid, how=got.how) if fid else Mapped("unknown",
                                                                              how=got.how)
            return got
        if role == "ignore":
            return Mapped("ignore", how="field role")
        if role == "note":
            return Mapped("note", value, how="field role")
        n = norm(value)
        # Our own flat spellings (frame:…, stance:T:V, irrelevant) are never ambiguous.
        if value.startswith("frame:") and (fid := frames.find(value[6:])):
            return Mapped("frame", fid)
        if value.startswith("stance:") and (pair := _stance_pair(value[7:])):
            return Mapped("stance", pair[1], pair[0])
        if role in ("stance", "auto") and (pair := _stance_pair(value)):
            return Mapped("stance", pair[1], pair[0])
        if role in ("stance", "auto") and (word := _stance_word(n)):
            return Mapped("stance", word, how="auto" if role == "auto" else "field role")
        if role == "irrelevant":
            if n in _RELEVANT_WORDS or n == "relevant":
                return Mapped("relevant", how="field role")
            if n in _YES_WORDS or n in _IRRELEVANT_WORDS:
                return Mapped("irrelevant", how="field role")
            return UNKNOWN
        if n in _IRRELEVANT_WORDS:
            return Mapped("irrelevant")
        if role in ("frames", "auto") and (fid := frames.find(value)):
            return Mapped("frame", fid)
        return UNKNOWN

    def entity(self, field_name: str, label: str) -> Mapped:
        """A span's label as one of ours (unknown labels become MISC, counted as such)."""
        got = self._entity(field_name, str(label))
        self.used[(field_name, str(label), got)] += 1
        self.span_keys.add((field_name, str(label)))
        return got

    def _entity(self, field_name: str, label: str) -> Mapped:
        got = self._explicit(field_name, label)
        if got is not None and got.kind in ("entity", "ignore"):
            return got
        if self.role(field_name) == "ignore":
            return Mapped("ignore", how="field role")
        n = norm(label).replace(" ", "_")
        for ours, words in _ENTITY_WORDS.items():
            if n in words:
                return Mapped("entity", ours)
        return Mapped("entity", "MISC", how="auto (unknown label)")

    def table(self) -> list[dict[str, Any]]:
        """Every decision taken: field, value, what it became, how decided, how often."""
        rows = [{"field": f, "value": v, "to": m.describe(), "how": m.how, "count": n,
                 "target": m.spelling(), "span": (f, v) in self.span_keys}
                for (f, v, m), n in self.used.items()]
        return sorted(rows, key=lambda r: (r["field"], r["to"] == "not mapped", r["value"]))


def _stance_pair(text: str) -> tuple[str, str] | None:
    """``Target:VALUE`` (as our exports spell a stance choice), value case-insensitive."""
    target, sep, value = text.rpartition(":")
    word = _stance_word(norm(value)) if sep else None
    if not target.strip() or word is None:
        return None
    return target.strip(), word


def _stance_word(n: str) -> str | None:
    if n.upper() in STANCE_VALUES:
        return n.upper()
    for value, words in _STANCE_WORDS.items():
        if n in words:
            return value
    return None


def _opt_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


class FrameNames:
    """Frame lookup by codebook id, name or alias, loosely compared. Aliases are the ids and names
    of the same frame in the other built-in codebooks (``Crime_and_punishment`` is pfc's
    ``crime_punishment``)."""

    def __init__(self, codebook: Any) -> None:
        from ..codebooks import builtin_codebooks, load_codebook

        self.names: dict[str, str] = {}
        for f in codebook.frames:
            self.names.setdefault(norm(f.id), f.id)
            self.names.setdefault(norm(f.name), f.id)
        for other_name in builtin_codebooks():
            if other_name == codebook.name:
                continue
            other = load_codebook(other_name)
            for f in other.frames:
                try:
                    mapped = other.map_to(codebook, [f.id])
                except (ValueError, KeyError):
                    break  # no mapping between the two codebooks
                if len(mapped) == 1:
                    self.names.setdefault(norm(f.id), mapped[0])
                    self.names.setdefault(norm(f.name), mapped[0])

    def find(self, name: str) -> str | None:
        return self.names.get(norm(name))
