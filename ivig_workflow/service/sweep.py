"""The sweep at `now`: every course whose next due instant has come, in batches.

Only the index on `next_due_at` is read to find work, so the cost follows what is
due, not how many courses are held. Each batch is one transaction; on PostgreSQL
the batch is claimed with `FOR UPDATE SKIP LOCKED`, so several workers split one
sweep and never tick a course twice.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Engine, tuple_
from sqlmodel import col, select

from ivig_workflow.db.tables import CourseRow
from ivig_workflow.domain.errors import InputError
from ivig_workflow.domain.transitions import tick
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.unit_of_work import UnitOfWork


class SweepAction(BaseModel):
    course_id: str
    patient_ref: str
    centre: str
    state: str
    actions: list[str]  # the rules that fired: cycle.released, cycle.overdue, ...
    effects: int


class SweepReport(BaseModel):
    now: datetime
    batches: int = 0
    examined: int = 0
    actions: list[SweepAction] = []
    errors: list[str] = []


def sweep_due(
    now: datetime, *, engine: Engine, rulebook: Rulebook, batch_size: int = 200
) -> SweepReport:
    report = SweepReport(now=now)
    cursor: tuple[datetime, str] | None = None
    while True:
        with UnitOfWork(engine) as uow:
            query = select(col(CourseRow.id), col(CourseRow.next_due_at)).where(
                col(CourseRow.next_due_at) <= now
            )
            if cursor is not None:
                query = query.where(
                    tuple_(col(CourseRow.next_due_at), col(CourseRow.id)) > tuple_(*cursor)
                )
            query = query.order_by(col(CourseRow.next_due_at), col(CourseRow.id)).limit(batch_size)
            if uow.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            due = uow.session.execute(query).all()
            if not due:
                return report
            cursor = (due[-1][1], due[-1][0])
            report.batches += 1
            for course in uow.courses.load_many([course_id for course_id, _ in due]):
                report.examined += 1
                try:
                    rules = rulebook.rules_for(
                        course.indication, course.centre, course.guideline_version
                    )
                    decision = tick(course, now, rules=rules)
                except InputError as error:
                    # One course's broken plan must not stop the centre's sweep.
                    report.errors.append(f"course {course.course_id}: {error}")
                    continue
                if decision.course == course:
                    continue
                uow.courses.save(decision, now)
                if decision.transitions:
                    report.actions.append(
                        SweepAction(
                            course_id=course.course_id,
                            patient_ref=course.patient_ref,
                            centre=course.centre,
                            state=decision.course.state.value,
                            actions=[t.rule for t in decision.transitions],
                            effects=len(decision.effects),
                        )
                    )
            uow.commit()
