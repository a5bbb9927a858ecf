"""What people and ward systems read: a course, lists of courses, open tasks."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ivig_workflow.db.course_store import CourseStore
from ivig_workflow.db.statuses import WorkItemStatus
from ivig_workflow.db.tables import CourseRow, Patient, TransitionLogRow, WorkItemRow
from ivig_workflow.domain.course.model import Course
from ivig_workflow.service.unit_of_work import reading


def course_view(engine: Engine, course_id: str) -> dict[str, Any] | None:
    with reading(engine) as session:
        course = CourseStore(session, locking=False).load(course_id)
        if course is None:
            return None
        history = session.scalars(
            select(TransitionLogRow)
            .where(col(TransitionLogRow.course_id) == course_id)
            .order_by(col(TransitionLogRow.seq))
        ).all()
        tasks = task_rows(session, course_id=course_id, status="open")
        return course_json(course, history, tasks)


def course_json(
    course: Course, history: list[TransitionLogRow] | Any, tasks: list[WorkItemRow]
) -> dict[str, Any]:
    upcoming = [c for c in course.cycles if c.status in ("planned", "released", "in_progress")]
    return {
        "course_id": course.course_id,
        "patient_ref": course.patient_ref,
        "indication": course.indication,
        "centre": course.centre,
        "guideline_version": course.guideline_version,
        "state": course.state.value,
        "series": course.series,
        "cycles_in_series_completed": course.cycles_in_series_completed,
        "cycles_completed": course.cycles_completed,
        "interval_weeks": course.interval_weeks,
        "next_due_date": upcoming[0].planned_start.isoformat() if upcoming else None,
        "next_due_at": course.next_due_at.isoformat() if course.next_due_at else None,
        "weight_kg": course.measurements.weight_kg,
        "egfr": course.measurements.egfr,
        # A physician's departure from the guideline's dose: who, why and from what.
        "override": (
            course.dose_options.override.model_dump(mode="json")
            if course.dose_options.override is not None
            else None
        ),
        "cycles": [
            {
                "number": cycle.number,
                "series": cycle.series,
                "number_in_series": cycle.number_in_series,
                "planned_start": cycle.planned_start.isoformat(),
                "planned_dates": [day.isoformat() for day in cycle.planned_days],
                "doses_g": list(cycle.plan.day_doses_g),
                "total_g": cycle.plan.total_g,
                "prescribed_g": cycle.plan.prescribed_g,
                "delivered_fraction": cycle.plan.delivered_fraction,
                "renal_risk_factors": list(cycle.plan.renal_risk_factors),
                "release_held_at": (
                    cycle.release_held_at.isoformat() if cycle.release_held_at else None
                ),
                "release_confirmation": (
                    cycle.release_confirmation.model_dump(mode="json")
                    if cycle.release_confirmation is not None
                    else None
                ),
                "product": cycle.plan.product,
                "lowest_rate_days": list(cycle.plan.lowest_rate_days),
                "status": cycle.status,
                "days_given": sorted(cycle.recorded_days),
                "lots": sorted({lot for day in cycle.infusions for lot in day.lot_numbers}),
            }
            for cycle in course.cycles
        ],
        "deviations": [
            {"cycle": cycle.number, **deviation.model_dump(mode="json", exclude={"cycle"})}
            for cycle in course.cycles
            for deviation in cycle.deviations
        ],
        "open_tasks": [task_json(task) for task in tasks],
        "history": [
            {
                "from": row.from_state.value if row.from_state else None,
                "to": row.to_state.value,
                "event_type": row.trigger,
                "key": row.event_key,
                "at": row.at.isoformat(),
                "rule": row.rule,
                "citation": row.citation,
                "actor": row.actor,
                "reason": row.reason,
            }
            for row in history
        ],
    }


def task_json(task: WorkItemRow) -> dict[str, Any]:
    return {
        "id": task.id,
        "key": task.key,
        "course_id": task.course_id,
        "role": task.role,
        "kind": task.kind,
        "title": task.title,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "status": task.status.value,
        "rule": task.data.get("rule"),
        "citation": task.data.get("citation"),
        "closed_by": task.closed_by,
        "close_reason": task.close_reason,
    }


def task_rows(
    session: Session,
    *,
    course_id: str | None = None,
    status: str | None = None,
    role: str | None = None,
    due_before: datetime | None = None,
    limit: int = 500,
    offset: int = 0,
    centres: Collection[str] | None = None,
) -> list[WorkItemRow]:
    """`centres`: only tasks of courses of these centres (a scoped token's view); tasks
    without a course (operators' items) are then left out."""
    query = select(WorkItemRow)
    if centres is not None:
        query = query.join(CourseRow, col(CourseRow.id) == col(WorkItemRow.course_id)).where(
            col(CourseRow.centre_slug).in_(list(centres))
        )
    if course_id is not None:
        query = query.where(col(WorkItemRow.course_id) == course_id)
    if status is not None:
        query = query.where(col(WorkItemRow.status) == WorkItemStatus(status))
    if role is not None:
        query = query.where(col(WorkItemRow.role) == role)
    if due_before is not None:
        query = query.where(col(WorkItemRow.due_at) < due_before)
    query = query.order_by(col(WorkItemRow.due_at), col(WorkItemRow.id)).limit(limit).offset(offset)
    return list(session.scalars(query).all())


def course_list(
    engine: Engine,
    *,
    state: str | None = None,
    indication: str | None = None,
    centre: str | None = None,
    limit: int = 100,
    offset: int = 0,
    centres: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """`centres`: only courses of these centres (a scoped token's view)."""
    query = select(CourseRow, col(Patient.ref)).join(Patient)
    if centres is not None:
        query = query.where(col(CourseRow.centre_slug).in_(list(centres)))
    if state is not None:
        query = query.where(col(CourseRow.state) == state)
    if indication is not None:
        query = query.where(col(CourseRow.indication) == indication)
    if centre is not None:
        query = query.where(col(CourseRow.centre_slug) == centre)
    query = query.order_by(col(CourseRow.created_at), col(CourseRow.id)).limit(limit).offset(offset)
    with reading(engine) as session:
        return [
            {
                "course_id": row.id,
                "patient_ref": ref,
                "indication": row.indication,
                "centre": row.centre_slug,
                "state": row.state.value,
                "series": row.series,
                "cycles_completed": row.cycles_completed,
                "interval_weeks": row.interval_weeks,
                "next_due_at": row.next_due_at.isoformat() if row.next_due_at else None,
            }
            for row, ref in session.execute(query).all()
        ]
