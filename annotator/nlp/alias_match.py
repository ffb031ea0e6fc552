"""The project gazetteer: every known name (targets' aliases, corrections, the article's own entities)
searched in an article, with spaCy's PhraseMatcher for English and natasha lemmas for Russian."""
from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from annotator.model import Mention, Target
from annotator.nlp.language import sentence_language
from annotator.nlp.sentences import split_paragraphs
from annotator.nlp.spans import is_dateline, is_title

#: Origin written on mentions the gazetteer found (the models' own keep their backend's name).
ORIGIN = "gazetteer"
#: Names shorter than this are not searched (initials, stray letters).
MIN_CHARS = 2
_CYRILLIC = re.compile(r"[\u0400-\u052f]")
_TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]", re.UNICODE)
#: Russian noun and adjective case endings a name may take after its nominative stem.
RU_ENDINGS: frozenset[str] = frozenset(
    "а я у ю ы и е ом ем ой ей ою ею ым им ых их ов ев ам ям ами ями ах ях ого его ому ему ую юю".split()
)
_lock = threading.Lock()


class Term(NamedTuple):
    """A name to search for and the label a match gets (a tuple: an import compares thousands
    of them for every article)."""

    surface: str
    label: str


@lru_cache(maxsize=1 << 16)  # every article's terms are built from all targets: remember
def _searchable(surface: str) -> bool:
    words = surface.split()
    if len(surface) < MIN_CHARS or not words or not any(ch.isupper() for ch in surface):
        return False
    if not words[0][:1].isupper() and not words[0][:1].isdigit():
        return False  # "российский", "the Kremlin": not a name as it stands
    return not (len(words) == 1 and is_title(surface))


def build_terms(
    targets: Iterable[Target] = (),
    mentions: Iterable[Mention] = (),
    corrections: Mapping[str, str | None] | None = None,
) -> list[Term]:
    """Terms from targets (name, aliases, and a person's surname), an article's own mentions and the
    annotators' corrections (surface -> label; None = never an entity). A surface known with two
    labels is left out: a match would be a guess."""
    labels: dict[str, set[str]] = {}
    surnames: dict[str, set[int]] = {}
    owner: dict[str, int] = {}  # a person's name or alias -> id of its target
    for t in targets:
        if t.kind not in ("PER", "ORG", "LOC"):
            continue
        for name in (t.name, *t.aliases):
            _add(labels, name, t.kind)
            words = name.split()
            if t.kind == "PER" and len(words) > 1 and len(words[-1]) > 2:
                surnames.setdefault(words[-1], set()).add(id(t))
                owner[name] = id(t)
    for m in mentions:
        _add_mention(labels, surnames, owner, m)
    for surname, owners in surnames.items():
        if len(owners) == 1:  # two people with one surname: the surname alone is no guide
            _add(labels, surname, "PER")
    return _finish(labels.items(), corrections)


def _add(labels: dict[str, set[str]], surface: str, label: str) -> None:
    surface = " ".join(surface.split())
    if _searchable(surface):
        labels.setdefault(surface, set()).add(label)


def _add_mention(labels: dict[str, set[str]], surnames: dict[str, set[int]],
                 owner: Mapping[str, int], m: Mention) -> None:
    _add(labels, m.text, m.label)
    name = _mention_name(m)
    if name != m.text:
        _add(labels, name, m.label)
    words = name.split()
    if m.label == "PER" and len(words) > 1 and len(words[-1]) > 2:
        surnames.setdefault(words[-1], set()).add(owner.get(name, hash(name)))


def _finish(labels: Iterable[tuple[str, set[str]]], corrections: Mapping[str, str | None] | None
            ) -> list[Term]:
    corrected = dict(corrections or {})
    out = [Term(surface, next(iter(found))) for surface, found in labels
           if len(found) == 1 and surface not in corrected]
    out += [Term(s, label) for s, label in corrected.items() if label is not None and _searchable(s)]
    return out


