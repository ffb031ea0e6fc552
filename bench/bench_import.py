"""Import speed: synthetic articles built from the seed paragraphs, with and without NER.

Usage: .venv/bin/python bench/bench_import.py [N_ARTICLES]   (prints figures; not a test)
"""
from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from annotator import Project
from annotator.nlp.sentences import split_paragraphs

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def make_corpus(folder: Path, n: int, seed: int = 0) -> int:
    rng = random.Random(seed)
    paragraphs: dict[str, list[str]] = {"en": [], "ru": []}
    for f in sorted(SEEDS.glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        lang = "ru" if sum("а" <= c <= "я" for c in text) > 100 else "en"
        paragraphs[lang] += [text[s:e] for s, e in split_paragraphs(text)]
    total = 0
    for i in range(n):
        lang = "ru" if i % 5 == 3 else "en"
        body = rng.sample(paragraphs[lang], k=min(8, len(paragraphs[lang])))
        text = f"Synthetic report {i}\n\n" + "\n\n".join(body)
        (folder / f"{i:06}.txt").write_text(text, encoding="utf-8")
        total += len(text)
    return total


def run(n: int, ner: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        chars = make_corpus(folder, n)
        with Project.open(Path(tmp) / "bench.annot") as p:
            t0 = time.perf_counter()
            report = p.import_files([folder], ner=ner)
            dt = time.perf_counter() - t0
        print(f"ner={'on ' if ner else 'off'} {report.articles_added} articles, {report.sentences} "
              f"sentences, {report.mentions} mentions, {chars / 1e6:.1f} M chars: {dt:.1f} s = "
              f"{report.articles_added / dt:.1f} articles/s, {report.sentences / dt:.0f} sentences/s")


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    run(n, ner=False)
    run(n, ner=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB")
