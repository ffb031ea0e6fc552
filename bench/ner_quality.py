"""Entity quality on the hand-checked set in tests/data/ner_eval: strict and span F1 per language and
label, and the share of entities whose mentions all sit in one target, before and after the rules.

    PYTHONPATH=. .venv/bin/python bench/ner_quality.py [--split test|dev|all] [--errors]

"Before" is the bare models as the import ran them until now (edge punctuation trimmed, the old
person fix-up, the old target resolver); "after" adds the span rules, the project gazetteer, the
label vote and the same resolver. Each split is run as one fresh project (articles in file order,
English then Russian), as an import would.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from annotator.model import Mention, Target  # noqa: E402
from annotator.nlp.entities import find_entities_batch  # noqa: E402
from annotator.nlp.linking import EntityLinker  # noqa: E402
from annotator.nlp.targets import TargetResolver  # noqa: E402

EVAL_DIR = ROOT / "tests" / "data" / "ner_eval"
LABELS = ("PER", "ORG", "LOC", "MISC")
_MARK = re.compile(r"\[([^\[\]|]+)\|(PER|ORG|LOC|MISC)\|([^\[\]|]+)\]")


@dataclass
class GoldMention:
    start: int
    end: int
    label: str
    entity: str
    text: str


@dataclass
class EvalArticle:
    id: str
    lang: str
    split: str
    text: str
    gold: list[GoldMention] = field(default_factory=list)


def parse_markup(markup: str) -> tuple[str, list[GoldMention]]:
    """Plain text and gold mentions from ``[surface|LABEL|entity]`` markup; offsets checked."""
    out: list[str] = []
    gold: list[GoldMention] = []
    pos = 0
    length = 0
    for m in _MARK.finditer(markup):
        plain = markup[pos:m.start()]
        if "[" in plain or "]" in plain:
            raise ValueError(f"malformed markup before {m.group(0)!r}: {plain[-40:]!r}")
        out.append(plain)
        length += len(plain)
        surface, label, entity = m.group(1), m.group(2), m.group(3)
        if surface != surface.strip():
            raise ValueError(f"mention {surface!r} has edge spaces")
        gold.append(GoldMention(length, length + len(surface), label, entity, surface))
        out.append(surface)
        length += len(surface)
        pos = m.end()
    tail = markup[pos:]
    if "[" in tail or "]" in tail:
        raise ValueError(f"malformed markup: {tail[:40]!r}")
    out.append(tail)
    text = "".join(out)
    for g in gold:
        if text[g.start:g.end] != g.text:
            raise ValueError(f"offset check failed for {g.text!r} at {g.start}")
    return text, gold


def load_eval(split: str = "all") -> list[EvalArticle]:
    """The evaluation articles of ``split`` ("dev", "test", "heldout" or "all"), English first."""
    articles: list[EvalArticle] = []
    for lang in ("en", "ru"):
        for part in ("dev", "test", "heldout"):
            if split not in ("all", part):
                continue
            path = EVAL_DIR / f"{lang}_{part}.txt"
            chunks = re.split(r"^### (\S+)\n", path.read_text(encoding="utf-8"), flags=re.M)
            for aid, body in zip(chunks[1::2], chunks[2::2]):
                text, gold = parse_markup(body.strip() + "\n")
                articles.append(EvalArticle(aid, lang, part, text, gold))
    return articles


def gold_jsonl(articles: list[EvalArticle]) -> str:
    """The set as JSON lines (one article each, offsets explicit), for other tools."""
    return "".join(json.dumps({
        "id": a.id, "lang": a.lang, "split": a.split, "text": a.text,
        "mentions": [{"start": g.start, "end": g.end, "label": g.label, "entity": g.entity,
                      "text": g.text} for g in a.gold],
    }, ensure_ascii=False) + "\n" for a in articles)


def predict(articles: list[EvalArticle], rules: bool) -> list[list[Mention]]:
    """Mentions with ``target_id`` set, as a fresh project's import would make them."""
    found = find_entities_batch([(a.text, a.lang) for a in articles], rules=rules)
    resolver = TargetResolver()
    next_id = iter(range(1, 1_000_000))

    def save(target: Target) -> None:
        target.id = next(next_id)

    if not rules:
        for a, mentions in zip(articles, found):
            for m, t in zip(mentions, resolver.resolve_all([(m, a.lang) for m in mentions])):
                if t is not None and t.id is None:
                    save(t)
                m.target_id = t.id if t is not None else None
        return found
    linker = EntityLinker(resolver)
    return [linker.link(a.text, a.lang, mentions, save)[0] for a, mentions in zip(articles, found)]


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def scores(articles: list[EvalArticle], predicted: list[list[Mention]],
           labels: tuple[str, ...]) -> dict[str, tuple[float, float, float, int]]:
    """F1 figures over ``labels``: "strict" (span and label), "span" (span only, any label), and
    one strict figure per label. Values: (precision, recall, F1, gold count)."""
    out: dict[str, tuple[float, float, float, int]] = {}
    g_strict = {(i, g.start, g.end, g.label) for i, a in enumerate(articles) for g in a.gold
                if g.label in labels}
    p_strict = {(i, m.start, m.end, m.label) for i, ms in enumerate(predicted) for m in ms
                if m.label in labels}
    out["strict"] = (*prf(len(g_strict & p_strict), len(p_strict), len(g_strict)), len(g_strict))
    g_span = {k[:3] for k in g_strict}
    p_span = {k[:3] for k in p_strict}
    out["span"] = (*prf(len(g_span & p_span), len(p_span), len(g_span)), len(g_span))
    for label in labels:
        g = {k for k in g_strict if k[3] == label}
        p = {k for k in p_strict if k[3] == label}
        out[label] = (*prf(len(g & p), len(p), len(g)), len(g))
    return out


