"""Work shared out to worker processes, one per core: an import's entities and analysis (while
the import writes), an export's lines (while the export writes).

Each worker is a spawned process (fork is not safe beside Qt's threads) that may load models before
its first batch (``warm``) and then runs the function each batch comes with
(:func:`~annotator.nlp.entities.find_entities_batch`, the importer's analysis, the export's spans):
the same function on the same batches as in-process, so the answers are the same. A worker that
dies (killed, out of memory) costs nothing but time: its batch is run again in this process and
the death is counted.
"""
from __future__ import annotations

import multiprocessing
import pickle
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from annotator.errors import ProjectError
from annotator.store import StoreError

#: What a worker runs on a batch: one result per item.
Run = Callable[[Sequence[Any]], list[Any]]
#: How often a wait for a worker's answer looks at ``poll`` (e.g. the import's cancel button).
POLL_SECONDS = 0.1


_main_lock = threading.Lock()


@contextmanager
def _main_not_rerun() -> Iterator[None]:
    """While a worker starts, hide where ``__main__`` came from, so the worker does not run the
    caller's script again (spawn does by default: a script without an ``if __name__ ==
    "__main__"`` guard would import again in every worker). The workers need nothing from it."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    with _main_lock:
        saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
        main.__dict__.pop("__file__", None)
        main.__spec__ = None
        try:
            yield
        finally:
            main.__dict__.pop("__spec__", None)
            main.__dict__.update(saved)


def _serve(conn: Connection, warm: tuple[str, ...]) -> None:
    """A worker's loop: ``(ticket, items, run)`` in, ``(ticket, run(items) | None, error | None)``
    out. The NER models of the languages in ``warm`` load first, while the importer reads the
    first articles."""
    if warm:
        from annotator.nlp.entities import backend_name

        for lang in warm:
            backend_name(lang)
    while True:
        try:
            ticket, items, run = conn.recv()
        except (EOFError, OSError):  # the parent closed the pool or died: nothing more to do
            return
        try:
            conn.send((ticket, run(items), None))
        except (BrokenPipeError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - sent back and raised in the parent
            conn.send((ticket, None, (f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}",
                                      _user_facing(exc))))


def _user_facing(exc: Exception) -> Exception | None:
    """``exc`` if it is a problem with a message for the user (a project file that went away,
    say) that can travel back to the parent, else None (the parent raises a RuntimeError)."""
    if not isinstance(exc, (ProjectError, StoreError)):
        return None
    try:
        return pickle.loads(pickle.dumps(exc))  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - an exception that does not pickle: told as text
        return None


@dataclass
class _Worker:
    process: Any  # multiprocessing's SpawnProcess
    conn: Connection
    ticket: int | None = None  # the batch it is working on


@dataclass
class WorkerPool:
    """``workers`` processes; :meth:`submit` a batch with the function to run on it, ask for its
    :meth:`result` in any order.

    Use it as a context manager: closing kills the workers, so none outlives an import or an
    export (or an exception, or a cancel). ``deaths`` says which workers stopped and how.
    """

    workers: int
    warm: tuple[str, ...] = ()  # languages whose models each worker loads before its first batch
    deaths: list[str] = field(default_factory=list)
    _idle: list[_Worker] = field(default_factory=list)
    _busy: dict[int, _Worker] = field(default_factory=dict)  # ticket -> worker
    _queued: deque[int] = field(default_factory=deque)
    _items: dict[int, tuple[Sequence[Any], Run]] = field(default_factory=dict)  # not answered yet
    _done: dict[int, list[Any]] = field(default_factory=dict)
    _next: int = 0

    def __post_init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        for _ in range(self.workers):
            parent, child = context.Pipe()
            process = context.Process(target=_serve, args=(child, self.warm), daemon=True,
                                      name="annotator-worker")
            with _main_not_rerun():
                process.start()
            child.close()
            self._idle.append(_Worker(process, parent))

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, items: Sequence[Any], run: Run) -> int:
        """Queue a batch for ``run``; the ticket to ask :meth:`result` for. ``run`` must be a
        module-level function (the workers are sent its name) giving one result per item, the
        same in any process."""
        ticket = self._next
        self._next += 1
        self._items[ticket] = (list(items), run)
        self._queued.append(ticket)
        self._dispatch()
        return ticket

    def result(self, ticket: int, poll: Callable[[], None] | None = None) -> list[Any]:
        """What ``run`` gave for batch ``ticket`` (waits for it). ``poll`` is called while waiting
        and may raise (a cancel) — the caller then closes the pool."""
        while ticket not in self._done:
            if not self._busy:  # every worker died: the rest is done here
                self._run_here(self._queued.popleft())
                continue
            by_conn = {w.conn: w for w in self._busy.values()}
            by_sentinel = {w.process.sentinel: w for w in self._busy.values()}
            for ready in wait([*by_conn, *by_sentinel], POLL_SECONDS):
                worker = by_conn.get(ready) or by_sentinel[ready]  # type: ignore[index]
                if worker.ticket is not None and self._busy.get(worker.ticket) is worker:
                    self._receive(worker)  # (its pipe and its sentinel may both be ready)
            if poll is not None:
                poll()
        self._items.pop(ticket, None)
        return self._done.pop(ticket)

    def close(self) -> None:
        """Stop every worker now (a batch in progress is abandoned) and reap them."""
        workers = self._idle + list(self._busy.values())
        self._idle, self._busy = [], {}
        for w in workers:
            w.conn.close()
            if w.process.is_alive():
                w.process.kill()
        for w in workers:
            w.process.join(5)

    def _dispatch(self) -> None:
        while self._idle and self._queued:
            worker = self._idle.pop()
            ticket = self._queued.popleft()
            try:
                worker.conn.send((ticket, *self._items[ticket]))
            except OSError:  # it died while idle
                self._queued.appendleft(ticket)
                self._bury(worker)
                continue
            worker.ticket = ticket
            self._busy[ticket] = worker

    def _receive(self, worker: _Worker) -> None:
        ticket = worker.ticket
        assert ticket is not None
        try:
            got, answer, error = worker.conn.recv()
        except (EOFError, OSError):  # died mid-batch: run the batch here, go on without it
            del self._busy[ticket]
            worker.ticket = None
            self._bury(worker)
            self._run_here(ticket)
            return
        assert got == ticket
        del self._busy[ticket]
        worker.ticket = None
        self._idle.append(worker)
        if error is not None:
            message, exc = error
            if exc is not None:  # the project's own error, as it would be raised in-process
                raise exc
            raise RuntimeError(f"{self._items[ticket][1].__name__} failed in a worker process: "
                               f"{message}")
        self._done[ticket] = answer
        self._dispatch()

    def _bury(self, worker: _Worker) -> None:
        worker.process.join(5)
        code = worker.process.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        self.deaths.append(f"worker {worker.process.pid} stopped ({how})")
        worker.conn.close()

    def _run_here(self, ticket: int) -> None:
        items, run = self._items[ticket]
        self._done[ticket] = run(items)

