"""Chunks of articles on their way into the store: prepared here, entities found (in worker
processes when the import is big enough to pay for them), then written in the order they came.

While the workers find the entities of the next chunks, this process splits and writes: NER runs on
all cores and the rest of the import hides behind it. A chunk is written, counted and reported only
after the chunks before it, so progress never runs ahead of what the project file holds.
"""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .machine import usable_cores
from .model import ImportReport, Mention
from .nlp.entities import find_entities_batch, model_loaded
from .nlp.ner_pool import NerPool
from .nlp.targets import TargetResolver

if TYPE_CHECKING:
    from .importer import Importer, Prepared
    from .ingest import RawArticle

#: Bytes of input below which NER stays in this process: a worker takes 1.3–2 s to start and load
#: its model, which a small import does not win back. Measured (bench/README.md, "NER workers"):
#: with the model not loaded here yet, workers win from ~100 kB; with it loaded (a second import
#: in the app), from ~200 kB.
POOL_MIN_BYTES = 100_000
POOL_MIN_BYTES_LOADED = 200_000
#: Articles per batch sent to a worker: a chunk is split so the workers share it (spaCy's and
#: natasha's mentions do not depend on what else is in a batch: tests/core/test_ner_pool.py).
WORKER_BATCH = 4
#: ``ANNOTATOR_NER_WORKERS=N`` sets the number of worker processes (0: none, NER in this process).
WORKERS_ENV = "ANNOTATOR_NER_WORKERS"


def ner_workers(input_bytes: int) -> int:
    """How many NER worker processes an import of ``input_bytes`` should use (0: in this process)."""
    wanted = os.environ.get(WORKERS_ENV, "").strip()
    if wanted:
        try:
            return max(0, int(wanted))
        except ValueError:
            pass  # not a number: the default below
    cores = usable_cores()
    least = POOL_MIN_BYTES_LOADED if model_loaded("en") else POOL_MIN_BYTES
    return cores if cores > 1 and input_bytes >= least else 0


@dataclass
class _Chunk:
    prepared: list[Prepared]
    tickets: list[int]  # the pool's batches; none: no entities wanted, or found here when written
    after: Callable[[], None] | None  # progress to report once the chunk is committed


@dataclass
class ChunkPipeline:
    """Feeds chunks to :meth:`Importer.write_chunk`, with their entities found ahead by ``pool``."""

    importer: Importer
    ner: bool
    lang: str | None
    report: ImportReport
    seen: dict[str, str]
    resolver: TargetResolver | None
    workers: int = 0  # NER worker processes, started with the first chunk that needs them
    poll: Callable[[], None] | None = None  # called while waiting for the workers (cancel)
    tell: Callable[[str], None] | None = None  # says what is happening (starting the workers)
    pool: NerPool | None = None
    _flight: deque[_Chunk] = field(default_factory=deque)

    def add(self, raws: Sequence[RawArticle], after: Callable[[], None] | None = None) -> None:
        """Prepare ``raws`` and send their entities off; write the chunks the workers are done with
        while the pipe is full. ``after`` runs once this chunk is committed."""
        if not raws:
            return
        if any(raw.annotations for raw in raws):
            # Labels carried by an article already in this import apply to it once it is written.
            self.drain()
        if self.ner and self.workers and self.pool is None:
            # Started before the first chunk is split, so the workers start up meanwhile.
            if self.tell is not None:
                self.tell(f"starting {self.workers} entity worker processes (each loads the "
                          "models)…")
            # Most news here is English: its model loads at once unless the import says otherwise.
            self.pool = NerPool(self.workers, warm=(self.lang or "en",))
        prepared = self.importer.prepare_chunk(raws, self.lang, self.report, self.seen)
        tickets = []
        if self.ner and prepared and self.pool is not None:
            items = [(a.text, a.lang) for _, a, _ in prepared]
            tickets = [self.pool.submit(items[i:i + WORKER_BATCH])
                       for i in range(0, len(items), WORKER_BATCH)]
        self._flight.append(_Chunk(prepared, tickets, after))
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
        found: list[list[Mention]] = [[] for _ in chunk.prepared]
        if chunk.tickets:
            assert self.pool is not None
            found = [ms for t in chunk.tickets for ms in self.pool.result(t, self.poll)]
        elif self.ner and chunk.prepared:
            found = find_entities_batch([(a.text, a.lang) for _, a, _ in chunk.prepared])
        self.resolver = self.importer.write_chunk(chunk.prepared, found, self.report,
                                                  self.resolver)
        if chunk.after is not None:
            chunk.after()
