"""Where an outpatient cycle's days fall: consecutive calendar days the centre is open.

The guideline asks for the dose "spread over 2-5 consecutive days" (dermatomyositis
item 6; vasculitis item 6: "over a period of 2-5 days"). A 5-day cycle that starts
on a Thursday would run Thu, Fri, Mon, Tue, Wed: not consecutive. So the start
moves, within the centre's window around its target date
(`outpatient_window` in config/course-policy.yaml), to the nearest date from which
every day is open; between two dates as near, the earlier wins, because a later
start stretches the interval towards the guideline's maximum while an earlier one
keeps it. The start never passes the interval's maximum after day 1 of the previous
cycle of the series (`interval.max_weeks`), nor comes before `earliest` (today, or
the date the physician asked for). Where no date fits, the cycle keeps its target
with the centre's next open days, and a work item asks the scheduler, who keeps
the chairs, to place it by hand.

Acute inpatient cycles (`days.every_day`: TEN, Kawasaki disease) run on calendar
days from the target: a ward does not pause an intensive-care patient for a weekend.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from ivig_workflow.domain.centre import consecutive_open_days
from ivig_workflow.domain.course.effects import WorkItem, effect_key
from ivig_workflow.domain.course.model import Course, Cycle
from ivig_workflow.domain.course.rules import CourseRules

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Placement:
    start: date
    days: tuple[date, ...]
    fits: bool  # every day open and consecutive on the calendar


def place_days(
    target: date, count: int, rules: CourseRules, *, earliest: date, latest: date | None
) -> Placement:
    """The cycle's start and days nearest `target` (see the module's docstring)."""
    if rules.indication.days.every_day:
        return Placement(target, tuple(target + offset * ONE_DAY for offset in range(count)), True)
    window = rules.policy.outpatient_window
    if latest is not None and latest < earliest:
        latest = None  # the maximum has passed already (a long hold): fit from today
    for offset in _nearest_first(window.days_earlier, window.days_later):
        start = target + offset * ONE_DAY
        if start < earliest or (latest is not None and start > latest):
            continue
        days = tuple(start + day * ONE_DAY for day in range(count))
        if all(rules.calendar.is_open(day) for day in days):
            return Placement(start, days, True)
    start = max(target, earliest)
    days = consecutive_open_days(start, count, rules.calendar)
    return Placement(start, days, consecutive(days))


def latest_start(course: Course, rules: CourseRules) -> date | None:
    """Day 1 of the series' previous cycle plus the interval's maximum."""
    last = course.last_completed_cycle
    if last is None or last.series != course.series:
        return None
    return last.first_day_given + timedelta(weeks=rules.indication.interval.max_weeks)


def consecutive(days: tuple[date, ...]) -> bool:
    return all(later - earlier == ONE_DAY for earlier, later in pairwise(days))


def placement_work(
    before: Course | None, after: Course, rules: CourseRules
) -> tuple[WorkItem, ...]:
    """A work item for every cycle newly planned or moved whose days are not
    consecutive calendar days: no date in the window fitted."""
    if rules.indication.days.every_day:
        return ()
    earlier = {cycle.number: cycle for cycle in before.cycles} if before is not None else {}
    items = []
    for cycle in after.cycles:
        if cycle.status != "planned" or consecutive(cycle.planned_days):
            continue
        old = earlier.get(cycle.number)
        if old is not None and old.planned_days == cycle.planned_days:
            continue
        items.append(_place_by_hand(after, cycle, rules))
    return tuple(items)


def _place_by_hand(course: Course, cycle: Cycle, rules: CourseRules) -> WorkItem:
    window = rules.policy.outpatient_window
    days = [day.isoformat() for day in cycle.planned_days]
    return WorkItem(
        key=effect_key(
            course.course_id,
            f"cycle-{cycle.number}",
            cycle.planned_start.isoformat(),
            "place_cycle",
        ),
        course_id=course.course_id,
        role="scheduler",
        kind="place_cycle",
        title=(
            f"Place cycle {cycle.number} of course {course.course_id}: no {len(days)} "
            f"consecutive open days within {window.days_earlier} days before or "
            f"{window.days_later} after {cycle.planned_start.isoformat()}"
        ),
        due_at=rules.release_at(cycle.planned_start),
        data={"cycle": cycle.number, "target": cycle.planned_start.isoformat(), "days": days},
        rule="cycle.consecutive_days",
        citation=rules.cite("days", "consecutive days"),
    )


def _nearest_first(before: int, after: int) -> Iterator[int]:
    """0, -1, +1, -2, +2, ...: nearer first, and of two as near the earlier."""
    yield 0
    for distance in range(1, max(before, after) + 1):
        if distance <= before:
            yield -distance
        if distance <= after:
            yield distance
