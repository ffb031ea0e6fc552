"""Grouping entity mentions into canonical targets: a gazetteer, exact keys, surname and fuzzy rules."""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from annotator import resources
from annotator.model import Mention, Target
from annotator.nlp.translit import fold, similarity, skeleton

#: Two names are "fuzzy-equal" when their consonant skeletons are equal and their folded forms are at
#: least this similar (Levenshtein). Tileuberdi/Tleuberdi: 0.9; Tokayev/Tokaev: 0.86.
MIN_SIMILARITY = 0.75
#: Names shorter than this (folded) only ever match exactly: acronyms differ by one letter (CIS/CSIS).
MIN_FUZZY_CHARS = 4

# Words that stand before a name and are not part of it. Folded (Latin, lowercase, no dots). Words
# that also start organisation names ("State Department", "General Assembly", "King's College") are
# left out on purpose: cutting there would turn an organisation into a fragment.
_TITLES: frozenset[str] = frozenset(
    """mr mrs ms mx dr prof sir dame secretary secretary-general president vice-president minister premier
    chancellor spokesman spokeswoman spokesperson ambassador envoy senator sen rep governor mayor sheikh
    emir chairman chairwoman counterpart g-n g-zha""".split()
)
# Russian titles are inflected ("министра", "президентом"): compared by their crude stem.
_RU_TITLES: tuple[str, ...] = (
    "господин", "госпожа", "президент", "министр", "госсекретарь", "премьер-министр", "премьер", "посол",
    "генсек", "спикер", "председатель", "канцлер", "сенатор", "вице-президент", "замминистра",
    "пресс-секретарь",
)  # fmt: skip
# Capitalised words a small NER model tags as an organisation or place on their own ("Secretary of State").
_GENERIC: frozenset[str] = frozenset(
    """state states republic government administration ministry department court constitution president
    smi pravitelstvo ministerstvo respublika gosudarstvo""".split()
)
# Crude Russian case endings, longest first: enough to let "Соединенных Штатов" find "Соединенные Штаты".
_RU_ENDINGS: tuple[str, ...] = tuple(
    sorted(
        """иями ями ами ией ием иях ого его ому ему ыми ими ых их ов ев ей ой ом ем ам ям ах ях ию ия ии ие ью
        ые ый ий ая яя ое ее ую юю ым им ы и а я у ю е о ь й""".split(),
        key=len,
        reverse=True,
    )
)
_CYRILLIC = re.compile(r"[\u0400-\u052f]")
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$", re.IGNORECASE)
_DETERMINER = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_EDGE_PUNCT = " \t\r\n\u00a0.,;:!?\"'«»“”„‘’()[]{}"


def _ru_stem(word: str) -> str:
    """A crude Russian stem: one case ending off, keeping at least three letters; acronyms untouched."""
    if not _CYRILLIC.search(word) or word.isupper():
        return word.lower()
    low = word.lower()
    for ending in _RU_ENDINGS:
        if low.endswith(ending) and len(low) - len(ending) >= 3:
            return low[: -len(ending)]
    return low


_RU_TITLE_STEMS: frozenset[str] = frozenset(" ".join(_ru_stem(w) for w in t.split()) for t in _RU_TITLES)


def _is_title(word: str) -> bool:
    return fold(word).rstrip(".") in _TITLES or _ru_stem(word.rstrip(".")) in _RU_TITLE_STEMS


def _name_like(word: str) -> bool:
    return word[:1].isupper()


@lru_cache(maxsize=1 << 16)
def _clean(text: str) -> tuple[str, bool]:
    """The cleaned name, and whether a person's title stood before it."""
    name = " ".join(text.split()).strip(_EDGE_PUNCT)
    name = _POSSESSIVE.sub("", _DETERMINER.sub("", name)).strip(_EDGE_PUNCT)
    words = name.split()
    # Cut after the last title that is followed only by capitalised words: everything before it is a
    # description ("Kazakh President"), everything after it the name.
    for i in range(len(words) - 2, -1, -1):
        if _is_title(words[i]) and all(_name_like(w) for w in words[i + 1 :]):
            return " ".join(words[i + 1 :]), True
    return " ".join(words), False


