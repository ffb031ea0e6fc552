"""SemEval-2023 Task 3 subtask 2 (framing): article text files and a labels file per language."""
from __future__ import annotations

from ..codebooks import load_codebook
from .base import Exporter, register
from .names import SafeNames
from .options import ExportError
from .records import ArticleBundle

TARGET = "semeval2023"
#: Our split names -> the task's file name prefixes.
SPLIT_PREFIX = {"train": "train", "validation": "dev", "test": "test"}
#: ISO 639-1 codes the task spells its own way (its folders: en fr ge it po ru es gr ka).
TASK_LANG = {"de": "ge", "pl": "po", "el": "gr"}


@register
class SemEval2023(Exporter):
    name = "semeval2023"
    title = "SemEval-2023 Task 3 subtask 2 folder: <lang>/<split>-articles-subtask-2/, labels file"
    folder = True
    suffix = ""
    single_label = True

    def begin(self) -> None:
        # Languages come verbatim from imported files: never a path (``../x``, ``/abs``, NUL).
        self.lang_folder = SafeNames("und")
        self.article_name = SafeNames("article")  # ids are hashes, but merged files carry theirs
        codebook = self.ctx.builder.codebook
        self.target = load_codebook(TARGET)
        self.codebook = codebook
        try:
            codebook.map_to(self.target, [])
        except ValueError as exc:
            raise ExportError(f"frames cannot be written as SemEval-2023 labels: {exc}") from None
        self.dropped: dict[str, int] = {}  # our frame with no SemEval label -> articles

    def write(self, bundle: ArticleBundle) -> None:
        """An article's frames are the union of its sentences' (resolved) frames, mapped onto
        the SemEval-2023 frame set."""
        frames: list[str] = []
        for rec in bundle.records:
            for _, label in self.ctx.units(rec):
                if label is not None:
                    frames += [f for f in label["frames"] if f not in frames]
        mapped = set(self.codebook.map_to(self.target, frames))
        for f in frames:
            if not self.codebook.map_to(self.target, [f]):
                self.dropped[f] = self.dropped.get(f, 0) + 1
        ordered = [f for f in self.target.frame_ids if f in mapped]
        a = bundle.article
        prefix = SPLIT_PREFIX.get(bundle.split or "train", bundle.split or "train")
        lang = self.lang_folder(TASK_LANG.get(a.lang.lower(), a.lang))
        folder = f"{lang}/{prefix}-articles-subtask-2"
        body = a.text[len(a.title):].lstrip("\n") if a.text.startswith(a.title) else a.text
        # The task's article files: the title, an empty line, then the text.
        self.write_text(f"{folder}/article{self.article_name(a.id)}.txt", f"{a.title}\n\n{body}\n")
        self.stream(f"{lang}/{prefix}-labels-subtask-2.txt").write(f"{a.id}\t{','.join(ordered)}\n")
        self.rows += 1

    def end(self) -> None:
        for frame, n in sorted(self.dropped.items()):
            self.note(f"frame {frame!r} has no SemEval-2023 label: left out of the labels of "
                      f"{n} article{'s' if n != 1 else ''}")
        for lang, folder in sorted(self.lang_folder.renamed.items()):
            self.note(f"articles in language {lang!r} are in folder {folder!r} (a folder name "
                      "holds only letters, digits, _ and -)")
        for aid, name in sorted(self.article_name.renamed.items()):
            self.note(f"article {aid!r} is in file article{name}.txt (its id is not a file name)")
