"""The project gazetteer: every known name (targets' aliases, corrections, the article's own entities)
searched in an article, with spaCy's PhraseMatcher for English and natasha lemmas for Russian."""
from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

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


@dataclass(frozen=True)
class Term:
    """A name to search for and the label a match gets."""

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

    def add(surface: str, label: str) -> None:
        surface = " ".join(surface.split())
        if _searchable(surface):
            labels.setdefault(surface, set()).add(label)

    surnames: dict[str, set[int]] = {}
    owner: dict[str, int] = {}  # a person's name or alias -> id of its target
    for t in targets:
        if t.kind not in ("PER", "ORG", "LOC"):
            continue
        for name in (t.name, *t.aliases):
            add(name, t.kind)
            words = name.split()
            if t.kind == "PER" and len(words) > 1 and len(words[-1]) > 2:
                surnames.setdefault(words[-1], set()).add(id(t))
                owner[name] = id(t)
    for m in mentions:
        add(m.text, m.label)
        # A Russian name is inflected as a whole ("Олафом Шольцем"): its surname comes from the
        # normal form (nominative, "Олаф Шольц"), which is searched too.
        name = m.normal if _CYRILLIC.search(m.text) and m.normal else m.text
        if name != m.text:
            add(name, m.label)
        words = name.split()
        if m.label == "PER" and len(words) > 1 and len(words[-1]) > 2:
            surnames.setdefault(words[-1], set()).add(owner.get(name, hash(name)))
    for surname, owners in surnames.items():
        if len(owners) == 1:  # two people with one surname: the surname alone is no guide
            add(surname, "PER")
    corrected = dict(corrections or {})
    out = []
    for surface, found in labels.items():
        if surface in corrected:
            continue
        if len(found) == 1:
            out.append(Term(surface, next(iter(found))))
    out += [Term(s, label) for s, label in corrected.items() if label is not None and _searchable(s)]
    return out


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


class AliasMatcher:
    """Finds terms in article text; English by exact token sequence (spaCy PhraseMatcher over the
    model's tokenizer), Russian by lemma sequence with the capitalisation kept."""

    def __init__(self, terms: Iterable[Term] = ()) -> None:
        self.terms: dict[str, Term] = {}
        self._en = None  # (nlp, PhraseMatcher, key -> Term), built on first English search
        self._ru: dict[str, list[tuple[list[str], Term]]] = {}  # first 3 letters -> patterns
        self.update(terms)

    def update(self, terms: Iterable[Term]) -> None:
        """Search for exactly ``terms`` from now on (incremental: only the difference is rebuilt)."""
        wanted = {t.surface: t for t in terms}
        gone = [s for s, t in self.terms.items() if wanted.get(s) != t]
        new = [t for s, t in wanted.items() if self.terms.get(s) != t]
        for surface in gone:
            del self.terms[surface]
            for bucket in self._ru.values():
                bucket[:] = [p for p in bucket if p[1].surface != surface]
            if self._en is not None and surface in self._en[1]:
                with _lock:
                    self._en[1].remove(surface)
        for term in new:
            self.terms[term.surface] = term
            words = [term.surface[s:e] for s, e in _tokens(term.surface)]
            if words:
                self._ru.setdefault(words[0][:3].lower().replace("ё", "е"), []).append((words, term))
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
            for pattern, term in self._ru.get(word[:3].lower().replace("ё", "е"), ()):
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
        found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
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