def clean_name(text: str) -> str:
    """A mention's text as a name: no determiner, possessive, edge punctuation, or titles before it.

    "the United States’" -> "United States"; "Secretary Blinken" -> "Blinken";
    "Kazakh President Kassym-Jomart Tokayev" -> "Kassym-Jomart Tokayev"; "г-н Блинкен" -> "Блинкен".
    """
    return _clean(text)[0]


def name_key(text: str) -> str:
    """The exact-match key of a name: cleaned and folded ("the U.S." -> "us", "Блинкен" -> "blinken")."""
    return fold(clean_name(text))


def _stem_key(text: str) -> str:
    return fold(" ".join(_ru_stem(w) for w in clean_name(text).split()))


def _is_latin(text: str) -> bool:
    return not _CYRILLIC.search(text)


@dataclass(frozen=True)
class GazetteerEntry:
    name: str
    kind: str
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...] = ()


class Gazetteer:
    """Canonical countries, places and organisations with their aliases in English and Russian."""

    def __init__(self, entries: Iterable[GazetteerEntry]) -> None:
        self.entries = list(entries)
        self._keys: dict[str, GazetteerEntry] = {}
        self._stems: dict[str, GazetteerEntry | None] = {}
        self._demonyms: set[str] = set()
        self._demonym_stems: set[str] = set()
        for entry in self.entries:
            for alias in (entry.name, *entry.aliases):
                self._keys.setdefault(name_key(alias), entry)
                if _CYRILLIC.search(alias):
                    stem = _stem_key(alias)
                    # A stem two entries share would be a guess: drop it.
                    self._stems[stem] = entry if self._stems.get(stem, entry) is entry else None
            for demonym in entry.demonyms:
                self._demonyms.add(name_key(demonym))
                if _CYRILLIC.search(demonym):
                    # Stems of Cyrillic demonyms only: "Германию" folds to "german", which is the
                    # English demonym "German" but the country in Russian.
                    self._demonym_stems.add(_stem_key(demonym))

    @classmethod
    def from_file(cls, path: Path) -> Gazetteer:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            GazetteerEntry(e["name"], e["kind"], tuple(e.get("aliases", ())), tuple(e.get("demonyms", ())))
            for e in data["entries"]
        )

    def keys(self, entry: GazetteerEntry) -> set[str]:
        return {name_key(alias) for alias in (entry.name, *entry.aliases)}

    def lookup(self, text: str, stems: bool = True) -> GazetteerEntry | None:
        """The entry ``text`` names: by exact key, then (Cyrillic only) by crude stem."""
        entry = self._keys.get(name_key(text))
        if entry is None and stems and _CYRILLIC.search(text):
            entry = self._stems.get(_stem_key(text))
        return entry

    def is_demonym(self, text: str) -> bool:
        """True for an adjective or people ("Kazakh", "Russians", "российский"): no target."""
        if _CYRILLIC.search(text):
            return _stem_key(text) in self._demonym_stems or (
                name_key(text) in self._demonyms and self.lookup(text, stems=False) is None)
        return name_key(text) in self._demonyms


_default_gazetteer: Gazetteer | None = None
_gazetteer_lock = threading.Lock()


def default_gazetteer() -> Gazetteer:
    """The shipped ``resources/gazetteer.json``, read once."""
    global _default_gazetteer
    with _gazetteer_lock:
        if _default_gazetteer is None:
            _default_gazetteer = Gazetteer.from_file(resources.path("gazetteer.json"))
        return _default_gazetteer


@dataclass(frozen=True)
class _Name:
    """A folded person name split into first name (None when only a surname) and surname."""

    first: str | None
    surname: str

    @classmethod
    def parse(cls, key: str) -> _Name:
        words = key.split()
        return cls(words[0] if len(words) > 1 else None, words[-1])


