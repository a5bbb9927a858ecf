"""Chairs follow the course: what a step does to the days booked for it.

A booked chair day is a promise the centre keeps for a cycle. When a step means the
days will not happen as booked (the course is held, ended, enters washout, response
review or a long-term decision; a cycle is skipped; its dates, day count or chair
time are planned anew; a day is given earlier than it was booked), the step says
so as a `ChairsChanged` effect, and the persistence side frees those bookings in
the same transaction. A step that plans new chair days (a new course or cycle, a
resume) says the centre needs chairs. Either way the centre is marked for a re-plan,
which books the new shape. Found by comparing the course before and after the
step, like `placement_work`, so every handler is covered without knowing of chairs.

Acute inpatient indications (`days.every_day`) take no chair and emit nothing. A
move the chair planner made itself (`cycle.rescheduled`) already holds its new
bookings: freeing them would undo the plan, so that step emits nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ivig_workflow.domain.course.chair_effect import ChairsChanged, FreedDays
from ivig_workflow.domain.course.effects import effect_key
from ivig_workflow.domain.course.model import RELEASING_STATES, Course, Cycle
from ivig_workflow.domain.course.rules import CourseRules

OPEN = ("planned", "released", "in_progress")
# The chair planner's own moves: their bookings are written with the step.
PLANNER_STEPS = frozenset({"cycle.rescheduled"})
ONE_DAY = timedelta(days=1)


def chair_changes(
    before: Course | None,
    after: Course,
    trigger: str,
    at: datetime,
    rules: CourseRules,
    event_key: str | None = None,
) -> tuple[ChairsChanged, ...]:
    """What the step from `before` to `after` (at `at`, on the event keyed
    `event_key` if any) does to booked chair days."""
    if rules.indication.days.every_day or trigger in PLANNER_STEPS:
        return ()
    today = rules.local_date(at)
    earlier = {c.number: c for c in before.cycles} if before is not None else {}
    was_live = before is None or before.state in RELEASING_STATES
    live = after.state in RELEASING_STATES
    if not was_live and not live:
        return ()  # its chairs were given back when it stopped; none are asked for
    freed: list[FreedDays] = []
    needed: list[date] = []
    reasons: list[str] = []
    for cycle in after.cycles:
        old = earlier.get(cycle.number)
        if old is not None and old.status in OPEN:
            stopped = (was_live and not live) or cycle.status == "skipped"
            # A cycle the step did not touch is handed on as the same object: nothing
            # of it was reshaped, given or ended (only what stopped the course frees it).
            same = old is cycle
            if stopped or (not same and _reshaped(old, cycle)):
                freed.append(FreedDays(cycle=cycle.number, from_day=_after_given(cycle, today)))
                reasons.append(
                    f"cycle {cycle.number}: "
                    + (f"course {after.state.value}" if stopped else "planned anew")
                )
                if not stopped and live:
                    needed.append(cycle.planned_days[0])
                continue
            if not same:
                freed.extend(_given_early(old, cycle))
                if cycle.status == "completed" and _ended_early(cycle):
                    freed.append(FreedDays(cycle=cycle.number, from_day=_after_given(cycle, today)))
        if live and cycle.status in OPEN and (old is None or not was_live):
            needed.append(cycle.planned_days[0])
            reasons.append(f"cycle {cycle.number}: needs chairs")
    if not freed and not needed:
        return ()
    return (
        ChairsChanged(
            # One per decision: an event's own key, else the instant of the tick or start.
            key=effect_key(after.course_id, "chairs", trigger, event_key or at.isoformat()),
            course_id=after.course_id,
            centre=after.centre,
            freed=tuple(freed),
            needed_from=min([today, *needed]) if freed else min(needed),
            why="; ".join(reasons) or "days given earlier than booked",
        ),
    )


def _reshaped(old: Cycle, new: Cycle) -> bool:
    """New dates, another day count or other chair time: the bookings no longer fit."""
    return old.planned_days != new.planned_days or old.plan.chair_minutes != new.plan.chair_minutes


def _after_given(cycle: Cycle, today: date) -> date:
    """The first day whose booking is still to come: today, or after the last day given."""
    return max([today, *(infusion.date + ONE_DAY for infusion in cycle.infusions)])


def _ended_early(cycle: Cycle) -> bool:
    """Every day given, the last before the last day booked: the rest stay empty."""
    return max(infusion.date for infusion in cycle.infusions) < cycle.planned_days[-1]


def _given_early(old: Cycle, new: Cycle) -> list[FreedDays]:
    """A day recorded before the date it was booked for leaves that booking empty."""
    recorded = old.recorded_days
    return [
        FreedDays(cycle=new.number, from_day=infusion.date + ONE_DAY, days=(infusion.day,))
        for infusion in new.infusions
        if infusion.day not in recorded
        and infusion.day <= len(new.planned_days)
        and new.planned_days[infusion.day - 1] > infusion.date
    ]
