"""Exports: a registry of formats (one small module each) and ``export()``, the one entry point."""
from __future__ import annotations

from . import (  # noqa: F401  (register the built-in formats, in the order help lists them)
    jsonl,
    articles,
    hf,
    prodigy,
    doccano,
    labelstudio,
    semeval,
    newsmtsc,
    csvfile,
    docbin,
)
from .base import EXPORTERS, Exporter, exporter_class, format_names, formats, register
from .options import ExportError, ExportOptions, ExportResult, LabelCounts, parse_split
from .run import export

__all__ = ["EXPORTERS", "ExportError", "ExportOptions", "ExportResult", "Exporter", "LabelCounts",
           "export", "exporter_class", "format_names", "formats", "parse_split", "register"]
