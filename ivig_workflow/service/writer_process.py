"""The group commit's writer in a process of its own (SQLite's one writer, out of the
interpreter lock that HTTP parsing holds).

`GroupCommit` writes in a thread of the API process: while it decides and writes a batch
it holds the interpreter lock the event loop needs to parse the next requests, and each
SQLite call it makes gives the lock away and waits to get it back. Here a feeder thread
gathers the batch exactly as `GroupCommit` does (whatever arrived while the last was
being written) and sends it, already parsed and validated by each sender's request, to
a writer process that applies it with `receive_each` and sends the outcomes back. The
API process keeps the clock: each batch carries its `now`.

If the writer process dies, the batch in flight is answered `DatabaseUnavailable` (its
senders retry the same keys; what was committed answers `duplicate`) and the next batch
starts a new writer.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import pickle
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from ivig_workflow.db.availability import DatabaseUnavailable
from ivig_workflow.service.batch_handoff import Inbox, answer, batches
from ivig_workflow.service.event_answers import Arrival
from ivig_workflow.service.ward_events import Delivery, EventAnswer

_STOPPED = "the writer process stopped; nothing of this batch is known to be stored"


class ProcessGroupCommit:
    """`submit` and `close` as `GroupCommit`; the rulebook is the process's default."""

    def __init__(self, *, url: str, now: Callable[[], datetime]) -> None:
        self._url, self._now = url, now
        self._queue: Inbox = queue.SimpleQueue()
        self._feeder: threading.Thread | None = None
        self._writer: Any = None  # multiprocessing.Process, started with the feeder
        self._pipe: Connection | None = None
        self._started = threading.Lock()
        self.batches = self.events = 0

    def submit(self, delivery: Delivery | Arrival) -> Future[EventAnswer]:
        future: Future[EventAnswer] = Future()
        with self._started:
            if self._feeder is None:
                self._feeder = threading.Thread(target=self._feed, name="ivig-feeder", daemon=True)
                self._feeder.start()
        self._queue.put((delivery, future))
        return future

    def start(self) -> None:
        """Start the writer process now and wait until it is ready (its imports take a
        second or two), rather than with the first event."""
        with self._started:
            self._running_writer()

    def close(self) -> None:
        with self._started:
            if self._feeder is not None:
                self._queue.put(None)
                self._feeder.join()
                self._feeder = None
            self._stop_writer()

    def _feed(self) -> None:
        for waiting in batches(self._queue):
            outcomes = self._write([delivery for delivery, _ in waiting])
            self.batches, self.events = self.batches + 1, self.events + len(waiting)
            answer(waiting, outcomes)

    def _write(self, deliveries: list[Delivery | Arrival]) -> list[EventAnswer | Exception]:
        try:
            now = self._now()
        except Exception as error:  # the clock: every sender is told
            return [error] * len(deliveries)
        try:
            pipe = self._running_writer()
            pipe.send((now, deliveries))
            outcomes: list[EventAnswer | Exception] = pipe.recv()
            return outcomes
        except (EOFError, OSError):
            self._stop_writer()
            return [DatabaseUnavailable(_STOPPED)] * len(deliveries)

    def _running_writer(self) -> Connection:
        if self._pipe is None or self._writer is None or not self._writer.is_alive():
            self._stop_writer()
            context = multiprocessing.get_context("spawn")
            ours, theirs = context.Pipe()
            self._writer = context.Process(
                target=serve_writes, args=(self._url, theirs), name="ivig-writer", daemon=True
            )
            self._writer.start()
            theirs.close()
            ours.recv()  # "ready": imported, rulebook loaded (EOFError if it died instead)
            self._pipe = ours
        return self._pipe

    def _stop_writer(self) -> None:
        if self._pipe is not None:
            with contextlib.suppress(OSError):  # a writer that died hears nothing
                self._pipe.send(None)
            self._pipe.close()
            self._pipe = None
        if self._writer is not None:
            self._writer.join(timeout=30)
            if self._writer.is_alive():
                self._writer.kill()
            self._writer = None


def serve_writes(url: str, pipe: Connection) -> None:
    """The writer process: batches in, outcomes out, until told to stop or orphaned."""
    from ivig_workflow.db.engine import make_engine
    from ivig_workflow.service.rulebook import load_rulebook
    from ivig_workflow.service.ward_events import receive_each

    engine, rulebook = make_engine(url), load_rulebook()
    # As in the API process (`api.app.settle_heap`): what start-up loaded is frozen out of
    # the collector's sight, so that a full collection does not stall a batch.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    pipe.send("ready")
    while True:
        try:
            message = pipe.recv()
        except (EOFError, OSError):  # the API process is gone
            break
        if message is None:
            break
        now, deliveries = message
        outcomes = receive_each(deliveries, engine=engine, rulebook=rulebook, now=now)
        try:
            pipe.send([_portable(outcome) for outcome in outcomes])
        except OSError:  # the API process died meanwhile: what committed answers duplicate
            break
    engine.dispose()


def _portable(outcome: EventAnswer | Exception) -> EventAnswer | Exception:
    """An exception that cannot cross the pipe is sent as its words."""
    if not isinstance(outcome, Exception):
        return outcome
    try:
        pickle.loads(pickle.dumps(outcome))
    except Exception:
        return RuntimeError(f"{type(outcome).__name__}: {outcome}")
    return outcome
