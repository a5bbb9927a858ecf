"""The sweep at `now`: every course whose next due instant has come, in batches.

Only the index on `next_due_at` is read to find work, so the cost follows what is
due, not how many courses are held. Each batch is one transaction; on PostgreSQL
the batch is claimed with `FOR UPDATE SKIP LOCKED`, so several workers split one
sweep and never tick a course twice. A sweep may be limited to one centre: the
clock fires one per centre, each in the centre's own run.
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

# Where the next batch starts: the last (next_due_at, id) of the batch before.
SweepCursor = tuple[datetime, str]


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

    def merge(self, other: SweepReport) -> SweepReport:
        return SweepReport(
            now=self.now,
            batches=self.batches + other.batches,
            examined=self.examined + other.examined,
            actions=[*self.actions, *other.actions],
            errors=[*self.errors, *other.errors],
        )


def sweep_batch(
    now: datetime,
    cursor: SweepCursor | None,
    *,
    engine: Engine,
    rulebook: Rulebook,
    batch_size: int = 200,
    centre: str | None = None,
) -> tuple[SweepReport, SweepCursor | None]:
    """One batch after `cursor`, in one transaction; the next cursor, or None when done."""
    report = SweepReport(now=now)
    with UnitOfWork(engine) as uow:
        query = select(col(CourseRow.id), col(CourseRow.next_due_at)).where(
            col(CourseRow.next_due_at) <= now
        )
        if centre is not None:
            query = query.where(col(CourseRow.centre_slug) == centre)
        if cursor is not None:
            query = query.where(
                tuple_(col(CourseRow.next_due_at), col(CourseRow.id)) > tuple_(*cursor)
            )
        query = query.order_by(col(CourseRow.next_due_at), col(CourseRow.id)).limit(batch_size)
        if uow.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        due = uow.session.execute(query).all()
        if not due:
            return report, None
        report.batches = 1
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
    # A short batch means nothing due is left past it (rows locked by another
    # worker are that worker's), so no empty query closes the sweep.
    following = (due[-1][1], due[-1][0]) if len(due) == batch_size else None
    return report, following


def sweep_due(
    now: datetime,
    *,
    engine: Engine,
    rulebook: Rulebook,
    batch_size: int = 200,
    centre: str | None = None,
) -> SweepReport:
    report = SweepReport(now=now)
    cursor: SweepCursor | None = None
    while True:
        batch, cursor = sweep_batch(
            now, cursor, engine=engine, rulebook=rulebook, batch_size=batch_size, centre=centre
        )
        report = report.merge(batch)
        if cursor is None:
            return report
