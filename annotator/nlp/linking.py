"""An article's model mentions made trustworthy: corrections, the project gazetteer, targets, one label
per target. Used by the import and by the evaluation, so both run the same rules."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from annotator.model import Mention, Target
from annotator.nlp.alias_match import AliasMatcher, TermBuilder
from annotator.nlp.label_vote import LabelVotes, apply_votes
from annotator.nlp.targets import TargetResolver


class EntityLinker:
    """Links the mentions of one article after another, learning as it goes (as an import does).

    ``corrections`` maps a surface form to the label annotators gave it everywhere (None: not an
    entity); model mentions with such a surface are relabelled or dropped and the labelled ones are
    searched for like a target's aliases.
    """

    def __init__(self, resolver: TargetResolver, votes: LabelVotes | None = None,
                 corrections: Mapping[str, str | None] | None = None, gazetteer: bool = True) -> None:
        self.resolver = resolver
        self.votes = votes or LabelVotes()
        self.corrections = dict(corrections or {})
        self.use_gazetteer = gazetteer
        self.matcher = AliasMatcher()
        self.terms = TermBuilder()  # keeps the matcher's terms, article after article

    def link(self, text: str, lang: str, mentions: list[Mention],
             save_new: Callable[[Target], None]) -> tuple[list[Mention], list[Target]]:
        """The article's mentions (corrected, with the gazetteer's finds added, sorted), each with
        ``target_id`` set; and the existing targets that changed (name, kind, aliases) to be saved.
        ``save_new`` stores a new target and sets its ``id``."""
        kept: list[Mention] = []
        for m in mentions:
            if m.text in self.corrections:
                label = self.corrections[m.text]
                if label is None:
                    continue
                m.label = label
            kept.append(m)
        if self.use_gazetteer:
            self.terms.update(self.matcher, self.resolver.targets, kept, self.corrections)
            kept = sorted(kept + self.matcher.find(text, lang, kept), key=lambda m: (m.start, m.end))
        resolved = self.resolver.resolve_all([(m, lang) for m in kept])
        for m, target in zip(kept, resolved):
            if target is None:
                m.target_id = None
                continue
            if target.id is None:
                save_new(target)
            m.target_id = target.id
        fixed = [t.id for t in resolved if t is not None and t.id is not None
                 and self.resolver.is_gazetteer_target(t)]
        changed = {id(t): t for t in self.resolver.take_changes()}
        for t in apply_votes(kept, resolved, self.votes, fixed):
            changed[id(t)] = t
        return kept, list(changed.values())
