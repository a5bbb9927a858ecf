"""The sweep at `now`: every course whose next due instant has come, in batches.

Only the index on `next_due_at` is read to find work, so the cost follows what is
due, not how many courses are held. Each batch is one transaction; on PostgreSQL
the batch is claimed with `FOR UPDATE SKIP LOCKED`, so several workers split one
sweep and never tick a course twice. A sweep may be limited to one centre: the
clock fires one per centre, each in the centre's own run.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from pydantic import BaseModel
from sqlalchemy import Engine, String, bindparam, tuple_
from sqlmodel import col, select
from sqlmodel.sql.expression import Select

from ivig_workflow.db.tables import CourseRow
from ivig_workflow.db.types import UtcDateTime
from ivig_workflow.domain.course.transitions import tick
from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.sweep_collector import quiet_collector
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
        # Both reports were validated when they were made: no need to again.
        return SweepReport.model_construct(
            now=self.now,
            batches=self.batches + other.batches,
            examined=self.examined + other.examined,
            actions=[*self.actions, *other.actions],
            errors=[*self.errors, *other.errors],
        )

    def absorb(self, other: SweepReport) -> None:
        """Add `other` to this report in place: a long sweep copies no lists per batch."""
        self.batches += other.batches
        self.examined += other.examined
        self.actions.extend(other.actions)
        self.errors.extend(other.errors)


@lru_cache(maxsize=64)
def _due(
    by_centre: bool, after_cursor: bool, limit: int, claim: bool
) -> Select[str, datetime | None]:
    """Due courses (after the cursor) in sweep order, off the `next_due_at` index;
    claimed with `FOR UPDATE SKIP LOCKED` (PostgreSQL) when `claim`.

    Built once per shape and reused as the same object: building a statement costs
    more than SQLite takes to run it, and a new object per call also makes
    SQLAlchemy match its result columns to the cached compilation on every run.
    """
    due_at = col(CourseRow.next_due_at)
    query = select(col(CourseRow.id), due_at).where(due_at <= bindparam("now", type_=UtcDateTime))
    if by_centre:
        query = query.where(col(CourseRow.centre_slug) == bindparam("centre"))
    if after_cursor:
        query = query.where(
            tuple_(due_at, col(CourseRow.id))
            > tuple_(bindparam("after_due", type_=UtcDateTime), bindparam("after_id", type_=String))
        )
    query = query.order_by(due_at, col(CourseRow.id)).limit(limit)
    return query.with_for_update(skip_locked=True) if claim else query


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
    with quiet_collector():
        return _sweep_batch(now, cursor, engine, rulebook, batch_size, centre)


def _sweep_batch(
    now: datetime,
    cursor: SweepCursor | None,
    engine: Engine,
    rulebook: Rulebook,
    batch_size: int,
    centre: str | None,
) -> tuple[SweepReport, SweepCursor | None]:
    report = SweepReport(now=now)
    shape = (centre is not None, cursor is not None)
    params: dict[str, object] = {"now": now}
    if centre is not None:
        params["centre"] = centre
    if cursor is not None:
        params["after_due"], params["after_id"] = cursor
    postgres = engine.dialect.name == "postgresql"
    # Most sweeps find nothing (the clock fires hourly per centre). On SQLite a plain
    # read looks first, so that finding nothing takes no write lock (BEGIN IMMEDIATE)
    # and no unit of work; what is due is read again, and claimed, by the writer
    # below: another writer may have changed it in between. On PostgreSQL the claim
    # itself is the look (it locks only what it finds), and a look of its own cost
    # a connection, its ping and a ROLLBACK, on which psycopg drops every statement
    # it had prepared on that connection.
    if not postgres:
        with engine.connect() as connection:
            if connection.execute(_due(*shape, 1, False), params).first() is None:
                return report, None
    with UnitOfWork(engine) as uow:
        # Core on the session's connection: Session.execute adds the ORM's dispatch.
        due = uow.session.connection().execute(_due(*shape, batch_size, postgres), params).all()
        if not due:
            uow.commit()  # nothing was changed; a COMMIT keeps prepared statements
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
    with quiet_collector():
        while True:
            batch, cursor = sweep_batch(
                now, cursor, engine=engine, rulebook=rulebook, batch_size=batch_size, centre=centre
            )
            report.absorb(batch)
            if cursor is None:
                return report
