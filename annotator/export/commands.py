"""The ``annotator export`` command: options to ExportOptions, a progress bar, a summary."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Callable

from ..textsafe import echo
from .base import formats
from .options import LABEL_MODES, ExportError, ExportOptions, ExportResult, LabelCounts, parse_split
from .run import export

AddCommand = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def _split_arg(text: str) -> tuple[float, ...]:
    try:
        return parse_split(text)
    except ExportError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_commands(add: AddCommand) -> None:
    names = [name for name, _ in formats()]
    p = add("export", cmd_export, "write sentences, entities and labels as a dataset file or folder")
    p.add_argument("project", help="project file")
    p.add_argument("out", help="output file (a folder for hf and semeval2023): new, or an earlier "
                   "export's (replaced atomically); never the project or a folder holding it")
    p.add_argument("--format", choices=names, default="jsonl",
                   help="; ".join(f"{n}: {t}" for n, t in formats()))
    p.add_argument("--labels", choices=LABEL_MODES, default="all",
                   help="all: every annotator's label; gold: adjudicated; majority: vote per field")
    p.add_argument("--min-agreement", type=float, default=0.5, metavar="FRACTION",
                   help="majority: share of votes a value needs (default 0.5; ties never resolve)")
    p.add_argument("--include-unlabelled", action="store_true", help="also sentences without labels")
    p.add_argument("--include-boilerplate", action="store_true",
                   help="also sentences marked as boilerplate")
    p.add_argument("--annotator", action="append", default=[], metavar="NAME",
                   help="only this annotator's labels (repeatable)")
    p.add_argument("--lang", default=None, help="only articles in this language")
    p.add_argument("--outlet", default=None, help="only articles from this outlet")
    p.add_argument("--split", type=_split_arg, default=None, metavar="TRAIN,VAL,TEST",
                   help="split by article, e.g. 0.8,0.1,0.1 (stratified by main label)")
    p.add_argument("--seed", type=int, default=0, help="seed of the split (default 0)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace OUT even if it is a file an export did not write (never a "
                   "folder, a project or another SQLite file)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _counts_line(counts: LabelCounts) -> str:
    frames = ", ".join(f"{k} {v}" for k, v in sorted(counts.frames.items())) or "none"
    stance = ", ".join(f"{k} {v}" for k, v in sorted(counts.stance.items())) or "none"
    return (f"{counts.labels} labels on {counts.sentences} sentences; frames: {frames}; "
            f"stance: {stance}; irrelevant: {counts.irrelevant}")


def print_summary(result: ExportResult, options: ExportOptions) -> None:
    echo(f"wrote {result.out} ({result.format}): {len(result.files)} file"
         f"{'' if len(result.files) == 1 else 's'}, {result.rows} rows from {result.articles} "
         f"articles ({result.sentences} sentences) in {result.seconds:.1f} s")
    for f in result.files[:20]:
        echo(f"  {f}")
    if len(result.files) > 20:
        echo(f"  ... and {len(result.files) - 20} more files")
    echo(f"  labels ({options.labels}): {_counts_line(result.counts)}")
    for name, split in result.splits.items():
        echo(f"  {name}: {split['articles']} articles, {_counts_line(result.split_counts[name])}")
    if result.tied_sentences:
        echo(f"  ties: {result.tied_sentences} sentences have fields left unresolved, e.g.")
        for example in result.tie_examples[:5]:
            echo(f"    {example}")
    if result.unresolved_fields:
        echo(f"  below --min-agreement: {result.unresolved_fields} fields left unresolved")
    for note in result.notes:
        echo(f"  note: {note}")


def cmd_export(args: argparse.Namespace) -> int:
    from ..cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, TextProgress

    options = ExportOptions(
        labels=args.labels, min_agreement=args.min_agreement,
        include_unlabelled=args.include_unlabelled, include_boilerplate=args.include_boilerplate,
        annotators=tuple(args.annotator), lang=args.lang, outlet=args.outlet, split=args.split,
        seed=args.seed,
    )
    try:
        result = export(args.project, args.out, args.format, options,
                        None if args.quiet else TextProgress("export"), overwrite=args.overwrite)
    except ExportError as exc:  # bad options or an OUT that may not be written: usage
        echo(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        echo(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if result.cancelled:
        print("export cancelled; nothing was written", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        print_summary(result, options)
    return EXIT_OK
