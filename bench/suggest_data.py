"""Labelled projects for the suggestion model: labels made by a known rule, at random, or by a
noisy 'realistic' annotator over generated English/Russian news sentences (seeded)."""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus import TextMaker

from annotator.ingest.base import article_id
from annotator.model import Article, Mention, Sentence, Target
from annotator.project import Project

STANCES = ("AGAINST", "NEUTRAL", "FAVOR")
#: rule sets: frame -> cue words (English, Russian) and stance cue words near the target
FRAME_CUES = {
    "economic": ("economy inflation prices market bank budget growth trade",
                 "экономика цены рынок банк бюджет рост торговля"),
    "political": ("parliament election vote president minister",
                  "парламент президент министр закон"),
    "security_defense": ("military troops forces defence security border",
                 "войска безопасность граница"),
    "legality": ("law court", "суд"),
}
FAVOR_CUES = ("supports", "praised", "welcomed", "поддержал", "похвалил")
AGAINST_CUES = ("condemned", "blamed", "criticised", "осудил", "обвинил")


@dataclass
class Labelled:
    path: Path
    sentences: int
    labels: int
    stances: int


def _cue_frames(text: str, lang: str) -> list[str]:
    words = set(text.lower().replace(".", "").split())
    i = 0 if lang == "en" else 1
    return [f for f, cues in FRAME_CUES.items() if words & set(cues[i].split())]


def build(path: Path, n: int, kind: str = "rule", seed: int = 0, annotator: str = "alice",
          russian_share: float = 0.25, noise: float = 0.1) -> Labelled:
    """A project of ``n`` labelled sentences (8 per article, one or two linked targets each).

    ``rule``: frames are exactly the cue frames of the words, stance FAVOR/AGAINST when a cue
    word stands right before the target's mention, else NEUTRAL. ``random``: the same sentences
    with frames and stances drawn at random at the rule's rates. ``realistic``: the rule seen
    through an annotator who misses a cue frame 10% of the time, adds a wrong one 5% of the
    time per frame, and gives a random stance ``noise`` of the time. Sentences with two targets
    hold two cues: only the one right before a mention says its stance.
    """
    rng = random.Random(seed)
    maker = TextMaker(seed)
    with Project.open(path, create=True) as p:
        targets: dict[int, int] = {}
        labelled = stances = 0
        for a in range((n + 7) // 8):
            lang = "ru" if rng.random() < russian_share else "en"
            parts, sents, mentions = [], [], []
            pos = 0
            for i in range(8):
                g = maker.sentence(lang, rng.choice((1, 1, 2)))
                cue_of: dict[int, str] = {}
                shift = 0
                text = g.text
                for start, end, eid in g.mentions:
                    value = rng.choice(STANCES)
                    cue_of[eid] = value
                    if value == "NEUTRAL":
                        continue
                    cues = FAVOR_CUES if value == "FAVOR" else AGAINST_CUES
                    cue = cues[rng.randrange(3) if lang == "en" else 3 + rng.randrange(2)]
                    at = start + shift
                    text = text[:at] + cue + " " + text[at:]
                    shift += len(cue) + 1
                ms = _find(text, g.mentions, maker)
                if parts:
                    parts.append(" ")
                    pos += 1
                sents.append(Sentence(0, "", i, pos, pos + len(text), text, lang))
                mentions.append((pos, ms, cue_of))
                parts.append(text)
                pos += len(text)
            body = "".join(parts)
            art = Article(article_id(body + str(a)), f"Article {a}", body, lang)
            ids = p.store.insert_article(art, sents)
            new: list[Mention] = []
            for (off, ms, _), sid in zip(mentions, ids):
                for start, end, eid in ms:
                    if eid not in targets:
                        ent = maker.entities[eid - 1]
                        targets[eid] = p.store.insert_target(Target(ent.name, ent.kind))
                    new.append(Mention(off + start, off + end, maker.entities[eid - 1].kind,
                                       body[off + start:off + end], "bench", target_id=targets[eid]))
            p.store.insert_mentions(art.id, new)
            with p.store.transaction():
                for s, sid, (_, ms, cue_of) in zip(sents, ids, mentions):
                    frames = _cue_frames(s.text, lang)
                    found = {eid for _, _, eid in ms}
                    stance = {targets[eid]: v for eid, v in cue_of.items() if eid in found}
                    if kind == "random":
                        frames = [f for f in FRAME_CUES if rng.random() < 0.3]
                        stance = {t: rng.choice(STANCES) for t in stance}
                    elif kind == "realistic":
                        frames = [f for f in frames if rng.random() > 0.1]
                        frames += [f for f in FRAME_CUES if f not in frames and rng.random() < 0.05]
                        stance = {t: (rng.choice(STANCES) if rng.random() < noise else v)
                                  for t, v in stance.items()}
                    irrelevant = not frames and not stance
                    p.set_label(sid, annotator, stance=stance, frames=frames, irrelevant=irrelevant)
                    labelled += 1
                    stances += len(stance)
    return Labelled(path, labelled, labelled, stances)


def _find(text: str, gen_mentions: list[tuple[int, int, int]], maker: Any) -> list[tuple[int, int, int]]:
    """Where each generated entity's surface form now stands in ``text`` (after cue insertion)."""
    out, pos = [], 0
    for start, end, eid in gen_mentions:
        ent = maker.entities[eid - 1]
        surface = next((s for s in ent.surface.values() if text.find(s, pos) >= 0), None)
        if surface is None:
            continue
        at = text.find(surface, pos)
        out.append((at, at + len(surface), eid))
        pos = at + len(surface)
    return out
