"""Chunks of articles on their way into the store: their texts analysed (language, sentences,
entities; in worker processes when the import is big enough to pay for them), then written here in
the order they came.

While the workers analyse the next chunks (with entities: find their entities, this process having
split them), this process builds the articles, links the entities to targets and writes: the
analysis runs on all cores and the rest of the import hides behind it. A chunk is written, counted
and reported only after the chunks before it, so progress never runs ahead of what the project
file holds.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .machine import usable_cores, workers_asked
from .model import ImportReport
from .nlp.analysis import Job, TextAnalysis, analyse_batch
from .nlp.entities import find_entities_batch, model_loaded
from .nlp.targets import TargetResolver
from .workers import WorkerPool

if TYPE_CHECKING:
    from .importer import Importer
    from .ingest import RawArticle

#: Bytes of input below which NER stays in this process: a worker takes 1.3–2 s to start and load
#: its model, which a small import does not win back. Measured (bench/README.md, "NER workers"):
#: with the model not loaded here yet, workers win from ~100 kB; with it loaded (a second import
#: in the app), from ~200 kB.
POOL_MIN_BYTES = 100_000
POOL_MIN_BYTES_LOADED = 200_000
#: The same without entities: a worker starts in ~0.4 s (no models), then detects languages and
#: splits sentences on its core. Measured on short news texts, 2 cores: 100 kB 1.95 s here, 1.81 s
#: with workers; 200 kB 2.30 / 2.16 s; 9.6 MB 59 / 33 s (bench/README.md, "Analysis in the workers").
POOL_MIN_BYTES_TEXT = 100_000
#: Articles per batch sent to a worker: a chunk is split so the workers share it (spaCy's and
#: natasha's mentions do not depend on what else is in a batch: tests/core/test_workers.py).
WORKER_BATCH = 4
#: ``ANNOTATOR_NER_WORKERS=N`` sets the number of worker processes (0: none, all in this process).
WORKERS_ENV = "ANNOTATOR_NER_WORKERS"


def import_workers(input_bytes: int, ner: bool) -> int:
    """How many worker processes an import of ``input_bytes`` should use (0: all in this process)."""
    asked = workers_asked(WORKERS_ENV)
    if asked is not None:
        return asked
    cores = usable_cores()
    if not ner:
        least = POOL_MIN_BYTES_TEXT
    else:
        least = POOL_MIN_BYTES_LOADED if model_loaded("en") else POOL_MIN_BYTES
    return cores if cores > 1 and input_bytes >= least else 0


def job(raw: RawArticle, lang: str | None) -> Job:
    """What :mod:`annotator.nlp.analysis` needs of an article: its text, the language the import
    was given or the file says (else it is detected), whether it is one unit."""
    return (raw.text, lang or raw.lang, raw.single_unit)


@dataclass
class _Chunk:
    new: list[tuple[RawArticle, str]]  # the new articles and their ids
    jobs: list[Job]
    analyses: list[TextAnalysis] | None  # analysed here already (the workers find the entities)
    tickets: list[int]  # the pool's batches; none: analysed here when written
    after: Callable[[], None] | None  # progress to report once the chunk is committed


@dataclass
class ChunkPipeline:
    """Feeds chunks to :meth:`Importer.write_chunk`, their texts analysed (language, sentences,
    entities) ahead by ``pool``."""

    importer: Importer
    ner: bool
    lang: str | None
    report: ImportReport
    seen: dict[str, str]
    resolver: TargetResolver | None
    workers: int = 0  # worker processes, started with the first chunk
    poll: Callable[[], None] | None = None  # called while waiting for the workers (cancel)
    tell: Callable[[str], None] | None = None  # says what is happening (starting the workers)
    pool: WorkerPool | None = None
    _flight: deque[_Chunk] = field(default_factory=deque)

    def add(self, raws: Sequence[RawArticle], after: Callable[[], None] | None = None) -> None:
        """Send ``raws``' new articles off to be analysed; write the chunks the workers are done
        with while the pipe is full. ``after`` runs once this chunk is committed."""
        if not raws:
            return
        if any(raw.annotations for raw in raws):
            # Labels carried by an article already in this import apply to it once it is written.
            self.drain()
        if self.workers and self.pool is None:
            if self.tell is not None:
                self.tell(f"starting {self.workers} entity worker processes (each loads the "
                          "models)…" if self.ner else f"starting {self.workers} worker processes…")
            # Most news here is English: its model loads at once unless the import says otherwise.
            self.pool = WorkerPool(self.workers, warm=(self.lang or "en",) if self.ner else ())
        new = self.importer.select_new(raws, self.report, self.seen)
        jobs = [job(raw, self.lang) for raw, _ in new]
        analyses = None
        tickets = []
        if jobs and self.pool is not None and self.ner:
            # With entities this process analyses the texts and the workers find the entities:
            # the first chunks are analysed while the workers load their models (with all of it
            # in the workers, a 50-article import took 6.7-7.1 s instead of 5.5-5.7).
            analyses = analyse_batch(jobs)
            items = [(text, a.lang) for (text, _, _), a in zip(jobs, analyses) if a.error is None]
            tickets = [self.pool.submit(items[i:i + WORKER_BATCH], find_entities_batch)
                       for i in range(0, len(items), WORKER_BATCH)]
        elif jobs and self.pool is not None:
            # Without entities a chunk is shared out in one batch per worker (short texts: the
            # trips to the workers cost more than the work of four).
            size = max(WORKER_BATCH, -(-len(jobs) // self.pool.workers))
            tickets = [self.pool.submit(jobs[i:i + size], analyse_batch)
                       for i in range(0, len(jobs), size)]
        self._flight.append(_Chunk(new, jobs, analyses, tickets, after))
        depth = self.pool.workers + 1 if self.pool is not None else 0
        while len(self._flight) > depth:
            self._write_next()

    def drain(self) -> None:
        """Write every chunk still in flight (before labels or tasks that refer to them)."""
        while self._flight:
            self._write_next()

    def close(self) -> None:
        """Stop the workers (chunks still in flight are not written: a cancel or a failure) and
        count the ones that died in the report."""
        self._flight.clear()
        if self.pool is not None:
            self.pool.close()
            for death in self.pool.deaths:
                self.report.count("entity worker", f"{death}; its articles were redone in the "
                                  "main process")
            self.pool = None

    def _write_next(self) -> None:
        chunk = self._flight.popleft()
        answers = []
        if chunk.tickets:
            assert self.pool is not None
            answers = [a for t in chunk.tickets for a in self.pool.result(t, self.poll)]
        if chunk.analyses is not None:  # analysed here; the answers are the entities
            analyses = chunk.analyses
            mentions = iter(answers)
            for analysis in analyses:
                if analysis.error is None:
                    analysis.mentions = next(mentions)
        elif chunk.tickets:
            analyses = answers
        else:
            analyses = analyse_batch(chunk.jobs, self.ner)
        prepared, found = self.importer.build_chunk(chunk.new, analyses, self.report)
        self.resolver = self.importer.write_chunk(prepared, found, self.report, self.resolver)
        if chunk.after is not None:
            chunk.after()
