"""``annotator model``: train the project model, print its cross-validated figures, blind mode."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable

from ..progress import Progress
from ..project import Project
from ..textsafe import echo

AddCommand = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def _fmt(v: Any) -> str:
    return "—" if v is None else f"{v:.3f}"


def cmd_model(args: argparse.Namespace) -> int:
    from ..cli import EXIT_FAILED, EXIT_OK, TextProgress  # cli imports this module
    from .service import blind, model_info, set_blind, train_project

    with Project.open(args.project) as p:
        if args.blind is not None:
            set_blind(p, args.blind == "on")
            echo(f"{p.path}: suggestions {'hidden (blind double annotation)' if args.blind == 'on' else 'shown'}",
                 file=sys.stderr)
        if args.train:
            progress = Progress(callback=None if args.quiet else TextProgress("training"))
            try:
                info = train_project(p, progress, curve=not args.no_curve)
            except ValueError as exc:
                echo(f"error: {exc}", file=sys.stderr)
                return EXIT_FAILED
        else:
            info = model_info(p)
        data = info.as_dict() if info is not None else {"model": None, "codebook": p.codebook.name}
        data["blind"] = blind(p)
        data["labelled_sentences"] = p.store.labelled_count()
        if args.json:
            print(json.dumps(data, ensure_ascii=False, indent=2))
            return EXIT_OK
        if info is None:
            echo(f"{p.path}: no model trained yet for codebook '{p.codebook.name}' "
                 f"({data['labelled_sentences']} labelled sentences); run with --train")
            return EXIT_OK
        s = info.scores
        chance = s.get("chance") or {}
        echo(f"{p.path}: model v{info.version} of codebook '{info.codebook}', trained {info.trained}"
             f" on {info.n_labels} sentences ({s.get('n_stance', 0)} stances), "
             f"{s.get('learner')}; training {s.get('train_seconds')} s")
        echo(f"  frames macro-F1 {_fmt(s.get('frames_f1'))}  (chance {_fmt(chance.get('frames'))})"
             f"   stance macro-F1 {_fmt(s.get('stance_f1'))}  (chance {_fmt(chance.get('stance'))})"
             f"   {s.get('folds')}-fold cross-validation")
        for kind, points in (s.get("curve") or {}).items():
            if points:
                echo(f"  learning curve, {kind} (training examples: macro-F1): "
                     + ", ".join(f"{pt['n']}: {_fmt(pt['f1'])}" for pt in points))
    return EXIT_OK


def add_commands(add: AddCommand) -> None:
    p = add("model", cmd_model,
            "the project model that suggests frames and stances: its figures, --train, --blind")
    p.add_argument("project")
    p.add_argument("--train", action="store_true",
                   help="train now on the project's labels (stores the model and its suggestions)")
    p.add_argument("--no-curve", action="store_true", help="skip the learning curve (faster)")
    p.add_argument("--blind", choices=("on", "off"), default=None,
                   help="hide suggestions from annotators (blind double annotation)")
    p.add_argument("--json", action="store_true", help="print the model's figures as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
