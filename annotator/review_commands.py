"""The ``merge``, ``agreement`` and ``review`` commands of the command line."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable

from .cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, TextProgress
from .progress import Progress
from .project import Project
from .textsafe import echo

AddCommand = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def _names(text: str | None) -> list[str] | None:
    if not text:
        return None
    return list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def cmd_merge(args: argparse.Namespace) -> int:
    from .merge import MergeError, merge_project  # here: numpy and the readers load on use

    status = EXIT_OK
    reports: list[dict[str, Any]] = []
    with Project.open(args.project, create=False) as p:
        for other in args.others:
            progress = None if args.quiet or args.json else TextProgress("merge")
            try:
                report = merge_project(p, other, progress=progress, add_articles=args.add_articles)
            except MergeError as exc:
                echo(f"error: {exc}", file=sys.stderr)
                status = EXIT_FAILED
                continue
            if report.issues or report.cancelled:
                status = EXIT_FAILED
            if args.json:
                reports.append(report.as_dict())
            else:
                for line in report.lines():
                    echo(line)
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2))
    return status


def cmd_agreement(args: argparse.Namespace) -> int:
    from .review import agreement_report  # here: numpy loads on use

    annotators = _names(args.annotators)
    confusion = _names(args.confusion)
    if confusion is not None and len(confusion) != 2:
        print("error: --confusion takes two annotator names: A,B", file=sys.stderr)
        return EXIT_USAGE
    if annotators is not None and len(annotators) < 2:
        print("error: --annotators needs at least two names", file=sys.stderr)
        return EXIT_USAGE
    with Project.open(args.project, create=False) as p:
        humans = p.annotators()  # gold is not one
        if annotators is None and len(humans) < 2:
            echo(f"error: agreement compares annotators, and {args.project} has labels by "
                 f"{', '.join(humans) or 'nobody'} only", file=sys.stderr)
            return EXIT_FAILED
        try:
            progress = None if args.quiet or args.json else Progress(TextProgress("agreement"))
            # --no-articles: each article's alphas are not computed (100k: 0.7 s on the full bench).
            report = agreement_report(p, annotators, n_boot=args.bootstrap, seed=args.seed,
                                      confusion=(confusion[0], confusion[1]) if confusion else None,
                                      progress=progress, per_article=args.articles)
        except ValueError as exc:
            echo(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
    if not args.articles:
        report.articles = []
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        echo(report.text(), keep="\n\t")
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    from .cli import run_ui  # cli imports this module while building its parser

    return run_ui("ui.review.app", args)


def add_commands(add: AddCommand) -> None:
    p = add("merge", cmd_merge,
            "merge other project files' (or native JSONL exports') labels, entity edits and targets")
    p.add_argument("project")
    p.add_argument("others", nargs="+", metavar="OTHER", help="project file or native JSONL export")
    p.add_argument("--add-articles", action="store_true",
                   help="copy in articles this project does not have (else they are reported)")
    p.add_argument("--json", action="store_true", help="print the merge reports as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = add("agreement", cmd_agreement,
            "inter-annotator agreement: Krippendorff's alpha per field, Cohen's kappa per pair")
    p.add_argument("project")
    p.add_argument("--annotators", default=None, metavar="A,B,...",
                   help="compare only these annotators (default: all but gold)")
    p.add_argument("--bootstrap", type=_count, default=1000, metavar="N",
                   help="bootstrap resamples for the 95%% intervals (0: none; default 1000)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--confusion", default=None, metavar="A,B",
                   help="print the stance confusion matrix of two annotators")
    p.add_argument("--no-articles", dest="articles", action="store_false",
                   help="leave out the per-article table")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = add("review", cmd_review, "open the review window: adjudicate disagreements, charts")
    p.add_argument("project")
    p.add_argument("--reviewer", required=True, help="your name, stored with each gold decision")
    p.add_argument("--screenshot", default=None, metavar="PNG",
                   help="render the window offscreen to PNG and exit")
    p.add_argument("--tab", default=None, choices=("adjudicate", "agreement", "charts", "model"),
                   help="the tab --screenshot shows (default adjudicate)")
    p.add_argument("--charts", default=None, metavar="DIR",
                   help="export every chart to DIR/review-NAME.png and exit")
