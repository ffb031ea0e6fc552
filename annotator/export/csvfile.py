"""CSV: one row per sentence and label, for spreadsheets and pandas."""
from __future__ import annotations

import csv

from .base import Exporter, dumps, register
from .records import ArticleBundle

COLUMNS = ("id", "article_id", "index", "split", "title", "outlet", "date", "url", "lang", "start",
           "end", "boilerplate", "text", "annotator", "frames", "stance", "irrelevant", "note",
           "unresolved", "entities")


@register
class Csv(Exporter):
    name = "csv"
    title = "CSV: one row per sentence and label (frames ';'-joined, stance as JSON)"
    suffix = ".csv"

    @classmethod
    def recognises(cls, lines: list[str]) -> bool:
        return bool(lines) and lines[0] == ",".join(COLUMNS) + "\n"

    def begin(self) -> None:
        self.writer = csv.writer(self.stream(), lineterminator="\n")
        self.writer.writerow(COLUMNS)

    def write(self, bundle: ArticleBundle) -> None:
        for rec in bundle.records:
            entities = ";".join(f"{e['text']}|{e['label']}|{e['target'] or ''}"
                                for e in rec["entities"])
            for annotator, label in self.ctx.units(rec):
                self.writer.writerow([
                    rec["id"], rec["article_id"], rec["index"], rec.get("split", ""), rec["title"],
                    rec["outlet"] or "", rec["date"] or "", rec["url"] or "", rec["lang"],
                    rec["start"], rec["end"], int(rec["boilerplate"]), rec["text"],
                    annotator or "",
                    ";".join(label["frames"]) if label else "",
                    dumps(label["stance"]) if label and label["stance"] else "",
                    int(label["irrelevant"]) if label else "",
                    label.get("note", "") if label else "",
                    ";".join(sorted(label.get("unresolved", {}))) if label else "",
                    entities,
                ])
                self.rows += 1
