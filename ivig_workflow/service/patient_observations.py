"""A weight, height or eGFR measured for a patient reaches each of the patient's open
courses, because every course doses its next cycle from the latest measurement."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from ivig_workflow.db.statuses import CourseState
from ivig_workflow.db.tables import CourseRow, Patient
from ivig_workflow.formats.observation import PatientObservation
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.unit_of_work import reading
from ivig_workflow.service.ward_events import EventAnswer, receive_event

CLOSED = (CourseState.COMPLETED, CourseState.DISCONTINUED)


def open_course_ids(engine: Engine, patient_ref: str) -> list[str]:
    query = (
        select(col(CourseRow.id))
        .join(Patient)
        .where(col(Patient.ref) == patient_ref, col(CourseRow.state).not_in(CLOSED))
        .order_by(col(CourseRow.created_at), col(CourseRow.id))
    )
    with reading(engine) as session:
        return list(session.scalars(query).all())


def record_patient_observation(
    observation: PatientObservation,
    *,
    engine: Engine,
    rulebook: Rulebook,
    now: datetime,
    sender: str | None = None,
    course_ids: list[str] | None = None,
) -> list[EventAnswer]:
    """One answer per open course (or per course of `course_ids`, the open courses a
    sender's scope covers); none when the patient has no open course."""
    return [
        receive_event(
            observation.as_event(course_id),
            engine=engine,
            rulebook=rulebook,
            now=now,
            sender=sender,
        )
        for course_id in (
            open_course_ids(engine, observation.patient_ref) if course_ids is None else course_ids
        )
    ]
