"""The hand-checked NER evaluation set: markup, offsets, sizes, and the scoring functions."""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from annotator.model import Mention

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from ner_quality import (  # noqa: E402
    EVAL_DIR, gold_jsonl, load_eval, one_target_share, parse_markup, scores,
)


def test_markup_gives_exact_offsets() -> None:
    text, gold = parse_markup("the [United States|LOC|us]' envoy met [Tokayev|PER|tokayev].")
    assert text == "the United States' envoy met Tokayev."
    assert [(text[g.start:g.end], g.label, g.entity) for g in gold] == [
        ("United States", "LOC", "us"), ("Tokayev", "PER", "tokayev")]


def test_every_offset_and_the_sizes() -> None:
    articles = load_eval("all")
    counts: Counter[str] = Counter()
    for a in articles:
        for g in a.gold:
            assert a.text[g.start:g.end] == g.text and g.text == g.text.strip()
            assert g.start == 0 or not a.text[g.start - 1].isalnum()  # whole words
            assert g.end == len(a.text) or not a.text[g.end].isalnum()
            counts[a.lang] += 1
    assert counts["en"] >= 150 and counts["ru"] >= 80
    labels = {g.label for a in articles for g in a.gold}
    assert labels == {"PER", "ORG", "LOC", "MISC"}
    test_ids = {a.id for a in load_eval("test")}
    assert test_ids and test_ids.isdisjoint({a.id for a in load_eval("dev")})


def test_gold_jsonl_is_current() -> None:
    written = (EVAL_DIR / "gold.jsonl").read_text(encoding="utf-8")
    assert written == gold_jsonl(load_eval("all")), "run bench/ner_quality.py --write-gold"
    for line in written.splitlines():
        row = json.loads(line)
        for m in row["mentions"]:
            assert row["text"][m["start"]:m["end"]] == m["text"]


def test_scores_and_one_target_share() -> None:
    (a,) = [x for x in load_eval("dev") if x.id == "en-dev-1"]
    perfect = [Mention(g.start, g.end, g.label, g.text, "gold", target_id=hash(g.entity)) for g in a.gold]
    s = scores([a], [perfect], ("PER", "ORG", "LOC"))
    assert s["strict"][2] == 1.0 and s["span"][2] == 1.0
    relabelled = [Mention(m.start, m.end, "MISC" if m.label == "LOC" else m.label, m.text, "x",
                          target_id=m.target_id) for m in perfect]
    s = scores([a], [relabelled], ("PER", "ORG", "LOC"))
    assert s["strict"][2] < 1.0 and s["span"][1] < 1.0 and s["LOC"][2] == 0.0
    assert one_target_share([a], [perfect])[0] == 1.0
    split = [Mention(m.start, m.end, m.label, m.text, "x", target_id=i) for i, m in enumerate(perfect)]
    assert one_target_share([a], [split])[0] == 0.0
