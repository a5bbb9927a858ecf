"""Receive ward events: keep each, apply it once, answer what became of it.

The raw text is stored whatever happens. A key seen before answers `duplicate`
with the first outcome and changes nothing; the inbox's unique key settles two
deliveries racing each other. Invalid payloads and events for unknown courses are
kept under a key of their own, so that the sender's corrected resend still applies.

Events arriving together (a batch, or concurrent HTTP requests gathered by the
group commit) are applied in one transaction of at most `CHUNK`: per event the
cost is then the state machine's, not a dozen round trips and a commit. A chunk that
keeps failing is split, so one poison event cannot hold back the others.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from ivig_workflow.db.availability import DatabaseUnavailable, note_failure, unavailable_cause
from ivig_workflow.domain.course.events import parse_ward_event
from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.event_answers import Arrival, EventAnswer, FieldError
from ivig_workflow.service.event_batch import apply_batch
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.sweep_collector import quiet_collector
from ivig_workflow.service.unit_of_work import UnitOfWork

__all__ = [
    "ConcurrentWriters",
    "Delivery",
    "EventAnswer",
    "FieldError",
    "parsed_arrival",
    "receive_each",
    "receive_event",
    "receive_events",
]

ATTEMPTS = 5
CHUNK = 500
# A racing delivery or writer won, or another process held SQLite's lock: the next
# attempt reads what the winner stored.
_RETRYABLE = (IntegrityError, StaleDataError, OperationalError)
Raw = str | bytes | Mapping[str, Any]


class ConcurrentWriters(RuntimeError):
    """The course kept changing under us; the sender may safely retry the same key."""


@dataclass(frozen=True)
class Delivery:
    raw: Raw
    sender: str | None = None


def receive_event(
    raw: Raw, *, engine: Engine, rulebook: Rulebook, now: datetime, sender: str | None = None
) -> EventAnswer:
    (answer,) = receive_events([Delivery(raw, sender)], engine=engine, rulebook=rulebook, now=now)
    return answer


def receive_events(
    deliveries: Sequence[Delivery | Arrival], *, engine: Engine, rulebook: Rulebook, now: datetime
) -> list[EventAnswer]:
    """One answer per delivery, in order; raises the first event that could not be stored."""
    answers = []
    for outcome in receive_each(deliveries, engine=engine, rulebook=rulebook, now=now):
        if isinstance(outcome, Exception):
            raise outcome
        answers.append(outcome)
    return answers


def receive_each(
    deliveries: Sequence[Delivery | Arrival],
    *,
    engine: Engine,
    rulebook: Rulebook,
    now: datetime,
) -> list[EventAnswer | Exception]:
    """Like `receive_events`, but an event that could not be stored is its own outcome.
    An `Arrival` was parsed by its sender's request already and is applied as it is."""
    if len(deliveries) > 1:
        # Many events allocate as a sweep batch does: without this, a full collection
        # walking the process's long-lived heap now and then cost as much as the batch
        # (ingest benchmark, 100 per call: one such collection, ~84 us an event).
        with quiet_collector():
            return _receive(deliveries, engine=engine, rulebook=rulebook, now=now)
    return _receive(deliveries, engine=engine, rulebook=rulebook, now=now)


def _receive(
    deliveries: Sequence[Delivery | Arrival], *, engine: Engine, rulebook: Rulebook, now: datetime
) -> list[EventAnswer | Exception]:
    arrivals = [_arrival(delivery) for delivery in deliveries]
    outcomes: list[EventAnswer | Exception] = []
    for start in range(0, len(arrivals), CHUNK):
        chunk = arrivals[start : start + CHUNK]
        outcomes += _chunk(chunk, engine=engine, rulebook=rulebook, now=now)
    return outcomes


def _chunk(
    arrivals: list[Arrival], *, engine: Engine, rulebook: Rulebook, now: datetime
) -> list[EventAnswer | Exception]:
    single = len(arrivals) == 1
    for _ in range(ATTEMPTS if single else 2):
        try:
            with UnitOfWork(engine) as uow:
                answers = apply_batch(uow, arrivals, rulebook=rulebook, now=now)
                uow.commit()
            return list(answers)
        except Exception as error:
            cause = unavailable_cause(error, engine)
            if cause is not None:
                # Down, read-only or full: retrying now, or one by one, cannot help.
                note_failure(engine, cause)
                return [DatabaseUnavailable(cause)] * len(arrivals)
            if isinstance(error, _RETRYABLE):
                continue
            if single:
                return [error]
            break
    if single:
        course = arrivals[0].event.course_id if arrivals[0].event else None
        return [ConcurrentWriters(f"course {course}: too many concurrent writers")]
    return [
        o
        for arrival in arrivals
        for o in _chunk([arrival], engine=engine, rulebook=rulebook, now=now)
    ]


def _arrival(delivery: Delivery | Arrival) -> Arrival:
    if isinstance(delivery, Arrival):  # parsed already, in the request's own thread
        return delivery
    raw = delivery.raw
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = text if isinstance(text, str) else json.dumps(text, default=str)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:  # bad JSON is a ValueError
        rule = "nests too deeply" if isinstance(error, RecursionError) else str(error)
        error_of = FieldError(field="body", rule=f"is not valid JSON ({rule})")
        return Arrival(text, delivery.sender, None, error_of)
    return parsed_arrival(text, value, delivery.sender)


def parsed_arrival(text: str, value: Any, sender: str | None) -> Arrival:
    """The event `value` validated, or the field and rule it breaks; never raises, so
    one sender's body cannot fail the others' in a shared transaction."""
    try:
        event = parse_ward_event(value)
    except InputError as error:
        return Arrival(text, sender, None, FieldError(field=error.field, rule=error.rule))
    except RecursionError:
        return Arrival(text, sender, None, FieldError(field="body", rule="nests too deeply"))
    if sender is not None:
        actor = sender if event.actor is None else f"{sender}/{event.actor}"
        event = event.model_copy(update={"actor": actor})
    return Arrival(text, event.actor, event, None)
