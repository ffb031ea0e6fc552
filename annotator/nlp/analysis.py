"""What an article's text alone decides: its language, sentences (with theirs and whether each is
boilerplate) and, if asked, its entity mentions. A pure function of the text, so the import runs it
in worker processes on all cores and gets the same answer as here.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model import Mention
from .boilerplate import is_boilerplate
from .entities import find_entities_batch
from .language import detect_language, sentence_language
from .sentences import split_sentences

#: One article to analyse: its text, its language when known (else detected), and whether it is
#: one unit (a sentence or task that must not be split).
Job = tuple[str, "str | None", bool]


@dataclass
class TextAnalysis:
    lang: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)  # sentences: offsets in the text
    sentence_langs: list[str] = field(default_factory=list)
    boilerplate: list[bool] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    error: str | None = None  # why this article could not be analysed (it is then left out)


def analyse(text: str, lang: str | None, single_unit: bool) -> TextAnalysis:
    """Language, sentences and boilerplate of one text (no entities)."""
    article_lang = lang or detect_language(text)
    spans = [(0, len(text))] if single_unit else split_sentences(text, article_lang)
    pieces = [text[s:e] for s, e in spans]
    return TextAnalysis(article_lang, spans, [sentence_language(p, article_lang) for p in pieces],
                        [is_boilerplate(p) for p in pieces])


def analyse_batch(jobs: Sequence[Job], ner: bool = False) -> list[TextAnalysis]:
    """:func:`analyse` of each job (one that fails carries its error; the others go on), then the
    entities of those that worked, in one batch (a failure of the models is raised)."""
    out = []
    for text, lang, single_unit in jobs:
        try:
            out.append(analyse(text, lang, single_unit))
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the import
            out.append(TextAnalysis(error=str(exc) or type(exc).__name__))
    if ner:
        ok = [i for i, a in enumerate(out) if a.error is None]
        for i, mentions in zip(ok, find_entities_batch([(jobs[i][0], out[i].lang) for i in ok])):
            out[i].mentions = mentions
    return out

