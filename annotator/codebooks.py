"""Framing codebooks: loading, validating and mapping the frame sets and the stance scale."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from . import resources
from .model import STANCE_VALUES

__all__ = [
    "RESERVED_KEYS", "STANCE_KEYS", "Codebook", "CodebookError", "Frame", "StanceValue",
    "builtin_codebooks", "load_codebook", "validate_codebook",
]

#: Keys the annotation UI binds itself, so no frame may use them: j/k next/previous sentence,
#: n/p next/previous article, i irrelevant, u undo, a repeat an entity edit on identical names,
#: 1-3 stance, 0 clear stance, plus navigation keys.
RESERVED_KEYS: frozenset[str] = frozenset({
    "j", "k", "n", "p", "i", "u", "a", "y", "0", "1", "2", "3",
    "Tab", "Space", "Left", "Right", "Up", "Down",
})

#: The UI types stance with these digits, in STANCE_VALUES order.
STANCE_KEYS: tuple[str, ...] = ("1", "2", "3")

_TOP_REQUIRED = ("name", "title", "version", "frames", "stance")
_TOP_OPTIONAL = ("description", "multi_label", "maps_to", "mapping")
_FRAME_FIELDS = ("id", "name", "definition", "key")
_STANCE_FIELDS = ("ordered", "values")
_STANCE_VALUE_FIELDS = ("value", "key", "definition")
# Ids end up in exports and in the project file; letters, digits and underscores survive every format.
# Upper case is allowed so SemEval's own labels ("Capacity_and_resources") can be used as ids.
_ID_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_RESERVED_FOLDED = frozenset(k.casefold() for k in RESERVED_KEYS)
_BUILTIN_DIR = "codebooks"

#: Reports one problem: (JSON path, message).
_Err = Callable[[str, str], None]


class CodebookError(ValueError):
    """A codebook file that cannot be used; ``errors`` holds every problem found, one per line in str()."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class Frame:
    id: str
    name: str
    definition: str
    key: str  # a single character typed in the annotation UI


@dataclass(frozen=True)
class StanceValue:
    value: str  # one of STANCE_VALUES
    key: str
    definition: str


