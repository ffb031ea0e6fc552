"""Plain-text articles: one file each, with optional ``manifest.json`` metadata beside them."""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Iterator

from ..model import ImportIssue
from .base import RawArticle, ReadResult, register
from .encoding import decode

MANIFEST = "manifest.json"
_KNOWN = {"file", "title", "outlet", "date", "url", "lang", "id"}


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


def _read_manifest(path: Path) -> tuple[dict[str, dict[str, Any]], list[ImportIssue]]:
    try:
        data = json.loads(decode(path.read_bytes())[0])
    except OSError as exc:
        return {}, [ImportIssue(str(path), None, f"cannot read the manifest: {exc.strerror or exc}"
                                " (files imported without its metadata)")]
    except json.JSONDecodeError as exc:
        return {}, [ImportIssue(str(path), exc.lineno, f"manifest is not valid JSON: {exc.msg}"
                                " (files imported without its metadata)")]
    entries = data.get("articles") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        return {}, [ImportIssue(str(path), None, 'manifest needs an "articles" list')]
    out: dict[str, dict[str, Any]] = {}
    issues = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            issues.append(ImportIssue(str(path), None,
                                      f'articles[{i}] needs a "file" name; entry ignored'))
            continue
        out[entry["file"]] = entry
    return out, issues


@register("text", (".txt", ".text", ".md"))
def read_text(path: Path) -> Iterator[ReadResult]:
    manifest, _ = load_manifest(path.parent)  # its problems: expand_paths, once per folder
    try:
        text, encoding = decode(path.read_bytes())
    except OSError as exc:
        yield ImportIssue(str(path), None, f"cannot read file: {exc.strerror or exc}")
        return
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
