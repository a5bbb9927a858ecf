"""Receive one ward event: keep it, apply it once, answer what became of it.

The raw text is stored whatever happens. A key seen before answers `duplicate`
with the first outcome and changes nothing; the inbox's unique key settles two
deliveries racing each other. Invalid payloads and events for unknown courses are
kept under a key of their own, so that the sender's corrected resend still applies.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import col, select

from ivig_workflow.db.statuses import InboxStatus
from ivig_workflow.db.tables import InboxRow
from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.events import WardEvent, parse_ward_event
from ivig_workflow.domain.transitions import decide
from ivig_workflow.service.effect_rows import write_effects
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.unit_of_work import UnitOfWork

Status = Literal["applied", "duplicate", "refused", "invalid", "unknown_course"]
ATTEMPTS = 5


class FieldError(BaseModel):
    field: str
    rule: str


class EventAnswer(BaseModel):
    status: Status
    key: str | None = None
    course_id: str | None = None
    type: str | None = None
    state: str | None = None
    reason: str | None = None
    rule: str | None = None
    errors: list[FieldError] = []
    first_status: str | None = None  # what the first delivery of a duplicate got
    inbox_id: int | None = None


class ConcurrentWriters(RuntimeError):
    """The course kept changing under us; the sender may safely retry the same key."""


def receive_event(
    raw: str | bytes | Mapping[str, Any],
    *,
    engine: Engine,
    rulebook: Rulebook,
    now: datetime,
    sender: str | None = None,
) -> EventAnswer:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = text if isinstance(text, str) else json.dumps(text, default=str)
    try:
        payload = json.loads(text)
        event = parse_ward_event(payload)
    except ValueError as error:  # InputError is a ValueError, and so is bad JSON
        field, rule = (
            (error.field, error.rule)
            if isinstance(error, InputError)
            else ("body", f"is not valid JSON ({error})")
        )
        return _keep_unapplied(
            engine, text, now, sender, "invalid", FieldError(field=field, rule=rule), payload=None
        )
    if sender is not None:
        actor = sender if event.actor is None else f"{sender}/{event.actor}"
        event = event.model_copy(update={"actor": actor})
    for _ in range(ATTEMPTS):
        try:
            return _apply(event, text, engine=engine, rulebook=rulebook, now=now)
        except (IntegrityError, StaleDataError, OperationalError):
            continue  # a racing delivery or writer won; the next attempt sees its result
    raise ConcurrentWriters(f"course {event.course_id}: too many concurrent writers")


def _apply(
    event: WardEvent, text: str, *, engine: Engine, rulebook: Rulebook, now: datetime
) -> EventAnswer:
    with UnitOfWork(engine) as uow:
        first = uow.session.scalar(select(InboxRow).where(col(InboxRow.key) == event.key))
        if first is not None:
            return _duplicate(first)
        course = uow.courses.load(event.course_id)
        if course is None:
            uow.rollback()
            return _keep_unapplied(
                engine, text, now, event.actor, "unknown_course", None, payload=event
            )
        rules = rulebook.rules_for(course.indication, course.centre, course.guideline_version)
        decision = decide(course, event, now, rules=rules)
        row = InboxRow(
            key=event.key,
            course_id=course.course_id,
            type=event.type,
            raw=text,
            received_at=now,
            status=InboxStatus(decision.status),
            reason=decision.reason,
            state_after=decision.course.state,
            actor=event.actor,
        )
        uow.session.add(row)
        if decision.status == "applied":
            uow.courses.save(decision, now)
        else:
            write_effects(uow.session, [(effect, now) for effect in decision.effects])
        uow.courses.write_pending()
        uow.commit()
        return EventAnswer(
            status=decision.status,
            key=event.key,
            course_id=course.course_id,
            type=event.type,
            state=decision.course.state.value,
            reason=decision.reason,
            rule=decision.rule,
            inbox_id=row.id,
        )


def _duplicate(first: InboxRow) -> EventAnswer:
    return EventAnswer(
        status="duplicate",
        key=first.key,
        course_id=first.course_id,
        type=first.type,
        state=first.state_after.value if first.state_after else None,
        reason=first.reason,
        first_status=first.status.value,
        inbox_id=first.id,
    )


def _keep_unapplied(
    engine: Engine,
    text: str,
    now: datetime,
    actor: str | None,
    status: Literal["invalid", "unknown_course"],
    error: FieldError | None,
    *,
    payload: WardEvent | None,
) -> EventAnswer:
    course_id = payload.course_id if payload else None
    reason = f"{error.field}: {error.rule}" if error else f"unknown course {course_id!r}"
    with UnitOfWork(engine) as uow:
        row = InboxRow(
            key=f"{status}:{uuid.uuid4().hex}",
            course_id=course_id,
            type=payload.type if payload else None,
            raw=text,
            received_at=now,
            status=InboxStatus.INVALID if status == "invalid" else InboxStatus.REFUSED,
            reason=reason,
            actor=actor,
        )
        uow.session.add(row)
        uow.session.flush()
        uow.commit()
        return EventAnswer(
            status=status,
            key=payload.key if payload else None,
            course_id=course_id,
            type=payload.type if payload else None,
            reason=reason,
            errors=[error] if error else [],
            inbox_id=row.id,
        )