@dataclass(frozen=True)
class Codebook:
    name: str
    title: str
    version: str
    frames: tuple[Frame, ...]
    stance: tuple[StanceValue, ...]
    multi_label: bool = True
    #: This codebook's frame id -> frame id in the codebook named by ``maps_to``.
    mapping: dict[str, str] | None = field(default=None, hash=False)
    maps_to: str | None = None
    description: str = ""
    #: Where the codebook was read from; None when it came from a project file.
    source: Path | None = field(default=None, compare=False)

    @property
    def frame_ids(self) -> list[str]:
        return [f.id for f in self.frames]

    def frame(self, frame_id: str) -> Frame:
        """The frame with this id; raises KeyError for an unknown id."""
        for f in self.frames:
            if f.id == frame_id:
                return f
        raise KeyError(f"codebook {self.name!r} has no frame {frame_id!r}")

    def frame_by_key(self, key: str) -> Frame | None:
        """The frame bound to a key press, or None; case-insensitive, as validation treats 'E' like 'e'."""
        folded = key.casefold()
        for f in self.frames:
            if f.key.casefold() == folded:
                return f
        return None

    def map_to(self, other: str | Codebook, frame_ids: Iterable[str]) -> list[str]:
        """Translate frame ids into the codebook ``other`` (a built-in name or a Codebook).

        Works in the direction this codebook's mapping declares and in reverse (from the codebook that
        declares it). Frames with no counterpart (pfc "other" -> semeval2023) are dropped; the result
        keeps first-seen order without duplicates. Unknown ids raise KeyError.
        """
        ids = list(frame_ids)
        for fid in ids:
            self.frame(fid)
        target = other if isinstance(other, Codebook) else _builtin(other)
        if target.name == self.name:
            table: dict[str, list[str]] = {fid: [fid] for fid in self.frame_ids}
        elif self.maps_to == target.name and self.mapping is not None:
            table = {src: [dst] for src, dst in self.mapping.items()}
        elif target.maps_to == self.name and target.mapping is not None:
            table = {}
            for src, dst in target.mapping.items():
                table.setdefault(dst, []).append(src)
        else:
            raise ValueError(f"no mapping between codebooks {self.name!r} and {target.name!r}")
        out: list[str] = []
        for fid in ids:
            for mapped in table.get(fid, []):
                if mapped not in out:
                    out.append(mapped)
        return out

    def as_dict(self) -> dict[str, Any]:
        """The codebook in its file format (what load_codebook reads)."""
        data: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "version": self.version,
            "description": self.description,
            "multi_label": self.multi_label,
            "frames": [{"id": f.id, "name": f.name, "definition": f.definition, "key": f.key}
                       for f in self.frames],
            "stance": {"ordered": True,
                       "values": [{"value": s.value, "key": s.key, "definition": s.definition}
                                  for s in self.stance]},
        }
        if self.mapping is not None:
            data["maps_to"] = self.maps_to
            data["mapping"] = dict(self.mapping)
        return data

    def to_json(self) -> str:
        """JSON text for storing the codebook inside a project file."""
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str, source: str = "<project codebook>") -> Codebook:
        """Read text written by to_json (or any codebook file's text); raises CodebookError if invalid."""
        return _from_text(text, source, None)

    @classmethod
    def from_dict(cls, data: Any, source: str = "<codebook>", path: Path | None = None) -> Codebook:
        errors = validate_codebook(data, source)
        if errors:
            raise CodebookError(errors)
        stance = data["stance"]["values"]
        return cls(
            name=data["name"],
            title=data["title"],
            version=data["version"],
            frames=tuple(Frame(f["id"], f["name"], f["definition"], f["key"]) for f in data["frames"]),
            stance=tuple(StanceValue(s["value"], s["key"], s["definition"]) for s in stance),
            multi_label=data.get("multi_label", True),
            mapping=dict(data["mapping"]) if "mapping" in data else None,
            maps_to=data.get("maps_to"),
            description=data.get("description", ""),
            source=path,
        )


def builtin_codebooks() -> list[str]:
    """Names of the codebooks shipped in resources/codebooks."""
    return sorted(p.stem for p in resources.path(_BUILTIN_DIR).glob("*.json"))


