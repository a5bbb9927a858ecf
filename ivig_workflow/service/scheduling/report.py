"""What a re-plan answers: the report, the moved cycles for the course's own step,
and the work item a cycle with no chair raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from ivig_workflow.domain.course.effects import Role, WorkItem, effect_key
from ivig_workflow.scheduling import Plan
from ivig_workflow.service.rulebook import Rulebook
from ivig_workflow.service.scheduling.demand import CycleNeed


@dataclass(frozen=True)
class Moved:
    """A cycle the scheduler placed away from its planned start: what the course's
    `cycle.rescheduled` step needs (the reason and the window it respects).
    `target` is where the course planned it before any move; the window is around it."""

    course_id: str
    cycle: int
    planned_start: date
    new_start: date
    new_days: tuple[date, ...]
    earliest: date
    latest: date
    reason: str
    citation: str
    target: date | None = None  # None: the planned start

    @property
    def rule(self) -> str:
        return "chairs.level_load"


@dataclass
class ScheduleReport:
    centre: str
    first: date
    last: date
    bookings: int = 0
    moved: list[Moved] = field(default_factory=list)
    unplaced: list[dict[str, Any]] = field(default_factory=list)
    utilisation: float = 0.0
    solver: str = "empty"
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "centre": self.centre,
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "bookings": self.bookings,
            "moved": [
                {
                    "course_id": m.course_id,
                    "cycle": m.cycle,
                    "planned_start": m.planned_start.isoformat(),
                    "new_start": m.new_start.isoformat(),
                    "days": [day.isoformat() for day in m.new_days],
                    "target": (m.target or m.planned_start).isoformat(),
                    "reason": m.reason,
                }
                for m in self.moved
            ],
            "unplaced": self.unplaced,
            "utilisation": self.utilisation,
            "solver": self.solver,
            "seconds": round(self.seconds, 3),
        }


def moved_cycles(
    plan: Plan, needs: dict[str, CycleNeed], frozen: set[str], rulebook: Rulebook
) -> list[Moved]:
    moved = []
    for key, start in sorted(plan.starts.items()):
        need = needs[key]
        # Compared with where the course has the cycle now (not its target): a cycle
        # moved before and placed there again is not moved again.
        days = tuple(start + timedelta(days=n) for n in range(len(need.minutes)))
        if key in frozen or need.started or days == need.planned_days:
            continue
        interval = rulebook.guideline.indication(need.indication).interval.source
        moved.append(
            Moved(
                course_id=need.course_id,
                cycle=need.cycle,
                planned_start=need.planned_days[0],
                new_start=start,
                new_days=days,
                earliest=need.earliest,
                latest=need.latest,
                reason=(
                    f"chairs: {(start - need.target).days:+d} days from its target "
                    f"{need.target} to level the centre's load within "
                    f"{need.earliest}..{need.latest}"
                ),
                citation=interval.cite(),
                target=need.target,
            )
        )
    return moved


def unplaced_item(
    need: CycleNeed, reason: str, rulebook: Rulebook, zone: Any, now: datetime
) -> WorkItem:
    interval = rulebook.guideline.indication(need.indication).interval
    return WorkItem(
        key=effect_key(need.course_id, "cycle", need.cycle, "chairs-unplaced", need.target),
        course_id=need.course_id,
        role=Role.SCHEDULER,
        kind="book_chairs",
        title=f"Book chairs by hand for cycle {need.cycle}: the scheduler found none ({reason})",
        due_at=datetime.combine(need.earliest, time(8), tzinfo=zone),
        data={
            "cycle": need.cycle,
            "target": need.target.isoformat(),
            "earliest": need.earliest.isoformat(),
            "latest": need.latest.isoformat(),
            "reason": reason,
        },
        rule="chairs.unplaced",
        citation=(
            f"{interval.source.cite()}; ivig-workflow policy: a cycle starts within "
            f"its window and never later than {interval.max_weeks} weeks after day 1 of "
            "the cycle before"
        ),
    )
