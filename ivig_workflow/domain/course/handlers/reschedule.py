"""The chair scheduler moves a cycle not yet begun: `cycle.rescheduled`.

The scheduler (`ivig schedule plan`) books every cycle day into a chair and may
move a cycle's start within a window around its target to level the centre's load.
The move is a step of the course, so the course, its bookings and the ward's
deviation checks all read the same dates, and replay rebuilds it. It is refused,
in words, unless:

- the cycle is planned or released and no day of it has been given (a cycle that
  has begun keeps the ward's dates);
- its days are consecutive calendar days, as many as the cycle has, every one a
  day the centre is open (the guideline's "2-5 consecutive days");
- the start lies inside the window the scheduler claims (earliest..latest around
  the target) and inside the course's own: at most `outpatient_window` days
  (config/course-policy.yaml) from the target, and never before the day of the step;
- the start is not later than day 1 of the series' previous cycle as given plus
  the guideline's maximum interval ("the interval can be increased gradually to a
  maximum of 6 weeks. Longer intervals between infusions are not recommended
  because of the half-life of IVIG"); this is checked here from the course itself,
  whatever window the scheduler sent.

What stays fixed (ivig-workflow policy):

- The cycle keeps its target (`Cycle.target_start`, the start the course planned
  before the first move), and the scheduler's window stays around it: re-planned
  every day, a cycle cannot walk away from its interval a few days at a time.
- The next cycle counts from the moved start, because the moved start is now the
  plan (issue 11: later cycles count from the plan, never from a day that departed
  from it). The interval between two cycles stays the prescribed one instead of
  shrinking after a late move; the maximum interval is still counted from the day
  actually given, so no move can stretch it.
- A released cycle goes back to planned: its release work items for the old dates
  are cancelled and the sweep releases it again at the new dates' release instant.
"""

from __future__ import annotations

from datetime import timedelta

from ivig_workflow.domain.course.cycle_placement import consecutive, latest_start
from ivig_workflow.domain.course.decision import Outcome, Refusal, Step
from ivig_workflow.domain.course.events import CycleRescheduled
from ivig_workflow.domain.course.handlers.reschedule_notices import move_effects
from ivig_workflow.domain.course.model import Course, Cycle, CycleStatus
from ivig_workflow.domain.course.rules import CourseRules

GUARD = "cycle_rescheduled"


def on_rescheduled(
    course: Course, event: CycleRescheduled, rules: CourseRules
) -> Outcome | Refusal:
    refusal = why_not(course, event, rules)
    if refusal is not None:
        return refusal
    data = event.data
    cycle = numbered(course, data.cycle)
    assert cycle is not None  # why_not refused an unknown cycle
    moved = cycle.model_copy(
        update={
            "planned_start": data.start,
            "planned_days": data.days,
            "target_start": cycle.target,
            "moves": cycle.moves + 1,
            "status": CycleStatus.PLANNED,
            "released_at": None,
            "escalated_at": None,
            "release_held_at": None,
        }
    )
    after = course.replace_cycle(moved)
    return Outcome(
        after,
        (Step(course.state, GUARD, course.state),),
        move_effects(after, cycle, event, rules),
        reason=data.reason,
    )


def numbered(course: Course | None, number: object) -> Cycle | None:
    if course is None:
        return None
    return next((cycle for cycle in course.cycles if cycle.number == number), None)


def why_not(course: Course, event: CycleRescheduled, rules: CourseRules) -> Refusal | None:
    """The rule a move breaks, in words; None when it may be applied."""
    data = event.data
    cycle = numbered(course, data.cycle)
    n = data.cycle
    if cycle is None:
        return Refusal(f"course {course.course_id} has no cycle {n}", "reschedule.unknown_cycle")
    if cycle.started or cycle.status not in (CycleStatus.PLANNED, CycleStatus.RELEASED):
        given = ", ".join(day.date.isoformat() for day in cycle.infusions) or "none"
        return Refusal(
            f"cycle {n} is {cycle.status} (days given: {given}); only a cycle not yet "
            "begun may be moved",
            "reschedule.cycle_begun",
        )
    if data.days == cycle.planned_days:
        return Refusal(
            f"cycle {n} already starts on {data.start} with these days", "reschedule.unchanged"
        )
    wrong_days = _wrong_days(cycle, event, rules)
    if wrong_days is not None:
        return Refusal(wrong_days, "reschedule.days")
    if data.target != cycle.target:
        return Refusal(
            f"the move counts from target {data.target}, but cycle {n}'s target is "
            f"{cycle.target}: the scheduler planned from stale dates",
            "reschedule.stale_target",
        )
    outside = _outside_window(cycle, event, rules)
    if outside is not None:
        return Refusal(outside, "reschedule.outside_window")
    maximum = latest_start(course, rules)
    if maximum is not None and data.start > maximum:
        interval = rules.indication.interval
        return Refusal(
            f"cycle {n} would start on {data.start}, after {maximum}: day 1 of the cycle "
            f"before as given plus the guideline's maximum interval of {interval.max_weeks} "
            f"weeks ({interval.source.cite()})",
            "reschedule.beyond_max_interval",
        )
    return None


def _wrong_days(cycle: Cycle, event: CycleRescheduled, rules: CourseRules) -> str | None:
    data, n = event.data, event.data.cycle
    if data.days[0] != data.start:
        return f"cycle {n}'s first day {data.days[0]} is not its start {data.start}"
    if len(data.days) != len(cycle.planned_days):
        return f"cycle {n} has {len(cycle.planned_days)} days; the move gives {len(data.days)}"
    if not consecutive(data.days):
        return (
            f"cycle {n}'s days {', '.join(d.isoformat() for d in data.days)} are not "
            f"consecutive calendar days ({rules.cite('days', 'consecutive days')})"
        )
    closed = [day for day in data.days if not rules.calendar.is_open(day)]
    if closed and not rules.indication.days.every_day:
        return (
            f"the centre is closed on {', '.join(d.isoformat() for d in closed)}: every day "
            f"of cycle {n} must be an open day"
        )
    return None


def _outside_window(cycle: Cycle, event: CycleRescheduled, rules: CourseRules) -> str | None:
    data, n = event.data, event.data.cycle
    if not data.earliest <= data.start <= data.latest:
        return (
            f"cycle {n} would start on {data.start}, outside the window "
            f"{data.earliest}..{data.latest} the move claims to respect"
        )
    window = rules.policy.outpatient_window
    lowest = cycle.target - timedelta(days=window.days_earlier)
    highest = cycle.target + timedelta(days=window.days_later)
    if not lowest <= data.start <= highest:
        return (
            f"cycle {n} would start on {data.start}, more than {window.days_earlier} days "
            f"before or {window.days_later} after its target {cycle.target} "
            "(config/course-policy.yaml: outpatient_window)"
        )
    today = rules.local_date(event.occurred_at)
    if data.start < today:
        return f"cycle {n} would start on {data.start}, before the day of the move ({today})"
    return None