def one_target_share(articles: list[EvalArticle], predicted: list[list[Mention]],
                     labels: tuple[str, ...] = ("PER", "ORG", "LOC")) -> tuple[float, int, int]:
    """Share of gold entities (with 2+ mentions found, any label) whose found mentions all carry one
    target (not none): (share, consistent, entities counted)."""
    targets: dict[str, list[int | None]] = {}
    for a, mentions in zip(articles, predicted):
        by_span = {(m.start, m.end): m for m in mentions}
        for g in a.gold:
            if g.label not in labels:
                continue
            m = by_span.get((g.start, g.end))
            if m is not None:
                targets.setdefault(g.entity, []).append(m.target_id)
    counted = {e: ts for e, ts in targets.items() if len(ts) >= 2}
    ok = sum(1 for ts in counted.values() if None not in ts and len(set(ts)) == 1)
    return (ok / len(counted) if counted else 0.0), ok, len(counted)


def errors(articles: list[EvalArticle], predicted: list[list[Mention]]) -> Counter[str]:
    """Error kinds: missed, spurious, wrong label (gold -> predicted), wrong span (overlapping)."""
    kinds: Counter[str] = Counter()
    for a, mentions in zip(articles, predicted):
        gold = {(g.start, g.end): g for g in a.gold}
        pred = {(m.start, m.end): m for m in mentions}
        for span, g in gold.items():
            m = pred.get(span)
            if m is None:
                if any(s < span[1] and span[0] < e for s, e in pred):
                    kinds[f"{a.lang} wrong span {g.label}"] += 1
                else:
                    kinds[f"{a.lang} missed {g.label}"] += 1
            elif m.label != g.label:
                kinds[f"{a.lang} label {g.label}->{m.label}"] += 1
        for span, m in pred.items():
            if span not in gold and not any(s < span[1] and span[0] < e for s, e in gold):
                kinds[f"{a.lang} spurious {m.label}"] += 1
    return kinds


def split_entities(articles: list[EvalArticle], predicted: list[list[Mention]]) -> list[str]:
    """Gold entities whose found mentions are not all in one target, with their (text, target)."""
    seen: dict[str, list[tuple[str, int | None]]] = {}
    for a, mentions in zip(articles, predicted):
        by_span = {(m.start, m.end): m for m in mentions}
        for g in a.gold:
            m = by_span.get((g.start, g.end))
            if m is not None and g.label != "MISC":
                seen.setdefault(g.entity, []).append((g.text, m.target_id))
    return [f"{e}: {sorted(set(v), key=str)}" for e, v in seen.items()
            if len(v) > 1 and (len({t for _, t in v}) > 1 or None in {t for _, t in v})]


