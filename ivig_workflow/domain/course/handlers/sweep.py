"""The sweep at a given `now`: release due cycles, raise overdue ones once, and
schedule relapse checks in washout. Running it twice at the same `now` finds
nothing left to do, because every action moves the course past its due instant.

What the sweep records carries the instant the step fell due, never the sweep's
own `now`: a course caught up at 09:06 or by a ward event at 09:02 (`decide`
catches up first) is the same course, so its history does not depend on when the
clock happened to fire. For the same reason every relapse check that fell due is
raised, each under its own date, rather than collapsing missed ones by sweep time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ivig_workflow.domain.course.decision import Outcome, Step
from ivig_workflow.domain.course.effects import Effect, WorkItem, effect_key
from ivig_workflow.domain.course.handlers.release import overdue_effects, release_effects
from ivig_workflow.domain.course.model import RELEASING_STATES, Course, CourseState
from ivig_workflow.domain.course.release_hold import awaiting_confirmation, hold_effects
from ivig_workflow.domain.course.rules import CourseRules


def sweep(course: Course, now: datetime, rules: CourseRules) -> Outcome:
    steps: list[Step] = []
    effects: list[Effect] = []
    state = course.state
    if state in RELEASING_STATES:
        for stored in course.cycles:
            cycle = stored
            # The status first: a long course's given cycles need no release instant.
            if cycle.status == "planned" and now >= (
                release_at := rules.release_at(cycle.planned_start)
            ):
                # The latest eGFR is read again at every release. Both stamps carry the
                # instant the release fell due, never the sweep's clock (event time).
                if not awaiting_confirmation(course, cycle, rules):
                    cycle = cycle.model_copy(
                        update={"status": "released", "released_at": release_at}
                    )
                    effects.extend(release_effects(course, cycle, rules))
                    steps.append(Step(state, "cycle_due", state))
                elif cycle.release_held_at is None:
                    cycle = cycle.model_copy(update={"release_held_at": release_at})
                    effects.extend(hold_effects(course, cycle, rules))
                    steps.append(Step(state, "cycle_held", state))
            if (
                cycle.status == "released"
                and cycle.escalated_at is None
                and now >= rules.overdue_at(cycle.planned_start)
            ):
                cycle = cycle.model_copy(
                    update={"escalated_at": rules.overdue_at(cycle.planned_start)}
                )
                effects.extend(overdue_effects(course, cycle, rules))
                steps.append(Step(state, "cycle_overdue", state))
            if cycle is not stored:  # copying the course for an unchanged cycle is waste
                course = course.replace_cycle(cycle)
    due = course.next_relapse_check_at
    period = timedelta(weeks=rules.relapse_check_weeks)
    while state == CourseState.WASHOUT and due is not None and now >= due:
        effects.append(_assess_relapse(course, due, rules))
        course = course.model_copy(
            update={"last_relapse_check_at": due, "next_relapse_check_at": due + period}
        )
        steps.append(Step(state, "relapse_check_due", state))
        due = course.next_relapse_check_at
    return Outcome(course, tuple(steps), tuple(effects))


def _assess_relapse(course: Course, due: datetime, rules: CourseRules) -> WorkItem:
    day = rules.local_date(due)
    return WorkItem(
        key=effect_key(course.course_id, f"series-{course.series}", "assess_relapse", day),
        course_id=course.course_id,
        role="physician",
        kind="assess_relapse",
        title=f"Check course {course.course_id} for relapse during washout",
        due_at=due,
        data={"series": course.series, "check_date": day.isoformat()},
        rule="washout.relapse_check",
        citation=rules.cite("long_term", "relapse checks during washout"),
    )
