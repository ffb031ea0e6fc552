"""The gazetteer step of an import with NER, per article, as the project's targets grow.

    PYTHONPATH=. .venv/bin/python bench/bench_linking.py [TARGETS ...] [--new-every N]

For each number of known targets (default 200, 5,000, 20,000): 60 generated English articles
(``corpus.TextMaker``, as the NER figure's), 30 model mentions each, one new target every N
articles (default 5: an import keeps learning targets). Each article costs what
``EntityLinker.link`` spends on the gazetteer: the terms (``TermBuilder``), the matcher's update
and the search. Prints milliseconds an article. Before ``TermBuilder`` every article went through
every target (build_terms): 20,000 targets cost ~150 ms an article, a 100k-article import hours.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import TextMaker  # noqa: E402

from annotator.model import Mention, Target  # noqa: E402
from annotator.nlp.alias_match import AliasMatcher, TermBuilder  # noqa: E402

SYLLABLES = "ka ri to mo se la vi no de ra pe zu".split()


def one(n_targets: int, new_every: int, articles: int = 60) -> float:
    rng = random.Random(0)

    def word() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()

    targets = [Target(f"{word()} {word()}" if rng.random() < 0.5 else word(),
                      rng.choice(["PER", "ORG", "LOC"]), [word() for _ in range(rng.randint(0, 2))],
                      id=i + 1) for i in range(n_targets)]
    maker = TextMaker(seed=11)
    texts = [maker.article("en", rng.randint(20, 40))[0] for _ in range(articles)]
    matcher, builder = AliasMatcher(), TermBuilder()
    builder.update(matcher, targets, [])
    matcher.find(texts[0], "en")  # the tokenizer loaded
    started = time.perf_counter()
    for i, text in enumerate(texts):
        mentions = [Mention(0, 5, rng.choice(["PER", "ORG"]), f"{word()} {word()}", "model")
                    for _ in range(30)]
        builder.update(matcher, targets, mentions)
        matcher.find(text, "en", mentions)
        if new_every and i % new_every == 0:
            targets.append(Target(word(), "ORG", id=len(targets) + 1))
    return (time.perf_counter() - started) / articles * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", type=int, default=[200, 5_000, 20_000])
    parser.add_argument("--new-every", type=int, default=5)
    args = parser.parse_args()
    for n in args.targets:
        print(f"link_gazetteer_{n}_targets  {one(n, args.new_every):8.1f} ms an article"
              f"   (a new target every {args.new_every} articles)")


if __name__ == "__main__":
    main()
