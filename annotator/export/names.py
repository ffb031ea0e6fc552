"""File and folder names made from data (an article's language): safe, and one per value."""
from __future__ import annotations

import re

_SAFE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
#: Names Windows refuses whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}


class SafeNames:
    """Maps values to names of ``[A-Za-z0-9_-]``, the same value always to the same name and two
    values never to one name (compared without case, as macOS and Windows disks do).

    A value that already is such a name is kept (``en``, ``pt-BR``); others are cleaned and
    numbered (``../../x`` -> ``x``, a second one -> ``x-2``). :attr:`renamed` lists the values
    whose name differs, for the export's notes.
    """

    def __init__(self, fallback: str = "unnamed") -> None:
        self.fallback = fallback
        self.names: dict[str, str] = {}
        self.renamed: dict[str, str] = {}
        self._taken: set[str] = set()

    def __call__(self, value: str) -> str:
        name = self.names.get(value)
        if name is not None:
            return name
        if _SAFE.fullmatch(value) and value.casefold() not in _RESERVED:
            base = value
        else:
            base = _UNSAFE.sub("_", value).strip("_-")[:48] or self.fallback
            if base.casefold() in _RESERVED:
                base += "_"
        name, n = base, 1
        while name.casefold() in self._taken:
            n += 1
            name = f"{base}-{n}"
        self._taken.add(name.casefold())
        self.names[value] = name
        if name != value:
            self.renamed[value] = name
        return name