def _contribution(t: Target) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What one target adds to :func:`build_terms`: (surface, label) pairs, and (name, surname)
    pairs of a person's names (the surname then has this target among its owners)."""
    if t.kind not in ("PER", "ORG", "LOC"):
        return [], []
    adds, names = [], []
    for name in (t.name, *t.aliases):
        surface = " ".join(name.split())
        if _searchable(surface):
            adds.append((surface, t.kind))
        words = name.split()
        if t.kind == "PER" and len(words) > 1 and len(words[-1]) > 2:
            names.append((name, words[-1]))
    return adds, names


class TermBuilder:
    """Keeps an :class:`AliasMatcher` searching for :func:`build_terms`' terms as an import goes
    from article to article, changing only what changed.

    ``build_terms`` goes through every target for every article: with 20,000 targets that was
    ~150 ms an article (hours for a big import). Here each target's part is counted once and
    counted again only when the target changed (its kind, name or aliases: compared for every
    target, a tuple each, which is cheap next to building them), and an article's mentions touch
    only their own surfaces and surnames. The matcher gets the terms that differ from what it
    searches for (the same set of terms as ``build_terms``'; the order of a search's ties no
    longer depends on it: :meth:`AliasMatcher.find` breaks them by surface and label)."""

    def __init__(self) -> None:
        self._seen: list[tuple[Target, str, str, list[str]]] = []  # each target as counted
        self._parts: list[tuple[list[tuple[str, str]], list[tuple[str, str]]]] = []
        self._labels: dict[str, Counter[str]] = {}  # surface -> its labels, counted per target name
        self._owners: dict[str, Counter[int]] = {}  # surname -> id(target) of the persons it names
        self._owner: dict[str, dict[int, int]] = {}  # name -> {target index: id(target)}
        self._dirty: set[str] = set()  # surfaces whose term may have changed since the last call
        self._corrections: dict[str, str | None] | None = None
        self._last: set[str] = set()  # surfaces the last article's mentions touched

    def update(self, matcher: AliasMatcher, targets: Sequence[Target], mentions: Sequence[Mention],
               corrections: Mapping[str, str | None] | None = None) -> None:
        """Make ``matcher`` search for ``build_terms(targets, mentions, corrections)``."""
        self._sync(targets)
        corrected = dict(corrections or {})
        if corrected != self._corrections:
            # Every surface a term could come from, and those corrected before or now.
            self._dirty |= (set(self._labels) | set(self._owners) | set(matcher.terms)
                            | set(corrected) | set(self._corrections or ()))
            self._corrections = corrected
        # The mentions' labels and owners, on top of the targets' (as build_terms adds them);
        # a name several persons have belongs to the last of them, as in build_terms.
        touched: dict[str, set[str]] = {}
        owners: dict[str, set[int]] = {}
        owner = {}
        for name in {_mention_name(m) for m in mentions}:
            by_index = self._owner.get(name)
            if by_index:
                owner[name] = by_index[max(by_index)]
        for m in mentions:
            _add_mention(touched, owners, owner, m)
        now = set(touched) | set(owners)
        check = self._dirty | self._last | now
        self._dirty, self._last = set(), now
        gone, new = [], []
        for surface in check:
            term = self._term(surface, touched, owners, corrected)
            have = matcher.terms.get(surface)
            if term != have:
                if have is not None:
                    gone.append(surface)
                if term is not None:
                    new.append(term)
        matcher.change(gone, sorted(new))

    def _term(self, surface: str, touched: Mapping[str, set[str]], owners: Mapping[str, set[int]],
              corrected: Mapping[str, str | None]) -> Term | None:
        """The surface's term in build_terms' answer, or None."""
        if surface in corrected:
            label = corrected[surface]
            return Term(surface, label) if label is not None and _searchable(surface) else None
        found = set(self._labels.get(surface, ())) | touched.get(surface, set())
        people = set(self._owners.get(surface, ())) | owners.get(surface, set())
        if len(people) == 1 and _searchable(surface):
            found.add("PER")
        return Term(surface, next(iter(found))) if len(found) == 1 else None

    def _sync(self, targets: Sequence[Target]) -> None:
        """Count again the targets that changed, were added or went since the last call."""
        seen = self._seen
        changed = [i for i, (t, (was, kind, name, aliases)) in enumerate(zip(targets, seen))
                   if t is not was or t.kind != kind or t.name != name or t.aliases != aliases]
        changed += range(min(len(targets), len(seen)), max(len(targets), len(seen)))
        for i in changed:
            if i < len(seen):
                self._count(i, id(seen[i][0]), self._parts[i], -1)
            if i < len(targets):
                t = targets[i]
                part = _contribution(t)
                record = (t, t.kind, t.name, list(t.aliases))
                if i < len(seen):
                    self._parts[i], seen[i] = part, record
                else:
                    self._parts.append(part)
                    seen.append(record)
                self._count(i, id(t), part, 1)
        del self._parts[len(targets):], seen[len(targets):]

    def _count(self, index: int, owner_id: int,
               part: tuple[list[tuple[str, str]], list[tuple[str, str]]], sign: int) -> None:
        adds, names = part
        for surface, label in adds:
            _bump(self._labels, surface, label, sign)
            self._dirty.add(surface)
        for name, surname in names:
            _bump(self._owners, surname, owner_id, sign)
            self._dirty.add(surname)
            by_index = self._owner.setdefault(name, {})
            if sign > 0:
                by_index[index] = owner_id
            else:
                by_index.pop(index, None)
                if not by_index:
                    del self._owner[name]


