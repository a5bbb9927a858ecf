"""How a group commit hands events to its writer: whatever arrived while the last batch
was being written goes as the next one, and each sender's future gets its own outcome.

Shared by the writer thread (`group_commit`) and the writer process (`writer_process`),
so that both gather and answer alike: a lone event on a quiet ward is written at once,
and a stop mark ends the writer only after the batch in hand.
"""

from __future__ import annotations

import queue
from collections.abc import Iterator, Sequence
from concurrent.futures import Future

from ivig_workflow.service.event_answers import Arrival
from ivig_workflow.service.ward_events import CHUNK, Delivery, EventAnswer

# An Arrival was parsed and validated by its sender's request, in that request's thread:
# what reaches the shared transaction can no longer raise on a sender's bytes.
Waiting = tuple[Delivery | Arrival, "Future[EventAnswer]"]
Inbox = queue.SimpleQueue[Waiting | None]  # None: the writer's stop mark


def batches(inbox: Inbox) -> Iterator[list[Waiting]]:
    """Each batch as it can be taken, at most `CHUNK`; ends at the stop mark."""
    while (first := inbox.get()) is not None:
        waiting = [first]
        while len(waiting) < CHUNK:
            try:
                item = inbox.get_nowait()
            except queue.Empty:
                break
            if item is None:
                inbox.put(None)  # the stop: after the batch in hand
                break
            waiting.append(item)
        yield waiting


def answer(waiting: list[Waiting], outcomes: Sequence[EventAnswer | Exception]) -> None:
    for (_, future), outcome in zip(waiting, outcomes, strict=True):
        if isinstance(outcome, Exception):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
