"""A ward and a clock, driving stored courses through the service layer.

Every step goes through `receive_event` and `sweep_due` exactly as the CLI and the
HTTP API do; the clock is injected, so a course of a year runs in a second.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select
from sqlmodel import SQLModel, col

from ivig_workflow import settings
from ivig_workflow.db.tables import TransitionLogRow
from ivig_workflow.domain.course.model import DoseOptions
from ivig_workflow.domain.course.table import TABLE
from ivig_workflow.service.courses import StartCourse, start_course
from ivig_workflow.service.replay import replay_course
from ivig_workflow.service.rulebook import Rulebook, load_rulebook
from ivig_workflow.service.sweep import SweepReport, sweep_due
from ivig_workflow.service.unit_of_work import reading
from ivig_workflow.service.views import course_view
from ivig_workflow.service.ward_events import EventAnswer, receive_event
from tests.integration.same_course import assert_same

RULEBOOK = load_rulebook()
GUIDELINE_TEXT = " ".join(
    (settings.REPO_ROOT / "config/guideline/edf-eadv-ivig-dermatology.txt")
    .read_text(encoding="utf-8")
    .split()
)
LEGAL = {(row.from_state, row.trigger, row.to_state, row.rule) for row in TABLE}


def assert_quoted(quote: str) -> None:
    assert " ".join(quote.split()) in GUIDELINE_TEXT, f"not in the guideline: {quote!r}"


def row_counts(engine: Engine) -> dict[str, int]:
    with reading(engine) as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in SQLModel.metadata.sorted_tables
        }


@dataclass
class Ward:
    engine: Engine
    course_id: str
    zone: ZoneInfo
    rulebook: Rulebook = RULEBOOK
    sent: int = 0

    @classmethod
    def start(
        cls,
        engine: Engine,
        indication: str,
        start_date: date = date(2026, 1, 12),
        *,
        patient_ref: str = "PSN-0001",
        weight_kg: float = 70.0,
        dose_options: DoseOptions | None = None,
        course_id: str | None = None,
    ) -> Ward:
        command = StartCourse(
            patient_ref=patient_ref,
            indication=indication,
            start_date=start_date,
            weight_kg=weight_kg,
            dose_options=dose_options or DoseOptions(),
            course_id=course_id,
        )
        opened_at = datetime.combine(start_date - timedelta(days=14), time(9), ZoneInfo("UTC"))
        course = start_course(command, engine=engine, rulebook=RULEBOOK, now=opened_at)
        zone = RULEBOOK.centres.centre(course.centre).zone
        return cls(engine=engine, course_id=course.course_id, zone=zone)

    @staticmethod
    def clock() -> datetime:
        """An instant for deliveries whose time does not matter."""
        return datetime(2026, 1, 12, 12, tzinfo=ZoneInfo("UTC"))

    def local(self, day: date | str, hour: int = 10) -> datetime:
        day = date.fromisoformat(day) if isinstance(day, str) else day
        return datetime.combine(day, time(hour), self.zone)

    def view(self) -> dict[str, Any]:
        found = course_view(self.engine, self.course_id)
        assert found is not None
        return found

    def tick(self, now: datetime) -> SweepReport:
        return sweep_due(now, engine=self.engine, rulebook=self.rulebook)

    def event(
        self,
        kind: str,
        data: dict[str, Any] | None,
        at: datetime,
        *,
        key: str | None = None,
        actor: str | None = None,
    ) -> dict[str, Any]:
        """The event as the ward sends it; a key of its own unless `key` is given."""
        self.sent += 1
        event: dict[str, Any] = {
            "type": kind,
            "course_id": self.course_id,
            "key": key or f"{self.course_id}:{self.sent}",
            "occurred_at": at.isoformat(),
        }
        if actor is not None:
            event["actor"] = actor
        if data is not None:
            event["data"] = data
        return event

    def infusion(
        self, cycle: dict[str, Any], day: int, at: datetime, *, key: str | None = None
    ) -> dict[str, Any]:
        """Day `day` of `cycle` (as the course view shows it) given at `at`, as planned."""
        data = {
            "cycle": cycle["number"],
            "day": day,
            "dose_g": cycle["doses_g"][day - 1],
            "product": cycle["product"],
            "lot_numbers": [f"LOT-{cycle['number']}-{day}"],
        }
        return self.event("infusion.administered", data, at, key=key)

    def send(
        self,
        kind: str,
        data: dict[str, Any] | None,
        at: datetime,
        *,
        key: str | None = None,
        actor: str | None = None,
    ) -> EventAnswer:
        event = self.event(kind, data, at, key=key, actor=actor)
        return receive_event(
            event, engine=self.engine, rulebook=self.rulebook, now=at + timedelta(minutes=5)
        )

    def cycle(
        self, status: Iterable[str] = ("planned", "released", "in_progress")
    ) -> dict[str, Any]:
        wanted = set(status)
        return next(c for c in self.view()["cycles"] if c["status"] in wanted)

    def release(self) -> dict[str, Any]:
        """Sweep on the morning the next planned cycle falls inside the lead time."""
        planned = self.cycle(("planned",))
        lead = date.fromisoformat(planned["planned_start"]) - timedelta(
            days=self.rulebook.release_lead_days
        )
        self.tick(self.local(lead, 6))
        released = self.cycle(("released",))
        assert released["number"] == planned["number"]
        return released

    def give(self, cycle: dict[str, Any], days: Iterable[int] | None = None) -> list[EventAnswer]:
        order = list(days) if days is not None else range(1, len(cycle["planned_dates"]) + 1)
        answers = []
        for day in order:
            at = self.local(cycle["planned_dates"][day - 1])
            answers.append(
                receive_event(
                    self.infusion(cycle, day, at),
                    engine=self.engine,
                    rulebook=self.rulebook,
                    now=at + timedelta(minutes=5),
                )
            )
        return answers

    def run_cycle(self, days: Iterable[int] | None = None) -> dict[str, Any]:
        answers = self.give(self.release(), days)
        assert [a.status for a in answers] == ["applied"] * len(answers), answers
        return self.view()

    def assert_consistent(self) -> None:
        """The log is gapless and legal, and replaying it rebuilds the stored course."""
        with reading(self.engine) as session:
            log = session.scalars(
                select(TransitionLogRow)
                .where(col(TransitionLogRow.course_id) == self.course_id)
                .order_by(col(TransitionLogRow.seq))
            ).all()
        assert [row.seq for row in log] == list(range(1, len(log) + 1))
        for row in log:
            assert (row.from_state, row.trigger, row.to_state, row.rule) in LEGAL, row
        replayed = replay_course(self.engine, self.course_id, rulebook=self.rulebook)
        assert replayed is not None
        assert replayed.matches, replayed.differences()
        # Every course written by the service has a snapshot, and it is its rows exactly.
        assert replayed.snapshot is not None
        assert_same(replayed.snapshot, replayed.stored)


def open_due_courses(engine: Engine, count: int, now: datetime) -> None:
    """`count` dermatomyositis courses whose first cycle is due for release at `now`."""
    for number in range(count):
        start_course(
            StartCourse(
                patient_ref=f"DEMO-{number:04d}",
                indication="dermatomyositis",
                start_date=date(2026, 1, 7),
                weight_kg=70,
            ),
            engine=engine,
            rulebook=RULEBOOK,
            now=now,
        )


def cycles_released_per_course(engine: Engine) -> dict[str, int]:
    """How many times the log says each course's cycle was released."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(col(TransitionLogRow.course_id), func.count())
            .where(col(TransitionLogRow.rule) == "cycle.released")
            .group_by(col(TransitionLogRow.course_id))
        ).all()
    return {course_id: count for course_id, count in rows}