def _bump(counts: dict[Any, Counter[Any]], key: Any, value: Any, sign: int) -> None:
    counter = counts.setdefault(key, Counter())
    counter[value] += sign
    if counter[value] <= 0:
        del counter[value]
        if not counter:
            del counts[key]


def _mention_name(m: Mention) -> str:
    """The name a mention gives a person: a Russian name is inflected as a whole ("Олафом
    Шольцем"), so its normal form (nominative, "Олаф Шольц"), which is searched too."""
    return m.normal if _CYRILLIC.search(m.text) and m.normal else m.text


@lru_cache(maxsize=200_000)
def _ru_lemma(word: str) -> str:
    from annotator.nlp.entities import russian_lemma

    return russian_lemma(word).replace("ё", "е")


def _ru_base(word: str) -> str:
    """A nominative minus its final vowel/й/ь ("Астана" -> "астан"): what every case form starts with."""
    w = word.lower().replace("ё", "е")
    return w[:-1] if len(w) > 3 and w[-1] in "аяйьоеыи" else w


def _ru_word_match(pattern: str, word: str) -> bool:
    """``word`` is ``pattern`` in some case: same lemma, or the pattern's stem plus a case ending."""
    if not _CYRILLIC.search(pattern):
        return pattern == word
    if _ru_lemma(pattern) == _ru_lemma(word):
        return True
    base, w = _ru_base(pattern), word.lower().replace("ё", "е")
    return w.startswith(base) and (w[len(base):] in RU_ENDINGS or w == pattern.lower().replace("ё", "е"))


