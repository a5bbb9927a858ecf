"""What a centre's chairs must hold: every open cycle in the horizon, with its window.

A cycle's target is its planned start, or where the course planned it before the
scheduler first moved it (`cycles.target_start`, so the window does not drift with
daily re-plans); it may move `window_days_before` earlier
and `window_days_after` later (centre policy), never before the horizon and never
later than day 1 of the cycle before plus the indication's maximum interval (the
guideline's `interval.max_weeks`). A started cycle keeps its days. Acute inpatient
indications (`days.every_day`: TEN, Kawasaki disease) are treated on the ward and
take no chair here. Only courses in a releasing state are scheduled: a course on
hold, in response review or in washout has no cycle to give until a person acts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from ivig_workflow.db.statuses import CycleStatus
from ivig_workflow.db.tables import CourseRow, CycleRow, InfusionDayRow
from ivig_workflow.domain.capacity import SchedulingPolicy
from ivig_workflow.domain.course.model import RELEASING_STATES
from ivig_workflow.domain.guideline.model import Guideline

OPEN_CYCLES = (CycleStatus.PLANNED, CycleStatus.RELEASED, CycleStatus.IN_PROGRESS)
# A cycle's days span at most a few weeks, so one that began before this cannot
# have a day left in the horizon.
_LONGEST_CYCLE = timedelta(days=21)


@dataclass(frozen=True)
class CycleNeed:
    """One open cycle to book, and the window the guideline and the centre allow."""

    course_id: str
    cycle: int
    indication: str
    status: str
    planned_days: tuple[date, ...]
    minutes: tuple[int, ...]
    target: date
    earliest: date
    latest: date
    started: bool
    max_weeks: int
    previous_day1: date | None

    @property
    def key(self) -> str:
        return f"{self.course_id}:{self.cycle}"


def read_needs(
    session: Session,
    guideline: Guideline,
    policy: SchedulingPolicy,
    centre: str,
    first: date,
    last: date,
) -> list[CycleNeed]:
    rows = session.execute(
        select(CycleRow, col(CourseRow.indication))
        .join(CourseRow, col(CourseRow.id) == col(CycleRow.course_id))
        .where(col(CourseRow.centre_slug) == centre)
        .where(col(CourseRow.state).in_(RELEASING_STATES))
        .where(col(CycleRow.status).in_(OPEN_CYCLES))
        .where(col(CycleRow.planned_start) >= first - _LONGEST_CYCLE)
        .where(col(CycleRow.planned_start) <= last)
        .order_by(col(CycleRow.course_id), col(CycleRow.number))
    ).all()
    wanted = [
        (cycle, indication)
        for cycle, indication in rows
        if not guideline.indication(indication).days.every_day
        and any(date.fromisoformat(day) >= first for day in cycle.planned_days)
    ]
    day1 = _previous_day1(session, [(c.course_id, c.number - 1) for c, _ in wanted if c.number > 1])
    given = _days_given(session, [c.id for c, _ in wanted if c.id is not None])
    needs = []
    for cycle, indication in wanted:
        chosen = guideline.indication(indication)
        # A day already given sits on the date it was given (an early day needs no
        # chair on its planned date any more; a day given before today needs none).
        done = given.get(cycle.id, {}) if cycle.id is not None else {}
        days = tuple(
            done.get(n, date.fromisoformat(day)) for n, day in enumerate(cycle.planned_days, 1)
        )
        minutes = tuple(int(m) for m in cycle.plan.get("chair_minutes", ()))
        if len(minutes) != len(days):
            minutes = (minutes or (240,))[:1] * len(days)  # an old plan without chair time
        target = cycle.target_start or cycle.planned_start
        previous = day1.get((cycle.course_id, cycle.number - 1))
        latest = target + timedelta(days=policy.window_days_after)
        if previous is not None:
            latest = min(latest, previous + timedelta(weeks=chosen.interval.max_weeks))
        needs.append(
            CycleNeed(
                course_id=cycle.course_id,
                cycle=cycle.number,
                indication=indication,
                status=cycle.status.value,
                planned_days=days,
                minutes=minutes,
                target=target,
                earliest=max(target - timedelta(days=policy.window_days_before), first),
                latest=latest,
                started=cycle.status == CycleStatus.IN_PROGRESS or bool(given.get(cycle.id)),
                max_weeks=chosen.interval.max_weeks,
                previous_day1=previous,
            )
        )
    return needs


def _previous_day1(session: Session, keys: list[tuple[str, int]]) -> dict[tuple[str, int], date]:
    """Day 1 of each previous cycle as given, else as planned (the interval counts from it)."""
    if not keys:
        return {}
    courses = sorted({course for course, _ in keys})
    found: dict[tuple[str, int], date] = {}
    cycles = session.execute(
        select(
            col(CycleRow.id),
            col(CycleRow.course_id),
            col(CycleRow.number),
            col(CycleRow.planned_days),
        ).where(col(CycleRow.course_id).in_(courses))
    ).all()
    wanted = set(keys)
    by_id = {}
    for cycle_id, course, number, planned in cycles:
        if (course, number) in wanted and planned:
            found[(course, number)] = date.fromisoformat(planned[0])
            by_id[cycle_id] = (course, number)
    if by_id:
        for cycle_id, given in session.execute(
            select(col(InfusionDayRow.cycle_id), col(InfusionDayRow.date))
            .where(col(InfusionDayRow.cycle_id).in_(list(by_id)))
            .where(col(InfusionDayRow.day) == 1)
        ).all():
            found[by_id[cycle_id]] = given
    return found


def _days_given(session: Session, cycle_ids: list[int]) -> dict[int, dict[int, date]]:
    """The date each given day was given on, by cycle."""
    given: dict[int, dict[int, date]] = defaultdict(dict)
    if cycle_ids:
        for cycle_id, day, on in session.execute(
            select(
                col(InfusionDayRow.cycle_id), col(InfusionDayRow.day), col(InfusionDayRow.date)
            ).where(col(InfusionDayRow.cycle_id).in_(cycle_ids))
        ).all():
            given[cycle_id][day] = on
    return given
