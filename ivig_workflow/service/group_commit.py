"""Group commit: ward events arriving at once share one transaction.

Thirty-two wards posting at the same moment used to queue for SQLite's single
writer one transaction each, so the last waited for thirty-one commits. Here a
writer thread takes whatever has arrived while it was busy and applies it as one
batch (`receive_each`), each event still answered on its own. When the centre is
quiet a lone event is written at once: nothing waits for a batch to fill.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime

from sqlalchemy import Engine

from ivig_workflow.service.batch_handoff import Inbox, Waiting, answer, batches
from ivig_workflow.service.event_answers import Arrival
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.ward_events import Delivery, EventAnswer, receive_each


class GroupCommit:
    def __init__(self, *, engine: Engine, rulebook: Rulebook, now: Callable[[], datetime]) -> None:
        self._engine, self._rulebook, self._now = engine, rulebook, now
        self._queue: Inbox = queue.SimpleQueue()
        # SQLite has one writer anyway; PostgreSQL writers lock only their courses.
        self._writers = 1 if engine.dialect.name == "sqlite" else 2
        self._threads: list[threading.Thread] = []
        self._started = threading.Lock()
        self.batches = self.events = 0  # what the writers did: how well events were gathered

    def submit(self, delivery: Delivery | Arrival) -> Future[EventAnswer]:
        future: Future[EventAnswer] = Future()
        with self._started:
            if not self._threads:
                for n in range(self._writers):
                    thread = threading.Thread(
                        target=self._write, name=f"ivig-writer-{n}", daemon=True
                    )
                    thread.start()
                    self._threads.append(thread)
        self._queue.put((delivery, future))
        return future

    def close(self) -> None:
        with self._started:
            for _ in self._threads:
                self._queue.put(None)
            for thread in self._threads:
                thread.join()
            self._threads = []

    def _write(self) -> None:
        for waiting in batches(self._queue):
            self._apply(waiting)

    def _apply(self, waiting: list[Waiting]) -> None:
        try:
            outcomes = receive_each(
                [delivery for delivery, _ in waiting],
                engine=self._engine,
                rulebook=self._rulebook,
                now=self._now(),
            )
        except Exception as error:  # the clock, or the database gone: every sender is told
            outcomes = [error] * len(waiting)
        with self._started:
            self.batches, self.events = self.batches + 1, self.events + len(waiting)
        answer(waiting, outcomes)
