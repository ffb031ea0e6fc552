"""spaCy DocBin (``.spacy``): one Doc per sentence label, entity spans as ``doc.ents``, frames as ``doc.cats``.

What ``spacy train`` reads. The text is tokenised by the blank pipeline of the sentence's language
(``xx`` where spaCy has none), so a span that does not fall on its token boundaries cannot be an
entity: it is left out and counted in the export's notes, never moved to other characters.
Overlapping spans (an annotator's and a model's on one name) all go to ``doc.spans["entities"]``;
``doc.ents`` keeps the longest of each overlap. ``doc.cats`` has every codebook frame and
``irrelevant`` (1.0 or 0.0); stance, annotator and the sentence link are ``doc.user_data``.
"""
from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

from .base import Exporter, register
from .records import ArticleBundle

SPANS_KEY = "entities"
IRRELEVANT_CAT = "irrelevant"


@register
class SpacyDocBin(Exporter):
    name = "spacy"
    title = "spaCy DocBin (.spacy): entity spans as doc.ents, frames as doc.cats, one Doc per label"
    suffix = ".spacy"

    @classmethod
    def recognises_file(cls, path: Path) -> bool:
        """A DocBin (zlib-packed msgpack) whose Docs carry our sentence link in user_data."""
        import srsly

        try:
            msg = srsly.msgpack_loads(zlib.decompress(path.read_bytes()))
            if not isinstance(msg, dict) or not {"tokens", "spaces", "user_data"} <= msg.keys():
                return False
            first = msg["user_data"][:1]
            return not first or {"article_id", "annotator"} <= srsly.msgpack_loads(first[0]).keys()
        except Exception:  # noqa: BLE001 - any file that does not unpack is not ours
            return False

    def begin(self) -> None:
        from spacy.tokens import DocBin  # spaCy loads only for this format

        self.docbin = DocBin(store_user_data=True)
        self.pipelines: dict[str, Any] = {}
        self.frames = [f.id for f in self.ctx.builder.codebook.frames]
        self.misaligned = 0
        self.overlapping = 0

    def _blank(self, lang: str | None) -> Any:
        import spacy

        code = (lang or "xx").split("-")[0].lower()
        nlp = self.pipelines.get(code)
        if nlp is None:
            try:
                nlp = spacy.blank(code)
            except (ImportError, KeyError, ValueError):  # spaCy knows no such language
                nlp = self.pipelines.get("xx") or spacy.blank("xx")
            self.pipelines[code] = nlp
        return nlp

    def write(self, bundle: ArticleBundle) -> None:
        from spacy.util import filter_spans

        for rec in bundle.records:
            base = self._blank(rec.get("lang") or rec.get("article_lang")).make_doc(rec["text"])
            spans = []
            for e in rec["entities"]:
                span = base.char_span(e["start"], e["end"], label=e["label"],
                                      alignment_mode="strict")
                if span is None:
                    self.misaligned += 1
                    continue
                spans.append(span)
            ents = filter_spans(spans)
            self.overlapping += len(spans) - len(ents)
            for annotator, label in self.ctx.units(rec):
                doc = base.copy()
                doc.ents = [doc.char_span(s.start_char, s.end_char, label=s.label_) for s in ents]
                doc.spans[SPANS_KEY] = [doc.char_span(s.start_char, s.end_char, label=s.label_)
                                        for s in spans]
                if label is not None:
                    frames = set(label["frames"])
                    doc.cats = {f: float(f in frames) for f in self.frames}
                    doc.cats[IRRELEVANT_CAT] = float(bool(label["irrelevant"]))
                doc.user_data.update({
                    "id": rec["id"], "article_id": rec["article_id"], "start": rec["start"],
                    "end": rec["end"], "lang": rec["lang"], "annotator": annotator or "",
                    "stance": dict(label["stance"]) if label is not None else {},
                    "origins": [e["origin"] for e in rec["entities"]],
                    **({"split": rec["split"]} if "split" in rec else {}),
                })
                self.docbin.add(doc)
                self.rows += 1

    def end(self) -> None:
        if self.misaligned:
            self.note(f"{self.misaligned} entity spans left out: not on spaCy's token boundaries "
                      "of their sentence")
        if self.overlapping:
            self.note(f"{self.overlapping} overlapping entity spans are in "
                      f"doc.spans[{SPANS_KEY!r}] but not doc.ents (which cannot overlap)")
        self.root.write_bytes(self.docbin.to_bytes())
