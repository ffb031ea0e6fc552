"""Plain-text articles: one file each, with optional ``manifest.json`` metadata beside them."""
from __future__ import annotations

import functools
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Iterator

from ..model import ImportIssue
from .base import RawArticle, ReadResult, file_text, register
from .encoding import NotText
from .fields import text_fields
from .jsonsafe import JsonError, loads

MANIFEST = "manifest.json"
_FIELDS = ("title", "outlet", "date", "url", "lang", "id")
_KNOWN = {"file", *_FIELDS}


def load_manifest(folder: Path) -> tuple[dict[str, dict[str, Any]], list[ImportIssue]]:
    """Metadata per file name from ``folder/manifest.json`` (absent manifest = no metadata).

    Accepts ``{"articles": [{"file": ...}, ...]}`` or a bare list of such objects. Parsed once
    per version of the file, not once per article file beside it. Do not change the result.
    """
    path = folder / MANIFEST
    if not path.is_file():
        return {}, []
    st = path.stat()
    manifest, issues = _parse_manifest(path, st.st_mtime_ns, st.st_size)
    return manifest, list(issues)


def manifest_issues(folder: Path, check_files: bool) -> list[ImportIssue]:
    """The problems of ``folder``'s manifest, to report once per folder (not once per file);
    with ``check_files``, also entries that name no file in the folder (their metadata is lost)."""
    manifest, issues = load_manifest(folder)
    if check_files:
        for name in manifest:
            if not (folder / name).is_file():
                issues.append(ImportIssue(str(folder / MANIFEST), None, (
                    f'"{name}" is listed but is not in {folder}; entry ignored')))
    return issues


@functools.lru_cache(maxsize=16)
def _parse_manifest(path: Path, mtime_ns: int, size: int
                    ) -> tuple[dict[str, dict[str, Any]], tuple[ImportIssue, ...]]:
    manifest, issues = _read_manifest(path)
    return manifest, tuple(issues)


def _entry_name_problem(name: str) -> str | None:
    """Why a manifest's ``file`` cannot name a file beside it (None when it can)."""
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or ".." in windows.parts:
        return "is outside the folder; entry ignored"
    if len(windows.parts) > 1:
        return ("is in a subfolder; a manifest describes the files beside it (put one in the "
                "subfolder); entry ignored")
    if name in ("", ".") or name == MANIFEST:
        return "is not an article file name; entry ignored"
    return None


def _read_manifest(path: Path) -> tuple[dict[str, dict[str, Any]], list[ImportIssue]]:
    where = str(path)
    try:
        text, _, issues = file_text(path)
        data = loads(text)
    except OSError as exc:
        return {}, [ImportIssue(where, None, f"cannot read the manifest: {exc.strerror or exc}"
                                " (files imported without its metadata)")]
    except NotText as exc:
        return {}, [ImportIssue(where, None, f"manifest {exc} (files imported without metadata)")]
    except JsonError as exc:
        return {}, [ImportIssue(where, exc.lineno, f"manifest is not valid JSON: {exc.reason}"
                                " (files imported without its metadata)")]
    entries = data.get("articles") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        return {}, [ImportIssue(where, None, 'manifest needs an "articles" list')]
    out: dict[str, dict[str, Any]] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            issues.append(ImportIssue(where, None,
                                      f'articles[{i}] needs a "file" name; entry ignored'))
            continue
        name = entry["file"]
        problem = _entry_name_problem(name)
        if problem is not None:
            issues.append(ImportIssue(where, None, f'articles[{i}]: "{name}" {problem}'))
            continue
        if name in out:
            issues.append(ImportIssue(where, None, f'articles[{i}]: "{name}" is listed twice; '
                                      "the later entry is used"))
        values, extra, problems = text_fields(entry, _FIELDS)
        issues += [ImportIssue(where, None, f'articles[{i}] ("{name}"): {p}') for p in problems]
        out[name] = {**{k: v for k, v in entry.items() if k not in _KNOWN}, **extra, **values}
    return out, issues


@register("text", (".txt", ".text", ".md"))
def read_text(path: Path) -> Iterator[ReadResult]:
    manifest, _ = load_manifest(path.parent)  # its problems: expand_paths, once per folder
    try:
        text, encoding, issues = file_text(path)
    except OSError as exc:
        yield ImportIssue(str(path), None, f"cannot read file: {exc.strerror or exc}")
        return
    yield from issues
    if not text.strip():
        yield ImportIssue(str(path), None, "file is empty")
        return
    entry = manifest.get(path.name, {})
    meta = {k: v for k, v in entry.items() if k not in _KNOWN and v is not None}
    meta["encoding"] = encoding
    meta["file"] = path.name
    yield RawArticle(
        text=text, source=str(path), title=entry.get("title"), outlet=entry.get("outlet"),
        date=entry.get("date"), url=entry.get("url"), lang=entry.get("lang"),
        id=entry.get("id"), meta=meta,
    )
