"""Readers that turn files and folders into raw articles, with a report of bad rows."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

from ..model import ImportIssue
from . import tabular, text  # noqa: F401  (register the built-in readers)
from .annotations import RawLabels  # (importing it registers the annotation-file readers)
from . import labelstudio, prodigy, doccano, sheet  # noqa: F401,E402  (other tools' exports)
from .base import RawArticle, ReadResult, article_id, reader_for, reader_names, register
from .text import MANIFEST, manifest_issues

__all__ = ["RawArticle", "RawLabels", "ReadResult", "article_id", "expand_paths", "read_paths",
           "reader_names", "register"]


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[ImportIssue]]:
    """Files to read: folders are walked (sorted; hidden files and folders, the manifest skipped)."""
    files: list[Path] = []
    issues: list[ImportIssue] = []
    walked: set[Path] = set()  # folders whose every file is read: check the manifest's names
    for p in map(Path, paths):
        if p.is_dir():
            walked.add(p)
            for f in sorted(p.rglob("*")):
                hidden = any(part.startswith(".") for part in f.relative_to(p).parts)
                if f.is_file() and not hidden and f.name != MANIFEST:
                    if reader_for(f) is not None:
                        files.append(f)
                        walked.add(f.parent)
        elif p.is_file():
            if reader_for(p) is None:
                issues.append(ImportIssue(str(p), None, f"no reader for '{p.suffix}' files "
                                          f"(known: {', '.join(reader_names())})"))
            else:
                files.append(p)
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
