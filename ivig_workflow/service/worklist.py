"""A centre's worklist for today and tomorrow, in the centre's own time zone.

What the infusion nurses, pharmacy and physicians of one centre have to do: the
infusion days planned today and tomorrow (with grams, vial mix, product and chair
time), the responses to assess, the overdue cycles and the relapse checks. Rows
carry course ids and pseudonymous references only.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import col, select

from ivig_workflow.db.course_store import CourseStore
from ivig_workflow.db.statuses import CycleStatus, WorkItemStatus
from ivig_workflow.db.tables import CourseRow, CycleRow, Patient, WorkItemRow
from ivig_workflow.domain.course.model import Course
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.unit_of_work import reading

# A cycle's days span at most a week or two of open days, so a cycle whose
# first day is further back than this cannot have a day today.
_LONGEST_CYCLE = timedelta(days=21)
_OPEN_CYCLE = (CycleStatus.PLANNED, CycleStatus.RELEASED, CycleStatus.IN_PROGRESS)
REVIEW_KINDS = ("assess_response", "physician_decision", "long_term_decision", "review_deviation")


class InfusionRow(BaseModel):
    date: date
    course_id: str
    patient_ref: str
    cycle: int
    day: int
    days: int
    grams: float
    vials: str
    product: str
    chair_minutes: int
    cycle_status: str


class TaskRow(BaseModel):
    course_id: str | None
    patient_ref: str | None
    kind: str
    role: str
    title: str
    due_at: datetime | None


class Worklist(BaseModel):
    centre: str
    time_zone: str
    today: date
    tomorrow: date
    infusions_today: list[InfusionRow] = []
    infusions_tomorrow: list[InfusionRow] = []
    reviews_due: list[TaskRow] = []
    overdue_cycles: list[TaskRow] = []
    relapse_checks: list[TaskRow] = []

    def summary(self) -> dict[str, Any]:
        return {
            "centre": self.centre,
            "today": self.today.isoformat(),
            "infusions_today": len(self.infusions_today),
            "infusions_tomorrow": len(self.infusions_tomorrow),
            "grams_today": round(sum(r.grams for r in self.infusions_today), 1),
            "chair_minutes_today": sum(r.chair_minutes for r in self.infusions_today),
            "reviews_due": len(self.reviews_due),
            "overdue_cycles": len(self.overdue_cycles),
            "relapse_checks": len(self.relapse_checks),
        }


def vial_mix(vials: dict[float, int]) -> str:
    """`2 x 20 g + 1 x 5 g`, largest vial first, as the pharmacy reads it."""
    return " + ".join(
        f"{count} x {size:g} g" for size, count in sorted(vials.items(), reverse=True) if count
    )


def infusion_rows(course: Course, on: date) -> list[InfusionRow]:
    rows = []
    for cycle in course.cycles:
        if cycle.status not in ("planned", "released", "in_progress"):
            continue
        for index, planned in enumerate(cycle.planned_days):
            day = index + 1
            if planned != on or day in cycle.recorded_days:
                continue
            plan = cycle.plan
            rows.append(
                InfusionRow(
                    date=on,
                    course_id=course.course_id,
                    patient_ref=course.patient_ref,
                    cycle=cycle.number,
                    day=day,
                    days=len(cycle.planned_days),
                    grams=plan.day_doses_g[index],
                    vials=vial_mix(plan.day_vials[index]) if index < len(plan.day_vials) else "",
                    product=plan.product,
                    chair_minutes=plan.chair_minutes[index]
                    if index < len(plan.chair_minutes)
                    else 0,
                    cycle_status=cycle.status,
                )
            )
    return rows


def centre_worklist(engine: Engine, rulebook: Rulebook, centre: str, now: datetime) -> Worklist:
    place = rulebook.centres.centre(centre)
    zone = place.zone
    today = now.astimezone(zone).date()
    tomorrow = today + timedelta(days=1)
    # Tasks due by the end of tomorrow, centre time, belong on this list.
    horizon = datetime.combine(tomorrow + timedelta(days=1), time(), tzinfo=zone)
    worklist = Worklist(centre=centre, time_zone=place.time_zone, today=today, tomorrow=tomorrow)
    with reading(engine) as session:
        course_ids = session.scalars(
            select(CycleRow.course_id)
            .join(CourseRow, col(CourseRow.id) == col(CycleRow.course_id))
            .where(col(CourseRow.centre_slug) == centre)
            .where(col(CycleRow.status).in_(_OPEN_CYCLE))
            .where(col(CycleRow.planned_start) >= today - _LONGEST_CYCLE)
            .where(col(CycleRow.planned_start) <= tomorrow)
            .distinct()
        ).all()
        courses = CourseStore(session, locking=False).load_many(sorted(course_ids))
        for course in courses:
            worklist.infusions_today.extend(infusion_rows(course, today))
            worklist.infusions_tomorrow.extend(infusion_rows(course, tomorrow))
        tasks = session.execute(
            select(WorkItemRow, col(Patient.ref))
            .join(CourseRow, col(CourseRow.id) == col(WorkItemRow.course_id))
            .join(Patient, col(Patient.id) == col(CourseRow.patient_id))
            .where(col(CourseRow.centre_slug) == centre)
            .where(col(WorkItemRow.status) == WorkItemStatus.OPEN)
            .where(col(WorkItemRow.kind).in_([*REVIEW_KINDS, "escalate_overdue", "assess_relapse"]))
            .where(col(WorkItemRow.due_at) < horizon)
            .order_by(col(WorkItemRow.due_at), col(WorkItemRow.id))
        ).all()
    for item, ref in tasks:
        row = TaskRow(
            course_id=item.course_id,
            patient_ref=ref,
            kind=item.kind,
            role=item.role,
            title=item.title,
            due_at=item.due_at,
        )
        if item.kind == "escalate_overdue":
            worklist.overdue_cycles.append(row)
        elif item.kind == "assess_relapse":
            worklist.relapse_checks.append(row)
        else:
            worklist.reviews_due.append(row)
    worklist.infusions_today.sort(key=_order)
    worklist.infusions_tomorrow.sort(key=_order)
    return worklist


def _order(row: InfusionRow) -> tuple[date, str, int]:
    return (row.date, row.course_id, row.day)
