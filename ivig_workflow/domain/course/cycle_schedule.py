"""Cycle dates and doses: when the next cycle falls and what it gives.

The next cycle is due on day 1 of the previous cycle plus the current interval;
its days are consecutive open calendar days of the centre, the start moved within
a window to fit (`cycle_placement`); its dose is planned from the
latest measurements, so a cycle not yet released is re-planned when they change.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ivig_workflow.domain.course.cycle_placement import latest_start, place_days
from ivig_workflow.domain.course.model import RELEASING_STATES, Course, CourseState, Cycle
from ivig_workflow.domain.course.release_hold import held_for_confirmation
from ivig_workflow.domain.course.rules import CourseRules


def planned_cycle(
    course: Course, rules: CourseRules, start: date, earliest: date | None = None
) -> Cycle:
    """A new cycle of the course's current series, placed near `start` and never
    before `earliest` (by default `start` itself: a date asked for is not brought
    forward)."""
    number = len(course.cycles) + 1
    plan = rules.plan_cycle(course.measurements, course.dose_options, number)
    placed = place_days(
        start, plan.days, rules, earliest=earliest or start, latest=latest_start(course, rules)
    )
    return Cycle(
        number=number,
        series=course.series,
        number_in_series=course.cycles_in_series_completed + 1,
        planned_start=placed.start,
        planned_days=placed.days,
        plan=plan,
    )


def due_after_last(course: Course, not_before: date) -> date:
    """Day 1 of the last completed cycle as planned plus the interval, never in the
    past: a cycle given early or late does not move the ones after it (issue 11)."""
    last = course.last_completed_cycle
    if last is None:
        return not_before
    due = last.planned_start + timedelta(weeks=course.interval_weeks)
    return max(due, not_before)


def plan_next(course: Course, rules: CourseRules, not_before: date) -> Course:
    due = due_after_last(course, not_before)
    return course.with_cycle(planned_cycle(course, rules, due, earliest=not_before))


def pending(course: Course) -> Cycle | None:
    """The next cycle if no infusion of it has been given yet."""
    for cycle in course.cycles:
        if cycle.status in ("planned", "released") and not cycle.started:
            return cycle
    return None


def redate(
    course: Course, rules: CourseRules, cycle: Cycle, start: date, earliest: date | None = None
) -> Course:
    """Move a cycle not yet started; a released one must be released again."""
    if start == cycle.planned_start:
        return course
    placed = place_days(
        start,
        cycle.plan.days,
        rules,
        earliest=earliest or start,
        latest=latest_start(course, rules),
    )
    if placed.start == cycle.planned_start and placed.days == cycle.planned_days:
        return course
    moved = cycle.model_copy(
        update={
            "planned_start": placed.start,
            "planned_days": placed.days,
            "status": "planned",
            "released_at": None,
            "escalated_at": None,
            "release_held_at": None,
            # The course chose new dates itself: the chair scheduler's window follows them.
            "target_start": None,
        }
    )
    return course.replace_cycle(moved)


def replan_doses(course: Course, rules: CourseRules) -> Course:
    """Re-plan every cycle not yet released from the latest measurements."""
    for cycle in course.cycles:
        if cycle.status != "planned":
            continue
        plan = rules.plan_cycle(course.measurements, course.dose_options, cycle.number)
        # A restart at the lowest rate after a product switch outlives a new weight.
        plan = plan.model_copy(update={"lowest_rate_days": cycle.plan.lowest_rate_days})
        start, days = cycle.planned_start, cycle.planned_days
        if plan.days != len(days):  # more days (renal impairment) may need another start
            placed = place_days(
                start, plan.days, rules, earliest=start, latest=latest_start(course, rules)
            )
            start, days = placed.start, placed.days
        target = cycle.target_start if start == cycle.planned_start else None
        course = course.replace_cycle(
            cycle.model_copy(
                update={
                    "plan": plan,
                    "planned_start": start,
                    "planned_days": days,
                    "target_start": target,
                }
            )
        )
    return course


def skip_pending(course: Course) -> Course:
    """A course that ends gives no further days: its open cycles are skipped (a
    cycle cut short keeps the days that were given)."""
    for cycle in course.cycles:
        if cycle.status in ("planned", "released", "in_progress"):
            course = course.replace_cycle(cycle.model_copy(update={"status": "skipped"}))
    return course


def next_due_at(course: Course, rules: CourseRules) -> datetime | None:
    """The earliest instant at which the sweep has something to do."""
    instants: list[datetime] = []
    if course.state in RELEASING_STATES:
        for cycle in course.cycles:
            # A cycle held for a physician's confirmation waits for an event, not a time.
            if cycle.status == "planned" and not held_for_confirmation(course, cycle, rules):
                instants.append(rules.release_at(cycle.planned_start))
            elif cycle.status == "released" and cycle.escalated_at is None:
                instants.append(rules.overdue_at(cycle.planned_start))
    if course.state == CourseState.WASHOUT and course.next_relapse_check_at is not None:
        instants.append(course.next_relapse_check_at)
    return min(instants, default=None)
