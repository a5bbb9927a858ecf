"""Chair capacity over the database while courses stop and start (issue 13): random
holds, resumes, discontinuations, sweeps and re-plans (marked ones and the daily
one, CP-SAT or the greedy fallback) of a small centre's courses, with an injected
clock. After every step: no chair holds two patients at once, opening hours and
turnover are kept, and a course on hold or ended holds no chair from today on.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import Engine, select
from sqlmodel import SQLModel, col

from ivig_workflow.db.tables import BookingRow, CourseRow
from ivig_workflow.service.scheduling.plan import plan_centre
from ivig_workflow.service.scheduling.replans import replan_marked
from ivig_workflow.service.sweep import sweep_due
from ivig_workflow.service.unit_of_work import reading
from ivig_workflow.service.ward_events import receive_event
from tests.integration.test_chair_bookings import NOW, RULEBOOK, assert_capacity_kept, enrol

CENTRE = "london"  # six chairs: a few courses fill a day
STOPPED = ("on_hold", "discontinued", "completed")


def _machine(engine: Engine) -> type[RuleBasedStateMachine]:
    class Chairs(RuleBasedStateMachine):
        courses: list[str]
        now: datetime
        sent: int

        @initialize(count=st.integers(4, 14), spread=st.integers(1, 6))
        def open_courses(self, count: int, spread: int) -> None:
            # Each example starts from an empty database (by hand here; the machine's
            # own steps all go through the service). Rows an earlier example left (its
            # courses, cycles, work items, effects) would make an example's outcome
            # depend on the ones before it, which hypothesis cannot replay or shrink.
            with engine.begin() as connection:
                for table in reversed(SQLModel.metadata.sorted_tables):
                    connection.execute(table.delete())
            self.courses = enrol(engine, count, centre=CENTRE, spread=spread)
            self.now = NOW
            self.sent = 0

        def _send(self, kind: str, index: int, data: dict[str, object] | None) -> None:
            self.now += timedelta(minutes=7)
            self.sent += 1
            course_id = self.courses[index % len(self.courses)]
            event = {
                "type": kind,
                "course_id": course_id,
                "key": f"{course_id}:{self.sent}",
                "occurred_at": self.now.isoformat(),
                **({"data": data} if data is not None else {}),
            }
            answer = receive_event(event, engine=engine, rulebook=RULEBOOK, now=self.now)
            assert answer.status in ("applied", "refused"), answer

        @rule(index=st.integers(0, 20))
        def hold(self, index: int) -> None:
            self._send("course.held", index, {"reason": "infection"})

        @rule(index=st.integers(0, 20))
        def resume(self, index: int) -> None:
            self._send("course.resumed", index, None)

        @rule(index=st.integers(0, 20))
        def discontinue(self, index: int) -> None:
            self._send("course.discontinued", index, {"reason": "no response"})

        @rule(hours=st.integers(1, 72))
        def sweep(self, hours: int) -> None:
            self.now += timedelta(hours=hours)
            sweep_due(self.now, engine=engine, rulebook=RULEBOOK, centre=CENTRE)

        @rule(minutes=st.integers(0, 30))
        def replan_marked_centres(self, minutes: int) -> None:
            self.now += timedelta(minutes=minutes)
            replan_marked(engine, RULEBOOK, self.now, CENTRE)

        @rule(fallback=st.booleans())
        def daily_replan(self, fallback: bool) -> None:
            plan_centre(engine, RULEBOOK, CENTRE, now=self.now, weeks=3, force_fallback=fallback)

        def _today(self) -> date:
            return self.now.astimezone(RULEBOOK.centres.centre(CENTRE).zone).date()

        @invariant()
        def no_chair_holds_two_patients(self) -> None:
            with reading(engine) as session:
                rows = session.scalars(
                    select(BookingRow)
                    .where(col(BookingRow.centre_slug) == CENTRE)
                    .where(col(BookingRow.status) == "booked")
                    .order_by(
                        col(BookingRow.date), col(BookingRow.chair), col(BookingRow.start_time)
                    )
                ).all()
            assert_capacity_kept(list(rows), CENTRE)

        @invariant()
        def a_stopped_course_holds_no_chair_from_today(self) -> None:
            with reading(engine) as session:
                held = session.execute(
                    select(col(BookingRow.course_id), col(CourseRow.state))
                    .join(CourseRow, col(CourseRow.id) == col(BookingRow.course_id))
                    .where(col(BookingRow.status) == "booked")
                    .where(col(BookingRow.date) >= self._today())
                    .where(col(CourseRow.state).in_(STOPPED))
                ).all()
            assert held == []

    return Chairs


def test_capacity_holds_while_courses_stop_start_and_are_replanned(engine: Engine) -> None:
    machine = _machine(engine)
    machine.TestCase.settings = settings(
        max_examples=8 if engine.dialect.name == "sqlite" else 3,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    machine.TestCase().runTest()