def _tokens(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _shape_ok(pattern_word: str, word: str) -> bool:
    """Capitalisation must agree: an acronym stays upper case, a name starts with a capital."""
    if pattern_word.isupper() and len(pattern_word) > 1:
        return word.isupper() or word == pattern_word
    if pattern_word[:1].isupper():
        return word[:1].isupper()
    return True


def _bucket(word: str) -> str:
    """Where a Russian pattern starting with ``word`` is kept: its first three letters."""
    return word[:3].lower().replace("ё", "е")


def _slot(first: str) -> str:
    """The key of a pattern by its first word: a Cyrillic word (matched in any case form) by its
    first three letters, any other by itself (it matches only itself: see _ru_word_match)."""
    return _bucket(first) if _CYRILLIC.search(first) else "=" + first


class AliasMatcher:
    """Finds terms in article text; English by exact token sequence (spaCy PhraseMatcher over the
    model's tokenizer), Russian by lemma sequence with the capitalisation kept."""

    def __init__(self, terms: Iterable[Term] = ()) -> None:
        self.terms: dict[str, Term] = {}
        self._en = None  # (nlp, PhraseMatcher, key -> Term), built on first English search
        self._ru: dict[str, list[tuple[list[str], Term]]] = {}  # _slot(first word) -> patterns
        self.update(terms)

    def update(self, terms: Iterable[Term]) -> None:
        """Search for exactly ``terms`` from now on (incremental: only the difference is rebuilt)."""
        wanted = {t.surface: t for t in terms}
        self.change([s for s, t in self.terms.items() if wanted.get(s) != t],
                    [t for s, t in wanted.items() if self.terms.get(s) != t])

    def change(self, gone: Iterable[str], new: Iterable[Term]) -> None:
        """Stop searching for the ``gone`` surfaces; search for the ``new`` terms (a term for a
        surface already searched for replaces it)."""
        for surface in [*gone, *(t.surface for t in new if t.surface in self.terms)]:
            if self.terms.pop(surface, None) is None:
                continue
            words = [surface[s:e] for s, e in _tokens(surface)]
            if words:  # its patterns are in its first word's bucket only
                bucket = self._ru.get(_slot(words[0]), [])
                bucket[:] = [p for p in bucket if p[1].surface != surface]
            if self._en is not None and surface in self._en[1]:
                with _lock:
                    self._en[1].remove(surface)
        for term in new:
            self.terms[term.surface] = term
            words = [term.surface[s:e] for s, e in _tokens(term.surface)]
            if words:
                self._ru.setdefault(_slot(words[0]), []).append((words, term))
            if self._en is not None:
                self._add_en(term)

    def _add_en(self, term: Term) -> None:
        if _CYRILLIC.search(term.surface) or self._en is None:
            return
        nlp, matcher, keys = self._en
        with _lock:
            keys[nlp.vocab.strings.add(term.surface)] = term
            matcher.add(term.surface, [nlp.make_doc(term.surface)])

    def _english(self):  # type: ignore[no-untyped-def]
        if self._en is None:
            from spacy.matcher import PhraseMatcher

            from annotator.nlp.entities import english_tokenizer

            nlp = english_tokenizer()
            self._en = (nlp, PhraseMatcher(nlp.vocab, attr="ORTH"), {})
            for term in self.terms.values():
                self._add_en(term)
        return self._en

    def _find_en(self, text: str, start: int, end: int) -> list[tuple[int, int, Term]]:
        nlp, matcher, keys = self._english()
        with _lock:
            doc = nlp.make_doc(text[start:end])
            found = matcher(doc)
        return [(start + doc[s].idx, start + doc[e - 1].idx + len(doc[e - 1].text), keys[k])
                for k, s, e in found]

    def _find_ru(self, text: str, start: int, end: int) -> list[tuple[int, int, Term]]:
        toks = [(start + s, start + e) for s, e in _tokens(text[start:end])]
        words = [text[s:e] for s, e in toks]
        out = []
        for i, word in enumerate(words):
            for pattern, term in (*self._ru.get(_bucket(word), ()), *self._ru.get("=" + word, ())):
                n = len(pattern)
                got = words[i:i + n]
                if len(got) == n and all(_shape_ok(p, w) and _ru_word_match(p, w)
                                         for p, w in zip(pattern, got)):
                    out.append((toks[i][0], toks[i + n - 1][1], term))
        return out

    def find(self, text: str, lang: str, mentions: Iterable[Mention] = ()) -> list[Mention]:
        """New mentions where a term occurs and no mention in ``mentions`` overlaps (longest first)."""
        if not self.terms:
            return []
        taken = sorted((m.start, m.end) for m in mentions)
        found: list[tuple[int, int, Term]] = []
        for p_start, p_end in split_paragraphs(text):
            plang = sentence_language(text[p_start:p_end], lang)
            if plang == "ru" or _CYRILLIC.search(text[p_start:p_end]):
                found += self._find_ru(text, p_start, p_end)
            else:
                found += self._find_en(text, p_start, p_end)
        # Longest first; a tie (two terms on one span) goes by the terms themselves, not by the
        # order they were learned in.
        found.sort(key=lambda f: (-(f[1] - f[0]), f[0], f[2]))
        out: list[Mention] = []
        for s, e, term in found:
            if any(s < te and ts < e for ts, te in taken):
                continue
            if (s > 0 and text[s - 1].isalnum()) or (e < len(text) and text[e].isalnum()):
                continue  # inside a longer word
            mention = Mention(start=s, end=e, label=term.label, text=text[s:e], origin=ORIGIN,
                              raw_label=None, normal=text[s:e])
            if is_dateline(text, mention):
                continue
            taken.append((s, e))
            out.append(mention)
        return sorted(out, key=lambda m: m.start)
