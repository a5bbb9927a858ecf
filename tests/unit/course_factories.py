"""Courses driven through the state machine with the real guideline data, an
honest planner (g/kg x weight split evenly over the indication's default days)
and the main centre's German holiday calendar."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from ivig_workflow import settings
from ivig_workflow.domain.centre import Centre
from ivig_workflow.domain.course.decision import Decision
from ivig_workflow.domain.course.effects import Effect
from ivig_workflow.domain.course.events import WardEvent, parse_ward_event
from ivig_workflow.domain.course.model import Course, DoseOptions, Measurements, PlannedCycle
from ivig_workflow.domain.course.rules import CourseRules, CyclePlanner
from ivig_workflow.domain.course.start import CourseStart
from ivig_workflow.domain.course.transitions import decide, start_course, tick
from ivig_workflow.domain.guideline.model import Indication
from ivig_workflow.loading.centre_calendar import HolidayCalendar
from ivig_workflow.loading.guideline import load_guideline

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")
GUIDELINE = load_guideline(settings.REPO_ROOT / "config")
GUIDELINE_TEXT = " ".join(
    (settings.REPO_ROOT / "config/guideline/edf-eadv-ivig-dermatology.txt")
    .read_text(encoding="utf-8")
    .split()
)
MAIN = Centre(
    slug="main", name="Main", time_zone="Europe/Berlin", country="DE", subdivision="BE", chairs=8
)


def assert_quoted(quote: str) -> None:
    assert " ".join(quote.split()) in GUIDELINE_TEXT, f"not in the guideline: {quote!r}"


def honest_planner(indication: Indication) -> CyclePlanner:
    def plan(
        measurements: Measurements, dose_options: DoseOptions, cycle_number: int
    ) -> PlannedCycle:
        days = dose_options.days or indication.days.default
        total = round(indication.dose.g_per_kg * measurements.weight_kg, 1)
        per_day = round(total / days, 2)
        return PlannedCycle(
            days=days,
            day_doses_g=(per_day,) * days,
            total_g=total,
            product=dose_options.product or "privigen",
            day_vials=tuple({10.0: math.ceil(per_day / 10)} for _ in range(days)),
            chair_minutes=(60 + math.ceil(per_day * 3),) * days,
        )

    return plan


def rules_for(slug: str, **overrides: Any) -> CourseRules:
    indication = GUIDELINE.indication(slug)
    return CourseRules(
        indication=indication,
        calendar=HolidayCalendar(MAIN),
        time_zone=BERLIN,
        plan_cycle=honest_planner(indication),
        **overrides,
    )


def local(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=BERLIN)


def course_start(start_date: date, weight_kg: float = 70.0, **options: Any) -> CourseStart:
    return CourseStart(
        course_id="c-1",
        patient_ref="P-0001",
        centre="main",
        guideline_version=GUIDELINE.version,
        measurements=Measurements(weight_kg=weight_kg, measured_at=local(start_date, 8)),
        dose_options=DoseOptions(**options),
        start_date=start_date,
    )


@dataclass
class Ward:
    """Drives one course as a ward and a sweep would, keeping every decision."""

    rules: CourseRules
    course: Course
    decisions: list[Decision] = field(default_factory=list)
    counter: int = 0

    @classmethod
    def start(
        cls, slug: str, start_date: date, *, opened: datetime | None = None, **kw: Any
    ) -> Ward:
        rules = rules_for(slug)
        opened = opened or local(start_date, 7)
        decision = start_course(course_start(start_date, **kw), opened, rules=rules)
        return cls(rules, decision.course, [decision])

    def _keep(self, decision: Decision) -> Decision:
        self.decisions.append(decision)
        self.course = decision.course
        return decision

    def tick(self, now: datetime) -> Decision:
        return self._keep(tick(self.course, now, rules=self.rules))

    def send(
        self,
        type_: str,
        at: datetime,
        key: str | None = None,
        actor: str | None = None,
        **data: Any,
    ) -> Decision:
        self.counter += 1
        event = ward_event(type_, at, key or f"k-{self.counter}", actor=actor, **data)
        return self._keep(decide(self.course, event, at, rules=self.rules))

    def give_cycle(self, order: tuple[int, ...] | None = None) -> list[Decision]:
        """Release the pending cycle, then give every day on its planned date."""
        pending = [c for c in self.course.cycles if c.status in ("planned", "released")]
        assert pending, f"no cycle to give in state {self.course.state}"
        cycle = pending[0]
        self.tick(local(cycle.planned_start, 6))
        days = order or tuple(range(1, len(cycle.planned_days) + 1))
        return [
            self.send(
                "infusion.administered",
                local(cycle.planned_days[day - 1]),
                cycle=cycle.number,
                day=day,
                dose_g=cycle.day_doses_g[day - 1],
                product="privigen",
                lot_numbers=[f"LOT-{cycle.number}-{day}"],
            )
            for day in days
        ]

    @property
    def effects(self) -> list[Effect]:
        return [effect for decision in self.decisions for effect in decision.effects]

    @property
    def states(self) -> list[str]:
        return [t.to_state.value for d in self.decisions for t in d.transitions]


def ward_event(
    type_: str,
    at: datetime,
    key: str,
    course_id: str = "c-1",
    actor: str | None = None,
    **data: Any,
) -> WardEvent:
    raw = {"type": type_, "course_id": course_id, "key": key, "occurred_at": at, "data": data}
    if actor is not None:
        raw["actor"] = actor
    return parse_ward_event(raw)
