"""The ``annotator`` command line: init, import, stats, targets, gui (and the commands of later layers)."""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from typing import Any, Callable, Sequence

from .codebooks import builtin_codebooks
from .project import Project, ProjectError
from .ingest.fields import language_code
from .store import StoreError
from .textsafe import echo, visible

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: ``stats`` lists this many articles (``--all-articles``: all; ``--json`` has them all).
STATS_ARTICLES = 50


class TextProgress:
    """A progress bar on stderr (a line every few seconds when stderr is not a terminal)."""

    def __init__(self, label: str, stream: Any = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        final = total and done >= total
        if not final and now - self._last < (0.1 if self.tty else 5.0):
            return
        self._last = now
        frac = done / total if total else 0.0
        bar = "#" * int(frac * 30)
        line = f"{self.label} [{bar:<30}] {frac:6.1%} {visible(message[:40], keep='')}"
        if self.tty:
            self.stream.write("\r" + line.ljust(100))
            if final:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _print_json(data: Any) -> None:
    """Exact JSON for programs (``json.dumps`` escapes control characters; bidi ones stay)."""
    print(json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False))


def _lang_arg(text: str) -> str:
    if language_code(text) is None:
        raise argparse.ArgumentTypeError(f"not a language code: {text!r} (e.g. en, ru, pt-BR)")
    return text


def cmd_init(args: argparse.Namespace) -> int:
    with Project.open(args.project, codebook=args.codebook) as p:
        echo(f"{p.path}: project ready (codebook '{p.codebook.name}', "
             f"{len(p.codebook.frames)} frames)")
    return EXIT_OK


def _label_mapping(args: argparse.Namespace) -> Any:
    from .ingest.mapping import LabelMapping, MappingError

    try:
        if args.map:
            return LabelMapping.load(args.map, stance_target=args.stance_target)
    except MappingError as exc:
        raise ProjectError(str(exc)) from None
    return LabelMapping(stance_target=args.stance_target)


