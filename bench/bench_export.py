"""Export benchmark: a large synthetic project, timed jsonl and hf exports, rows/s and peak memory.

    .venv/bin/python bench/bench_export.py [--articles 20000] [--sentences 20] [--keep DIR]

Builds the project straight through the Store API (no NER, no sentence splitting: sentences are
made up with exact offsets), labelled by three annotators, then runs each export in a fresh
child process so its peak resident memory (ru_maxrss) is its own. Exports a tenth of the
project too: the same peak at 10x the size is what streaming means.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.model import Article, Mention, Sentence, Target  # noqa: E402
from annotator.project import Project  # noqa: E402
from annotator.store import Change, now  # noqa: E402

ANNOTATORS = ("alice", "bob", "carol")
WORDS = ("the", "government", "said", "on", "talks", "minister", "economy", "sanctions", "trade",
         "agreed", "visit", "policy", "support", "border", "energy", "security", "reported")


def build(path: Path, n_articles: int, n_sentences: int, seed: int = 1) -> dict[str, int]:
    """Articles, sentences, one linked mention per sentence, 3 annotators labelling ~60% each."""
    rng = random.Random(seed)
    counts = {"articles": 0, "sentences": 0, "labels": 0}
    with Project.open(path) as p:
        store = p.store
        frames = p.codebook.frame_ids[:8]
        targets = []
        for i in range(50):
            t = Target(name=f"Person {i}", kind="PER", aliases=[f"Person {i}"])
            store.insert_target(t)
            targets.append(t)
        ann_ids = {a: store.annotator_id(a, create=True) for a in ANNOTATORS}
        stamp = now()
        for a_index in range(n_articles):
            parts, spans, mentions = [], [], []
            pos = 0
            for s_index in range(n_sentences):
                t = targets[rng.randrange(len(targets))]
                words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 18)))
                sentence = f"{t.name} {words} {a_index}-{s_index}."
                spans.append((pos, pos + len(sentence), sentence, t.id))
                mentions.append(Mention(start=pos, end=pos + len(t.name), label="PER", text=t.name,
                                        origin="bench", target_id=t.id))
                parts.append(sentence)
                pos += len(sentence) + 1
            text = " ".join(parts)
            article = Article(id=f"{a_index:016x}", title=f"Article {a_index}", text=text, lang="en",
                              outlet=f"Outlet {a_index % 7}", date="2024-01-01")
            sentences = [Sentence(id=0, article_id=article.id, index=i, start=s, end=e, text=x,
                                  lang="en") for i, (s, e, x, _) in enumerate(spans)]
            with store.transaction():
                ids = store.insert_article(article, sentences)
                store.insert_mentions(article.id, mentions)
                for annotator, aid in ann_ids.items():
                    changes = []
                    for sid, (_, _, _, tid) in zip(ids, spans):
                        if rng.random() > 0.6:
                            continue
                        key = {"sentence_id": sid, "annotator_id": aid}
                        changes.append(Change("labels", key, None, {
                            **key, "frames": json.dumps(rng.sample(frames, rng.randint(0, 2))),
                            "irrelevant": int(rng.random() < 0.05), "note": "", "created": stamp,
                            "updated": stamp, "decided_by": None}))
                        if rng.random() < 0.7:
                            skey = {**key, "target_id": tid}
                            changes.append(Change("stances", skey, None, {
                                **skey, "value": rng.choice(("AGAINST", "NEUTRAL", "FAVOR"))}))
                        counts["labels"] += 1
                    store.apply(annotator, "bench", changes)
            counts["articles"] += 1
            counts["sentences"] += len(ids)
    return counts


def child(project: str, out: str, fmt: str, labels: str, split: str | None) -> None:
    from annotator.export import ExportOptions, export, parse_split

    started = time.perf_counter()
    options = ExportOptions(labels=labels, split=parse_split(split) if split else None)
    result = export(project, out, fmt, options)
    seconds = time.perf_counter() - started
    size = sum(f.stat().st_size for f in Path(out).rglob("*")) if Path(out).is_dir() \
        else Path(out).stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"seconds": seconds, "rows": result.rows, "sentences": result.sentences,
                      "bytes": size, "maxrss_mb": peak}))


def run_child(project: Path, out: Path, fmt: str, labels: str, split: str | None) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", str(project), str(out), fmt, labels, split or ""]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        project, out, fmt, labels, split = sys.argv[2:7]
        child(project, out, fmt, labels, split or None)
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=20_000)
    ap.add_argument("--sentences", type=int, default=20)
    ap.add_argument("--keep", type=Path, default=None, help="build (or reuse) the project here")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-export-"))
    base = args.keep or work
    base.mkdir(parents=True, exist_ok=True)
    small_n = max(args.articles // 10, 1)
    projects = {}
    for label, n in (("small", small_n), ("large", args.articles)):
        path = base / f"bench-{n}x{args.sentences}.annot"
        if not path.exists():
            started = time.perf_counter()
            counts = build(path, n, args.sentences)
            print(f"built {path.name}: {counts['articles']} articles, {counts['sentences']} sentences,"
                  f" {counts['labels']} labels in {time.perf_counter() - started:.1f} s"
                  f" ({path.stat().st_size / 2**20:.0f} MiB)")
        projects[label] = path
    runs = [("jsonl", "all", None), ("hf", "majority", "0.8,0.1,0.1")]
    print(f"{'project':>8} {'format':>6} {'labels':>9} {'rows':>9} {'seconds':>8} {'rows/s':>9}"
          f" {'MiB out':>8} {'peak RSS MiB':>13}")
    for label, path in projects.items():
        for fmt, labels, split in runs:
            out = work / f"{label}-{fmt}"
            r = run_child(path, out, fmt, labels, split)
            print(f"{label:>8} {fmt:>6} {labels:>9} {r['rows']:>9} {r['seconds']:>8.1f}"
                  f" {r['rows'] / r['seconds']:>9.0f} {r['bytes'] / 2**20:>8.1f}"
                  f" {r['maxrss_mb']:>13.0f}")
    print(f"(outputs in {work}; remove it when done)")


if __name__ == "__main__":
    main()
