"""Relapse: a new series after washout, or a course reopened after completion.

"In the event of recurrences, treatment can be resumed at any time." A new series
starts at the initial interval, its first cycle planned from the relapse date.
"""

from __future__ import annotations

from ivig_workflow.domain.course.cycle_schedule import planned_cycle
from ivig_workflow.domain.course.decision import Outcome, Refusal, Step
from ivig_workflow.domain.course.effects import Notification, effect_key
from ivig_workflow.domain.course.events import RelapseReported
from ivig_workflow.domain.course.model import Course, CourseState
from ivig_workflow.domain.course.rules import CourseRules

S = CourseState


def on_relapse(course: Course, event: RelapseReported, rules: CourseRules) -> Outcome | Refusal:
    state = course.state
    if state == S.COMPLETED and not rules.indication.long_term.resume_on_relapse:
        return Refusal(
            f"{rules.indication.slug} is not resumed after completion; start a new course",
            "relapse.resume_on_relapse",
        )
    guard = "relapse" if state == S.WASHOUT else "resume_on_relapse"
    course = course.model_copy(
        update={
            "state": S.ACTIVE,
            "series": course.series + 1,
            "cycles_in_series_completed": 0,
            "interval_weeks": rules.indication.interval.initial_weeks,
            "next_relapse_check_at": None,
        }
    )
    first = planned_cycle(course, rules, rules.local_date(event.occurred_at))
    course = course.with_cycle(first)
    notice = Notification(
        key=effect_key(course.course_id, f"series-{course.series}", "relapse"),
        course_id=course.course_id,
        role="physician",
        subject=f"Course {course.course_id}: relapse, series {course.series} planned",
        body=f"Cycle {first.number} planned from {first.planned_start.isoformat()}.",
        data={"series": course.series, "cycle": first.number},
        rule="relapse.new_series",
        citation=rules.cite("long_term", "resume treatment on relapse"),
    )
    return Outcome(course, (Step(state, guard, S.ACTIVE),), (notice,))
