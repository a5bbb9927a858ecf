"""The transition log relayed to Prefect as events, so the dashboard's event feed shows
courses moving and automations can react.

The transition log is the outbox: a clinical transaction only appends its rows, and this
relay reads the rows after a stored cursor and posts them to the Prefect server
(`POST /api/events`). The cursor moves only after the server accepted the batch, so a
server that is down delays events and loses none; each event's id is derived from its
row, so a batch sent twice names the same events.
"""

from __future__ import annotations

import base64
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from prefect.events import Event
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_KEY, PREFECT_API_URL
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ivig_workflow.db.tables import (
    CourseRow,
    CycleRow,
    InfusionDayRow,
    Patient,
    PrefectEventCursor,
    TransitionLogRow,
)
from ivig_workflow.service.unit_of_work import UnitOfWork, reading

CURSOR = "prefect"
EVENT_NAMESPACE = uuid.UUID("8f4c1d2e-5b7a-4c3e-9a61-2f0d8e7b6c51")
log = logging.getLogger(__name__)


def _headers() -> dict[str, str]:
    if key := PREFECT_API_KEY.value():
        return {"Authorization": f"Bearer {key}"}
    if auth := PREFECT_API_AUTH_STRING.value():
        return {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()}
    return {}


def _cycle_of(session: Session, row: TransitionLogRow, course: CourseRow) -> int:
    """The cycle an infusion's transition belongs to; else the cycles completed so far."""
    if row.event_key is not None:
        number = session.scalar(
            select(col(CycleRow.number))
            .join(InfusionDayRow, col(InfusionDayRow.cycle_id) == col(CycleRow.id))
            .where(col(CycleRow.course_id) == row.course_id)
            .where(col(InfusionDayRow.event_key) == row.event_key)
        )
        if number is not None:
            return int(number)
    return course.cycles_completed


def _related(resource_id: str, role: str) -> dict[str, str]:
    return {"prefect.resource.id": resource_id, "prefect.resource.role": role}


def transition_event(
    row: TransitionLogRow, course: CourseRow, patient_ref: str, cycle: int
) -> Event:
    # Series and interval are the course's when relayed: the relay runs right after the
    # transaction, so they only differ for a backlog after a Prefect outage.
    return Event(
        id=uuid.uuid5(EVENT_NAMESPACE, f"{row.course_id}:{row.seq}"),
        occurred=row.at,
        event=f"ivig.course.{row.to_state.value}",
        resource={"prefect.resource.id": f"ivig.course.{row.course_id}"},
        related=[
            _related(f"ivig.patient.{patient_ref}", "patient"),
            _related(f"ivig.centre.{course.centre_slug}", "centre"),
        ],
        payload={
            "cycle": cycle,
            "series": course.series,
            "interval_weeks": course.interval_weeks,
            "from_state": row.from_state.value if row.from_state else None,
            "rule": row.rule,
            "citation": row.citation,
            "trigger": row.trigger,
            "event_key": row.event_key,
        },
    )


def pending_events(engine: Engine, *, limit: int) -> tuple[list[Event], int | None]:
    """The next events after the cursor, and the transition id the cursor moves to."""
    with reading(engine) as session:
        cursor = session.get(PrefectEventCursor, CURSOR)
        after = cursor.last_transition_id if cursor else 0
        rows = session.execute(
            select(TransitionLogRow, CourseRow, col(Patient.ref))
            .join(CourseRow, col(CourseRow.id) == col(TransitionLogRow.course_id))
            .join(Patient, col(Patient.id) == col(CourseRow.patient_id))
            .where(col(TransitionLogRow.id) > after)
            .order_by(col(TransitionLogRow.id))
            .limit(limit)
        ).all()
        events = [
            transition_event(row, course, ref, _cycle_of(session, row, course))
            for row, course, ref in rows
        ]
        return events, (rows[-1][0].id if rows else None)


def _move_cursor(engine: Engine, to: int, now: datetime) -> None:
    with UnitOfWork(engine) as uow:
        cursor = uow.session.get(PrefectEventCursor, CURSOR)
        if cursor is None:
            cursor = PrefectEventCursor(name=CURSOR, last_transition_id=to, updated_at=now)
        # Never backwards: a slower relay finishing late must not resend what is done.
        cursor.last_transition_id = max(cursor.last_transition_id, to)
        cursor.updated_at = now
        uow.session.add(cursor)
        uow.commit()


def relay_transitions(
    engine: Engine, *, limit: int = 500, api_url: str | None = None, timeout: float = 10.0
) -> int:
    """Emit the next transitions as Prefect events; the number emitted (0 when the server
    is unreachable or not configured: the rows wait for the next call)."""
    url = api_url or PREFECT_API_URL.value()
    if not url:
        return 0
    events, last_id = pending_events(engine, limit=limit)
    if not events or last_id is None:
        return 0
    body: list[dict[str, Any]] = [event.model_dump(mode="json") for event in events]
    try:
        response = httpx.post(
            f"{url.rstrip('/')}/events", json=body, headers=_headers(), timeout=timeout
        )
        response.raise_for_status()
    except httpx.HTTPError as error:
        log.warning("prefect events not sent, %d waiting: %s", len(events), error)
        return 0
    _move_cursor(engine, last_id, datetime.now(UTC))
    return len(events)