def _print_peer_summary(report: Any) -> None:
    """What other tools' files held, per kind, and the label mapping used (stderr)."""
    from .peer_import import mapping_lines, tally_lines

    if report.tally:
        print("what the files held (! = skipped):", file=sys.stderr)
        for line in tally_lines(report.tally):
            print(line, file=sys.stderr)
    if report.mapping:
        print("label mapping used:", file=sys.stderr)
        for line in mapping_lines(report.mapping):
            print(line, file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    mapping = _label_mapping(args)
    if args.show_mapping:
        from .peer_import import mapping_lines, preview_mapping

        with Project.open(args.project) as p:
            rows, issues = preview_mapping(args.paths, p.codebook, mapping)
        if args.json:
            _print_json({"mapping": rows, "issues": [str(i) for i in issues]})
        else:
            print("\n".join(mapping_lines(rows)) or "no labels from other tools in these files")
            for issue in issues:
                print(f"  problem: {issue}", file=sys.stderr)
        return EXIT_OK
    with Project.open(args.project) as p:
        progress = None if args.quiet else TextProgress("import")
        report = p.import_files(args.paths, ner=not args.no_ner, progress=progress, lang=args.lang,
                                mapping=mapping)
    if args.json:
        _print_json(report.as_dict())
    else:
        print(f"{report.articles_added} articles imported ({report.sentences} sentences, "
              f"{report.mentions} entity mentions, {report.labels} labels), "
              f"{report.articles_skipped} already present, "
              f"from {report.files} files in {report.seconds:.1f} s")
        _print_peer_summary(report)
        for issue in report.issues:
            echo(f"  problem: {issue}", file=sys.stderr)
        if report.cancelled:
            print("import cancelled; what was imported is kept", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_stats(args: argparse.Namespace) -> int:
    with Project.open(args.project, create=False) as p:
        stats = p.stats()
        stats["codebook"] = p.codebook.name
        # The text lists the first articles only: 100k lines are no summary (and took seconds).
        limit = None if args.json or args.all_articles else STATS_ARTICLES
        stats["articles_list"] = p.store.article_summaries(limit)
    if args.json:
        _print_json(stats)
        return EXIT_OK
    echo(f"project: {args.project} (codebook {stats['codebook']})")
    for key in ("articles", "sentences", "boilerplate_sentences", "entities", "targets",
                "labelled_sentences", "gold_sentences"):
        print(f"  {key.replace('_', ' ')}: {stats[key]}")
    echo("  entities by label: " + ", ".join(f"{k} {v}" for k, v in
                                             stats["entities_by_label"].items()))
    echo("  languages: " + ", ".join(f"{k} {v}" for k, v in stats["languages"].items()))
    echo("  annotators: " + (", ".join(stats["annotators"]) or "none yet"))
    for a in stats["articles_list"]:
        echo(f"  - [{a['lang']}] {a['title'][:70]} ({a['outlet'] or 'no outlet'}, "
             f"{a['sentences']} sentences, {a['entities']} entities)")
    more = stats["articles"] - len(stats["articles_list"])
    if more > 0:
        echo(f"  ... and {more} more article{'s' if more > 1 else ''} (--all-articles lists them)")
    return EXIT_OK


def cmd_targets(args: argparse.Namespace) -> int:
    with Project.open(args.project, create=False) as p:
        targets = p.targets()
    targets.sort(key=lambda t: (-t.n_mentions, t.name))
    if args.json:
        _print_json([{"id": t.id, "name": t.name, "kind": t.kind, "aliases": t.aliases,
                      "mentions": t.n_mentions, "pinned": t.pinned} for t in targets])
        return EXIT_OK
    for t in targets:
        aliases = ", ".join(a for a in t.aliases if a != t.name)
        echo(f"{t.id:>5}  {t.kind:<4} {t.name}  ({t.n_mentions} mentions)"
             + (f"  aka {aliases}" if aliases else "") + ("  [pinned]" if t.pinned else ""))
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    with Project.open(args.project, create=False) as p:
        made = p.backup_now()
    print(f"backup made: {made.path} ({made.size} bytes, verified)")
    return EXIT_OK


def cmd_backups(args: argparse.Namespace) -> int:
    from .backup import backup_folder, list_backups

    found = list_backups(args.project)
    if args.json:
        _print_json([b.as_dict() for b in found])
        return EXIT_OK
    if not found:
        print(f"no backups of {args.project} (they go in {backup_folder(args.project)})")
    for b in found:
        print(f"{b.taken:%Y-%m-%d %H:%M:%S}  {b.size:>12,} bytes  {b.path.name}"
              + (f"  ({b.reason})" if b.reason else ""))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    with Project.open(args.project, create=False) as p:
        safety = p.restore_backup(args.backup)
    print(f"{args.project} restored from {args.backup}; its state before the restore is in "
          f"{safety.path}")
    return EXIT_OK


def run_ui(module: str, args: argparse.Namespace) -> int:
    """Run ``module.main(args)`` from the Qt app (``ui``).

    Found at run time, not imported: the core must stay importable (and testable) without Qt.
    """
    try:
        app = importlib.import_module(module)
    except ImportError as exc:
        echo(f"the desktop app is not available: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return int(app.main(args))


def cmd_gui(args: argparse.Namespace) -> int:
    return run_ui("ui.app", args)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="annotator",
        description="Stance and framing annotation of news articles, in one SQLite project file.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    def add(name: str, fn: Callable[[argparse.Namespace], int], help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=fn)
        return p

    p = add("init", cmd_init, "create a project file (or change its codebook)")
    p.add_argument("project", help="project file (created if missing)")
    p.add_argument("--codebook", default=None,
                   help=f"built-in codebook ({', '.join(builtin_codebooks())}) or a JSON file")

    p = add("import", cmd_import, "import articles (text folders with manifest.json, JSONL, CSV)")
    p.add_argument("project")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--no-ner", action="store_true", help="skip entity recognition")
    p.add_argument("--lang", default=None, type=_lang_arg,
                   help="language code for all articles (else detected)")
    p.add_argument("--json", action="store_true", help="print the import report as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--map", metavar="FILE", default=None,
                   help="label mapping (JSON) for other tools' fields and choices (docs/formats.md)")
    p.add_argument("--stance-target", metavar="NAME", default=None,
                   help="target of stances given without one: a target name, @only (the "
                        "sentence's only mentioned target) or @most (its most mentioned)")
    p.add_argument("--show-mapping", action="store_true",
                   help="only show how the files' labels would be mapped; write nothing")

    p = add("stats", cmd_stats, "counts: articles, sentences, entities, targets, labels")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all-articles", action="store_true",
                   help=f"list every article (the text lists the first {STATS_ARTICLES})")

    p = add("targets", cmd_targets, "list the canonical targets with their aliases")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")

    p = add("backup", cmd_backup, "make a verified backup of the project now")
    p.add_argument("project")

    p = add("backups", cmd_backups, "list the project's backups, newest first")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")

    p = add("restore", cmd_restore,
            "replace the project with a backup (the current state is backed up first)")
    p.add_argument("project")
    p.add_argument("backup", help="a backup file, or its name as 'annotator backups' lists it")

    p = add("gui", cmd_gui, "open the desktop app")
    p.add_argument("project", nargs="?", default=None)
    p.add_argument("--screenshot", default=None, metavar="PNG",
                   help="render the main window offscreen to PNG and exit")
    p.add_argument("--article", type=int, default=None, help="article number (1-based)")
    p.add_argument("--sentence", type=int, default=None, help="sentence number (1-based)")
    p.add_argument("--annotator", default=None,
                   help="annotator name (remembered for this project)")
    p.add_argument("--window", default="main",
                   choices=("main", "review", "export", "import", "welcome", "shortcuts"),
                   help="screenshot mode: what to render (dialogs over the main window; import"
                        " runs one of --import-path to show its progress)")
    p.add_argument("--import-path", default=None, metavar="PATH",
                   help="screenshot mode with --window import: the files to import")
    p.add_argument("--screen", default=None, metavar="WxH",
                   help="screenshot mode: a screen of this many pixels that windows must fit"
                        " (with QT_SCALE_FACTOR, the way a small high-DPI screen looks)")
    p.add_argument("--theme", choices=("system", "light", "dark"), default=None,
                   help="theme for this run (else the one chosen in View → Theme)")

    # Sub-commands owned by other layers: each module has add_commands(add).
    # --- command modules (one line each) ---
    from .review_commands import add_commands as _review; _review(add)  # noqa: E702
    from .export.commands import add_commands as _export; _export(add)  # noqa: E702
    from .suggest.commands import add_commands as _model; _model(add)  # noqa: E702
    # --- end of command modules ---
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (ProjectError, StoreError) as exc:
        echo(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _output_closed()


#: What a shell reports for a command stopped by SIGPIPE (128 + 13): the output was cut short.
EXIT_PIPE_CLOSED = 141


def _output_closed() -> int:
    """The program reading our output went away (``annotator stats P | head``). Said once on
    stderr, not as a traceback; stdout now goes nowhere, so the final flush cannot fail again.
    Whatever the command had committed stays committed (every write is a transaction)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)
    try:
        print("stopped: the program reading the output closed it", file=sys.stderr)
    except OSError:
        pass
    return EXIT_PIPE_CLOSED


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()  # spawned worker processes of a frozen build: see entry.py
    sys.exit(main())
