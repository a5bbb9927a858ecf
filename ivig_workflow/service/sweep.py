"""The sweep at `now`: every course whose next due instant has come, in batches.

Each batch is one transaction: its courses are claimed (`sweep_claims`: off the
`next_due_at` index, so the cost follows what is due; on PostgreSQL with `FOR UPDATE
SKIP LOCKED`, so several workers split one sweep and never tick a course twice),
loaded, ticked and written. A sweep may be limited to one centre: the clock fires
one per centre, each in the centre's own run.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Engine

from ivig_workflow.domain.course.transitions import tick
from ivig_workflow.domain.errors import InputError
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.sweep_claims import SweepCursor, anything_due, claim
from ivig_workflow.service.sweep_collector import quiet_collector
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

    def absorb(self, other: SweepReport) -> None:
        """Add `other` to this report in place: a long sweep copies no lists per batch."""
        self.batches += other.batches
        self.examined += other.examined
        self.actions.extend(other.actions)
        self.errors.extend(other.errors)


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
    # Most sweeps find nothing (the clock fires hourly per centre). On SQLite a plain
    # read looks first, so that finding nothing takes no write lock (BEGIN IMMEDIATE)
    # and no unit of work; what is due is read again, and claimed, by the writer
    # below: another writer may have changed it in between. On PostgreSQL the claim
    # itself is the look (it locks only what it finds), and a look of its own cost
    # a connection, its ping and a ROLLBACK, on which psycopg drops every statement
    # it had prepared on that connection.
    if engine.dialect.name != "postgresql":
        with engine.connect() as connection:
            if not anything_due(connection, now, cursor, centre):
                return report, None
    with UnitOfWork(engine) as uow:
        # Core on the unit of work's connection: no ORM session is made for a sweep
        # batch (its set-up, commit and close cost for nothing: every write is Core).
        due, asked = claim(uow.connection, now, cursor, centre, batch_size)
        if not due:
            uow.commit()  # nothing was changed; a COMMIT keeps prepared statements
            return report, None
        report.batches = 1
        # The claim locked these rows (PostgreSQL): the load does not lock them again.
        for course in uow.courses.load_many([course_id for course_id, _ in due], claimed=True):
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
                    SweepAction.model_construct(  # our own values, already typed
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
    following = (due[-1][1], due[-1][0]) if len(due) == asked else None
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
