"""Readers that turn files and folders into raw articles, with a report of bad rows."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

from ..model import ImportIssue
from . import tabular, text  # noqa: F401  (register the built-in readers)
from .annotations import RawLabels  # (importing it registers the annotation-file readers)
from . import hf, labelstudio, prodigy, doccano, sheet  # noqa: F401,E402  (other tools' exports)
from .base import (
    RawArticle,
    ReadResult,
    article_id,
    reader_for,
    reader_for_name,
    reader_names,
    register,
)
from .encoding import NotText
from .text import MANIFEST, manifest_issues

#: The marker our folder exports hold (``annotator.export.marker.MARKER``) and the files beside
#: it that describe the export rather than hold data (the hf dataset card).
EXPORT_MARKER = ".annotator-export.json"
EXPORT_CARDS = ("README.md",)

__all__ = ["RawArticle", "RawLabels", "ReadResult", "article_id", "expand_paths", "read_paths",
           "reader_names", "register"]


def _walk(root: Path) -> tuple[list[Path], list[ImportIssue]]:
    """The files under a folder that a reader takes (hidden ones and the manifest left out).

    Links that lead out of the folder are refused with an issue (a link to ``/etc/passwd``
    dropped into a folder of articles must not import it); links within it are read once, under
    the real path (so the manifest beside the real file applies). Links to folders are not
    followed: one within the folder is walked where it really is anyway.
    """
    base = root.resolve()
    files: list[Path] = []
    issues: list[ImportIssue] = []

    def inside(link: Path) -> Path | None:
        """The link's target spelled under ``root``, or None if it leads out of the folder."""
        target = link.resolve()
        return root / target.relative_to(base) if target.is_relative_to(base) else None

    for dirpath, dirnames, filenames in os.walk(root):
        folder = Path(dirpath)
        if EXPORT_MARKER in filenames:  # one of our folder exports: its card is not an article
            filenames = [n for n in filenames if n not in EXPORT_CARDS]
        dirnames[:] = [n for n in dirnames if not n.startswith(".")]
        for name in dirnames:
            link = folder / name
            if link.is_symlink() and inside(link) is None:
                issues.append(ImportIssue(str(link), None, (
                    f"a link to {link.resolve()}, outside {root}; not followed")))
        for name in filenames:
            f = folder / name
            if name.startswith(".") or name == MANIFEST:
                continue
            if f.is_symlink():
                if not f.exists():
                    issues.append(ImportIssue(str(f), None, "a broken link; skipped"))
                    continue
                target = inside(f)
                if target is None:
                    issues.append(ImportIssue(str(f), None, (
                        f"a link to {f.resolve()}, outside {root}; skipped")))
                    continue
                f = target
            if not f.is_file():  # a FIFO, socket or device: reading it could block forever
                if reader_for_name(f):
                    issues.append(ImportIssue(str(f), None, "not a regular file; skipped"))
                continue
            files.append(f)
    return files, issues


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[ImportIssue]]:
    """Files to read: folders are walked (sorted; hidden files and folders, the manifest and
    links leading out of the folder skipped); a file named on its own is read as it is."""
    files: list[Path] = []
    issues: list[ImportIssue] = []
    walked: set[Path] = set()  # folders whose every file is read: check the manifest's names
    for p in map(Path, paths):
        if p.is_dir():
            walked.add(p)
            found, problems = _walk(p)
            issues += problems
            seen = set(files)
            for f in sorted(dict.fromkeys(found)):
                if f not in seen and reader_for(f) is not None:
                    files.append(f)
                    walked.add(f.parent)
        elif p.is_file():
            if reader_for(p) is None:
                issues.append(ImportIssue(str(p), None, f"no reader for '{p.suffix}' files "
                                          f"(known: {', '.join(reader_names())})"))
            else:
                files.append(p)
        elif p.exists():
            issues.append(ImportIssue(str(p), None, "not a regular file or folder; skipped"))
        else:
            issues.append(ImportIssue(str(p), None, "no such file or folder"))
    text_folders = [f.parent for f in files if getattr(reader_for(f), "name", None) == "text"]
    for folder in dict.fromkeys(text_folders):
        issues += manifest_issues(folder, check_files=folder in walked)
    return files, issues


def read_paths(files: Iterable[Path]) -> Iterator[ReadResult]:
    for f in files:
        entry = reader_for(f)
        if entry is None:
            continue
        try:
            yield from entry.read(f)
        except OSError as exc:
            yield ImportIssue(str(f), None, f"cannot read file: {exc.strerror or exc}")
        except NotText as exc:
            yield ImportIssue(str(f), None, str(exc))