def error_examples(articles: list[EvalArticle], predicted: list[list[Mention]]) -> list[str]:
    lines = []
    for a, mentions in zip(articles, predicted):
        gold = {(g.start, g.end): g for g in a.gold}
        pred = {(m.start, m.end): m for m in mentions}
        for span in sorted(set(gold) | set(pred)):
            g, m = gold.get(span), pred.get(span)
            if g and m and g.label == m.label:
                continue
            lines.append(f"{a.id}: gold={g.label + ' ' + g.text if g else '-'!s:40} "
                         f"pred={m.label + ' ' + m.text if m else '-'}")
    return lines


def report(split: str, show_errors: bool) -> dict[str, object]:
    articles = load_eval(split)
    result: dict[str, object] = {"split": split}
    for name, rules in (("before", False), ("after", True)):
        predicted = predict(articles, rules)
        for lang in ("en", "ru"):
            idx = [i for i, a in enumerate(articles) if a.lang == lang]
            sub_a, sub_p = [articles[i] for i in idx], [predicted[i] for i in idx]
            result[f"{name} {lang} PER/ORG/LOC"] = scores(sub_a, sub_p, ("PER", "ORG", "LOC"))
            result[f"{name} {lang} all"] = scores(sub_a, sub_p, LABELS)
            result[f"{name} {lang} one target"] = one_target_share(sub_a, sub_p)
        result[f"{name} both one target"] = one_target_share(articles, predicted)
        result[f"{name} errors"] = dict(errors(articles, predicted))
        if show_errors:
            print(f"--- {name} ({split}) ---")
            print("\n".join(error_examples(articles, predicted)))
            print("split entities: " + "; ".join(split_entities(articles, predicted)))
    n_gold = Counter(a.lang for a in articles for _ in a.gold)
    print(f"split {split}: {sum(1 for a in articles if a.lang == 'en')} English articles "
          f"({n_gold['en']} mentions), {sum(1 for a in articles if a.lang == 'ru')} Russian "
          f"({n_gold['ru']} mentions)")
    for lang in ("en", "ru"):
        print(f"\n{lang}: {'':18}{'before':>22}  {'after':>22}")
        print(f"    {'':22}{'P':>7}{'R':>7}{'F1':>7}   {'P':>7}{'R':>7}{'F1':>7}   n")
        for group, keys in (("PER/ORG/LOC", ("strict", "span", "PER", "ORG", "LOC")),
                            ("all", ("strict", "span", "MISC"))):
            for key in keys:
                b = result[f"before {lang} {group}"][key]  # type: ignore[index]
                a = result[f"after {lang} {group}"][key]  # type: ignore[index]
                print(f"    {group + ' ' + key:22}{b[0]:7.3f}{b[1]:7.3f}{b[2]:7.3f}   "
                      f"{a[0]:7.3f}{a[1]:7.3f}{a[2]:7.3f}   {a[3]}")
        for name in ("before", "after"):
            share, ok, n = result[f"{name} {lang} one target"]  # type: ignore[misc]
            print(f"    one target ({name}): {share:.3f} ({ok}/{n} entities with 2+ found mentions)")
    for name in ("before", "after"):
        share, ok, n = result[f"{name} both one target"]  # type: ignore[misc]
        print(f"both languages, one target ({name}): {share:.3f} ({ok}/{n})")
    for name in ("before", "after"):
        kinds = sorted(result[f"{name} errors"].items(), key=lambda kv: -kv[1])  # type: ignore[union-attr]
        print(f"errors {name}: " + ", ".join(f"{k} {n}" for k, n in kinds))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "heldout", "all"), default="test")
    parser.add_argument("--errors", action="store_true", help="list every error")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--write-gold", action="store_true",
                        help=f"write {EVAL_DIR.name}/gold.jsonl from the markup and stop")
    args = parser.parse_args(argv)
    if args.write_gold:
        (EVAL_DIR / "gold.jsonl").write_text(gold_jsonl(load_eval("all")), encoding="utf-8")
        return 0
    result = report(args.split, args.errors)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