def _firsts_compatible(a: str, b: str) -> bool:
    # Same initial (Antony/Anthony, A./Antony) or same skeleton across scripts (Antony/Энтони -> "entoni").
    return a[0] == b[0] or skeleton(a) == skeleton(b)


def _surnames_equal(a: str, b: str) -> bool:
    return skeleton(a) == skeleton(b) and similarity(a, b) >= MIN_SIMILARITY


class TargetResolver:
    """Finds or creates the target of each mention, incrementally over a project.

    Targets handed in (and those it creates) are indexed by name and aliases; ``resolve`` returns the
    matching target, adding new aliases to it, or a new ``Target`` with ``id=None``. The caller stores
    new targets and sets ``target.id`` on the same object; ``take_changes`` lists existing targets
    whose name, kind or aliases changed so the caller can save them.
    """

    def __init__(self, existing: Iterable[Target] = (), gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer if gazetteer is not None else default_gazetteer()
        self.targets: list[Target] = []
        self._keys: dict[str, list[Target]] = {}
        self._surnames: dict[str, list[Target]] = {}  # skeleton of a surname -> targets
        self._skeletons: dict[str, list[Target]] = {}  # skeleton of a whole name -> targets
        self._entry_of: dict[int, GazetteerEntry] = {}  # id(target) -> its gazetteer entry
        self._by_entry: dict[str, Target] = {}  # gazetteer entry name -> target
        self._changed: dict[int, Target] = {}
        for target in existing:
            self._add_target(target)

    # -- public -------------------------------------------------------------------------------------

    def resolve(self, mention: Mention, lang: str) -> Target | None:
        """The target of ``mention`` (existing or new), or None for junk and descriptive (MISC) mentions."""
        forms = self._forms(mention)
        if not forms:
            return None
        # Inflected-stem matches only for labels that name places and organisations; a person or a
        # MISC span must name the entry exactly (a model's MISC "Tajikistan" is still the country).
        entry = self._gazetteer_entry(forms, stems=mention.label in ("ORG", "LOC"))
        if entry is not None:
            return self._gazetteer_target(entry, forms)
        if mention.label not in ("PER", "ORG", "LOC"):
            return None
        # "Kazakh President Kassym-Jomart Tokayev" tagged ORG: a name after a person's title is a person.
        titled = any(_clean(raw)[1] for raw in (mention.normal, mention.text) if raw)
        kind = "PER" if titled else mention.label
        found = self._exact(forms, kind) or self._person(forms, kind) or self._fuzzy(forms, kind)
        if found is None:
            return self._create(forms, kind)
        target, learned = found
        self._learn(target, learned, kind)
        return target

    def resolve_all(self, items: Sequence[tuple[Mention, str]]) -> list[Target | None]:
        """``resolve`` for many ``(mention, lang)``, results in input order.

        Full person names go first, then surnames alone, then places and organisations: a surname then
        finds its full name, and a person the model mislabelled as a place finds the person.
        """

        def rank(i: int) -> tuple[int, int]:
            mention = items[i][0]
            if mention.label == "PER":
                return (0 if len(clean_name(mention.normal or mention.text).split()) > 1 else 1, i)
            return (2, i)

        results: list[Target | None] = [None] * len(items)
        for i in sorted(range(len(items)), key=rank):
            results[i] = self.resolve(*items[i])
        return results

    def is_gazetteer_target(self, target: Target) -> bool:
        """True when ``target`` is the target of a shipped gazetteer entry (its kind is the entry's)."""
        return id(target) in self._entry_of

    def take_changes(self) -> list[Target]:
        """Targets that already had an id and changed (aliases, name, kind) since the last call."""
        changed = [t for t in self._changed.values() if t.id is not None]
        self._changed.clear()
        return changed

    # -- forms and indexing -------------------------------------------------------------------------

    def _forms(self, mention: Mention) -> list[str]:
        """The mention's usable names, normal form first, or [] when it is junk or a demonym."""
        forms: list[str] = []
        seen: set[str] = set()
        for raw in (mention.normal, mention.text):
            if not raw:
                continue
            form = clean_name(raw)
            key = fold(form)
            if key in seen or self._junk(form, key):
                continue
            seen.add(key)
            forms.append(form)
        if any(self.gazetteer.is_demonym(f) for f in forms):
            return []
        return forms

    @staticmethod
    def _junk(form: str, key: str) -> bool:
        letters = sum(ch.isalpha() for ch in key)
        # A name has at least two letters and a capital somewhere ("state", "kk-mos/sc" have none).
        return letters < 2 or not any(ch.isupper() for ch in form) or key in _GENERIC or key in _TITLES

    def _variants(self, target: Target) -> list[str]:
        return [target.name, *target.aliases]

    def _add_target(self, target: Target) -> None:
        self.targets.append(target)
        if target.kind != "PER":
            # Every entry the target's names name is this target: after a merge of Washington into
            # United States both entries lead here, so an import does not bring Washington back.
            for variant in self._variants(target):
                entry = self.gazetteer.lookup(variant, stems=False)
                if entry is not None and entry.name not in self._by_entry:
                    self._link(target, entry)
        for variant in self._variants(target):
            self._index(target, variant)

    def _link(self, target: Target, entry: GazetteerEntry) -> None:
        self._entry_of.setdefault(id(target), entry)
        self._by_entry[entry.name] = target
        for key in self.gazetteer.keys(entry):
            self._put(self._keys, key, target)

    def _index(self, target: Target, variant: str) -> None:
        key = name_key(variant)
        if not key:
            return
        self._put(self._keys, key, target)
        self._put(self._surnames, skeleton(_Name.parse(key).surname), target)
        self._put(self._skeletons, skeleton(key), target)

    @staticmethod
    def _put(index: dict[str, list[Target]], key: str, target: Target) -> None:
        bucket = index.setdefault(key, [])
        if not any(t is target for t in bucket):
            bucket.append(target)

    # -- rules --------------------------------------------------------------------------------------

    def _gazetteer_entry(self, forms: list[str], stems: bool) -> GazetteerEntry | None:
        for form in forms:
            entry = self.gazetteer.lookup(form, stems=stems)
            if entry is not None:
                return entry
        return None

    def _gazetteer_target(self, entry: GazetteerEntry, forms: list[str]) -> Target:
        """Rule (a): the one target of a gazetteer entry, created with the canonical name."""
        target = self._by_entry.get(entry.name)
        if target is None:
            target = Target(name=entry.name, kind=entry.kind)
            self._add_target(target)
            self._link(target, entry)
        self._learn(target, forms, target.kind)
        return target

    def _exact(self, forms: list[str], kind: str) -> tuple[Target, list[str]] | None:
        """Rule (b): a target with this exact folded name or alias, of the same kind.

        Across kinds only between a person and a non-gazetteer place/organisation: small NER models
        often call a surname a place ("Blinken" as GPE).
        """
        for form in forms:
            bucket = self._keys.get(fold(form), [])
            for target in bucket:
                if target.kind == kind:
                    return target, forms
            for target in bucket:
                if self._person_cross_ok(target, kind):
                    return target, forms
        return None

    def _person_cross_ok(self, target: Target, kind: str) -> bool:
        if id(target) in self._entry_of or kind == target.kind:
            return False
        return "PER" in (kind, target.kind) and {kind, target.kind} <= {"PER", "ORG", "LOC"}

    def _person(self, forms: list[str], kind: str) -> tuple[Target, list[str]] | None:
        """Rule (c): the person with a fuzzy-equal surname and a compatible first name.

        A mention labelled ORG/LOC is tried as a person only against persons. A longer span whose last
        two words are a known person's first name and surname is that person ("the Republic Mukhtar
        Tleuberdi").
        """
        for form in forms:
            key = fold(form)
            words = key.split()
            if kind == "PER" or len(words) <= 2:
                found = self._person_match(_Name.parse(key), kind, need_first=False)
                if found is not None:
                    return found, [form]
            if len(words) > 2:
                tail = " ".join(form.split()[-2:])
                found = self._person_match(_Name.parse(fold(tail)), kind, need_first=True)
                if found is not None:
                    return found, [tail]
        return None

    def _person_match(self, name: _Name, kind: str, need_first: bool) -> Target | None:
        strong: list[Target] = []
        weak: list[Target] = []
        for target in self._surnames.get(skeleton(name.surname), []):
            if target.kind != "PER" and not (kind == "PER" and self._person_cross_ok(target, kind)):
                continue
            firsts: set[str] = set()
            same_surname = False
            for variant in self._variants(target):
                other = _Name.parse(name_key(variant))
                if _surnames_equal(other.surname, name.surname):
                    same_surname = True
                    if other.first:
                        firsts.add(other.first)
            if not same_surname:
                continue
            if name.first and firsts:
                if any(_firsts_compatible(name.first, f) for f in firsts):
                    strong.append(target)
                # A first name the target has never had is a different person (Joe/Hunter Biden).
            elif not need_first:
                weak.append(target)
        for group in (strong, weak):
            if len(group) == 1:
                return group[0]
            if len(group) > 1:
                return None  # two people fit: leave it to the user rather than guess
        return None

    def _fuzzy(self, forms: list[str], kind: str) -> tuple[Target, list[str]] | None:
        """Rule (d): a place or organisation of the same kind whose whole name is fuzzy-equal."""
        if kind == "PER":
            return None
        best: tuple[float, Target] | None = None
        for form in forms:
            key = fold(form)
            if len(key) < MIN_FUZZY_CHARS:
                continue
            for target in self._skeletons.get(skeleton(key), []):
                if target.kind != kind:
                    continue
                score = max(similarity(key, name_key(v)) for v in self._variants(target))
                if score >= MIN_SIMILARITY and (best is None or score > best[0]):
                    best = (score, target)
        return (best[1], forms) if best else None

    # -- creating and learning ----------------------------------------------------------------------

    def _create(self, forms: list[str], kind: str) -> Target:
        # The normal form (nominative for Russian) names the target; the surface form is an alias.
        target = Target(name=forms[0], kind=kind, aliases=[f for f in forms[1:]])
        self._add_target(target)
        return target

    def _learn(self, target: Target, forms: list[str], kind: str) -> None:
        # Spellings are kept per script and per case form ("Tleuberdi", "Тлеуберди", "Тлеуберди"): the
        # aliases show what the articles actually say. Only case differences are folded away.
        known = {v.casefold() for v in self._variants(target)}
        changed = False
        for form in forms:
            if form.casefold() not in known:
                target.aliases.append(form)
                known.add(form.casefold())
                self._index(target, form)
                changed = True
        linked = id(target) in self._entry_of
        if not target.pinned and not linked:
            if kind == "PER" and target.kind != "PER":
                target.kind = "PER"  # the model called it a person somewhere: that is what it is
                changed = True
            for form in forms:
                if self._better_name(form, target):
                    old = target.name
                    target.name = form
                    target.aliases = [a for a in target.aliases if a != form]
                    if old not in target.aliases:
                        target.aliases.append(old)
                    changed = True
        if changed:
            self._changed[id(target)] = target

    @staticmethod
    def _better_name(form: str, target: Target) -> bool:
        """A full name beats a surname alone; then a Latin spelling beats a Cyrillic one."""

        def quality(name: str) -> tuple[bool, bool]:
            return (target.kind != "PER" or len(name.split()) > 1, _is_latin(name))

        return quality(form) > quality(target.name)


def merge_aliases(a: Target, b: Target) -> Target:
    """``a`` and ``b`` as one target: ``a``'s name, id and kind, every name of both as aliases."""
    aliases: list[str] = []
    for alias in (*a.aliases, b.name, *b.aliases):
        if alias != a.name and alias not in aliases:
            aliases.append(alias)
    return Target(
        name=a.name,
        kind=a.kind,
        aliases=aliases,
        pinned=a.pinned or b.pinned,
        id=a.id,
        n_mentions=a.n_mentions + b.n_mentions,
    )