def load_codebook(name_or_path: str | os.PathLike[str]) -> Codebook:
    """A built-in codebook by name ("pfc", "semeval2023") or a custom JSON codebook file.

    Raises FileNotFoundError when neither exists and CodebookError (listing every problem) when the
    file is not valid JSON or not a valid codebook.
    """
    # Messages name a custom file as the user gave it, a built-in by its shipped path.
    source = os.fspath(name_or_path)
    if source in builtin_codebooks():
        file = resources.path(f"{_BUILTIN_DIR}/{source}.json")
        source = str(file)
    else:
        file = Path(source)
        if not file.is_file():
            raise FileNotFoundError(
                f"no codebook file {source!r} and no built-in codebook of that name "
                f"(built-ins: {', '.join(builtin_codebooks())})")
    try:
        text = file.read_text(encoding="utf-8-sig")  # -sig: editors on Windows like to add a BOM
    except UnicodeDecodeError as exc:
        raise CodebookError([f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    return _from_text(text, source, file.resolve())


def _from_text(text: str, source: str, path: Path | None) -> Codebook:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CodebookError(
            [f"{source}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]) from None
    return Codebook.from_dict(data, source, path)


@lru_cache(maxsize=None)
def _builtin(name: str) -> Codebook:
    # Mapping lookups reload the other side on every export row otherwise.
    if name not in builtin_codebooks():
        raise ValueError(f"unknown built-in codebook {name!r} (built-ins: {', '.join(builtin_codebooks())})")
    return load_codebook(name)


def validate_codebook(data: Any, source: str) -> list[str]:
    """Every problem in a parsed codebook, each as "SOURCE: json.path message"; empty when valid."""
    errors: list[str] = []

    def err(where: str, message: str) -> None:
        errors.append(f"{source}: {where} {message}" if where else f"{source}: {message}")

    if not isinstance(data, dict):
        err("", f"the top level must be a JSON object, not {_kind(data)}")
        return errors

    _check_fields(data, "", _TOP_REQUIRED, _TOP_OPTIONAL, err)
    for name in ("name", "title", "version"):
        if name in data:
            _check_text(data[name], name, err)
    if "description" in data and not isinstance(data["description"], str):
        err("description", f"must be a string, not {_kind(data['description'])}")
    if "multi_label" in data and not isinstance(data["multi_label"], bool):
        err("multi_label", f"must be true or false, not {_kind(data['multi_label'])}")

    # Stance keys are 1-3 and frame keys may not be reserved ones, so the two can never clash.
    frame_ids = _check_frames(data["frames"], err) if "frames" in data else []
    if "stance" in data:
        _check_stance(data["stance"], err)
    _check_mapping(data, frame_ids, err)
    return errors


def _check_fields(obj: dict[str, Any], where: str, required: Iterable[str], optional: Iterable[str],
                  err: _Err) -> None:
    for name in required:
        if name not in obj:
            err(where or "the codebook", f"is missing the field '{name}'")
    known = set(required) | set(optional)
    prefix = f"{where}." if where else ""
    for name in obj:
        if name not in known:
            err(f"{prefix}{name}", f"is not a known field (known: {', '.join(sorted(known))})")


def _check_text(value: Any, where: str, err: _Err) -> bool:
    if not isinstance(value, str):
        err(where, f"must be a string, not {_kind(value)}")
        return False
    if not value.strip():
        err(where, "is empty")
        return False
    return True


def _check_key(value: Any, where: str, err: _Err) -> bool:
    if not isinstance(value, str):
        err(where, f"must be a one-character string, not {_kind(value)}")
        return False
    if len(value) != 1:
        err(where, f"{value!r} must be a single character")
        return False
    if value.isspace() or not value.isprintable():
        err(where, f"{value!r} must be a visible character")
        return False
    return True


def _check_frames(frames: Any, err: _Err) -> list[str]:
    """Check frames[]; return the valid ids (for the mapping check)."""
    if not isinstance(frames, list):
        err("frames", f"must be a list, not {_kind(frames)}")
        return []
    if not frames:
        err("frames", "is empty; a codebook needs at least one frame")
        return []
    seen: dict[str, dict[str, list[int]]] = {"id": {}, "name": {}, "key": {}}
    ids: list[str] = []
    for i, f in enumerate(frames):
        where = f"frames[{i}]"
        if not isinstance(f, dict):
            err(where, f"must be an object, not {_kind(f)}")
            continue
        _check_fields(f, where, _FRAME_FIELDS, (), err)
        if "id" in f and _check_text(f["id"], f"{where}.id", err):
            if _ID_RE.match(f["id"]):
                ids.append(f["id"])
                seen["id"].setdefault(f["id"], []).append(i)
            else:
                err(f"{where}.id", f"{f['id']!r} must start with a letter and use only letters, "
                                   "digits and '_'")
        if "name" in f and _check_text(f["name"], f"{where}.name", err):
            # "Economic" and "economic " read as the same frame to an annotator.
            seen["name"].setdefault(f["name"].strip().casefold(), []).append(i)
        if "definition" in f and not isinstance(f["definition"], str):
            err(f"{where}.definition", f"must be a string, not {_kind(f['definition'])}")
        if "key" in f and _check_key(f["key"], f"{where}.key", err):
            key = f["key"]
            if key.casefold() in _RESERVED_FOLDED:
                err(f"{where}.key", f"{key!r} is reserved by the annotation UI "
                                    f"(reserved: {', '.join(sorted(RESERVED_KEYS))})")
            else:
                # Case-folded: Shift+E and e are one physical key for the annotator.
                seen["key"].setdefault(key.casefold(), []).append(i)
    for attr, values in seen.items():
        for value, where_list in values.items():
            if len(where_list) > 1:
                shown = frames[where_list[0]][attr]
                places = ", ".join(f"frames[{j}]" for j in where_list)
                for j in where_list[1:]:
                    err(f"frames[{j}].{attr}", f"{shown!r} is used twice ({places})"
                        if len(where_list) == 2 else f"{shown!r} is used {len(where_list)} times ({places})")
    return ids


def _check_stance(stance: Any, err: _Err) -> None:
    if not isinstance(stance, dict):
        err("stance", f"must be an object with 'ordered' and 'values', not {_kind(stance)}")
        return
    _check_fields(stance, "stance", _STANCE_FIELDS, (), err)
    if "ordered" in stance and stance["ordered"] is not True:
        err("stance.ordered", "must be true: the stance scale is ordinal (AGAINST < NEUTRAL < FAVOR)")
    values = stance.get("values")
    if "values" not in stance:
        return
    if not isinstance(values, list):
        err("stance.values", f"must be a list, not {_kind(values)}")
        return
    found = [v.get("value") if isinstance(v, dict) else None for v in values]
    if found != list(STANCE_VALUES):
        err("stance.values", f"must list exactly {', '.join(STANCE_VALUES)} in this order "
                             f"(found: {', '.join(map(str, found)) or 'nothing'})")
    for i, v in enumerate(values):
        where = f"stance.values[{i}]"
        if not isinstance(v, dict):
            err(where, f"must be an object, not {_kind(v)}")
            continue
        _check_fields(v, where, _STANCE_VALUE_FIELDS, (), err)
        if "definition" in v and not isinstance(v["definition"], str):
            err(f"{where}.definition", f"must be a string, not {_kind(v['definition'])}")
        if "key" in v and _check_key(v["key"], f"{where}.key", err):
            # The UI binds 1-3 to the ordered scale; a different key here would document a lie.
            if i < len(STANCE_KEYS) and v["key"] != STANCE_KEYS[i]:
                err(f"{where}.key", f"{v['key']!r} must be {STANCE_KEYS[i]!r} "
                                    f"(the UI types stance with {', '.join(STANCE_KEYS)})")


def _check_mapping(data: dict[str, Any], frame_ids: list[str], err: _Err) -> None:
    has_target, has_mapping = "maps_to" in data, "mapping" in data
    if has_target != has_mapping:
        given, absent = ("mapping", "maps_to") if has_mapping else ("maps_to", "mapping")
        err(given, f"needs '{absent}' as well ('maps_to' names the codebook the 'mapping' points into)")
        return
    if not has_mapping:
        return
    target_name, mapping = data["maps_to"], data["mapping"]
    target_ids: set[str] | None = None
    if _check_text(target_name, "maps_to", err):
        if target_name == data.get("name"):
            err("maps_to", f"{target_name!r} is this codebook itself")
        elif target_name not in builtin_codebooks():
            err("maps_to", f"{target_name!r} is not a built-in codebook "
                           f"(built-ins: {', '.join(builtin_codebooks())})")
        else:
            target_ids = set(_builtin(target_name).frame_ids)
    if not isinstance(mapping, dict):
        err("mapping", f"must be an object of frame id -> {target_name} frame id, not {_kind(mapping)}")
        return
    for src, dst in mapping.items():
        where = f"mapping.{src}"
        if frame_ids and src not in frame_ids:
            err(where, f"{src!r} is not a frame id of this codebook")
        if not isinstance(dst, str):
            err(where, f"must be a frame id string, not {_kind(dst)}")
        elif target_ids is not None and dst not in target_ids:
            err(where, f"{dst!r} is not a frame id of codebook {target_name!r}")


def _kind(value: Any) -> str:
    """The JSON name of a value's type, for messages written for people who edit JSON, not Python."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
