"""What the physician decides outside the guideline's timetable: hold, resume,
discontinue, complete. The software records who and why; it never decides these."""

from __future__ import annotations

from ivig_workflow.domain.course.cycle_schedule import pending, redate, skip_pending
from ivig_workflow.domain.course.decision import Outcome, Step
from ivig_workflow.domain.course.effects import Effect, Notification, effect_key
from ivig_workflow.domain.course.events import (
    CourseCompleted,
    CourseDiscontinued,
    CourseHeld,
    CourseResumed,
)
from ivig_workflow.domain.course.model import Course, CourseState
from ivig_workflow.domain.course.rules import CourseRules

S = CourseState


def on_held(course: Course, event: CourseHeld, rules: CourseRules) -> Outcome:
    held = course.model_copy(update={"state": S.ON_HOLD, "state_before_hold": course.state})
    return Outcome(held, (Step(course.state, "by_physician", S.ON_HOLD),))


def on_resumed(course: Course, event: CourseResumed, rules: CourseRules) -> Outcome:
    back = course.state_before_hold or S.ACTIVE
    course = course.model_copy(update={"state": back, "state_before_hold": None})
    # A cycle whose days passed during the hold is moved to the first open day.
    waiting = pending(course)
    today = rules.local_date(event.occurred_at)
    if waiting is not None and waiting.planned_start < today:
        course = redate(course, rules, waiting, today)
    return Outcome(course, (Step(S.ON_HOLD, f"held_from_{back.value}", back),))


def on_ended(
    course: Course, event: CourseDiscontinued | CourseCompleted, rules: CourseRules
) -> Outcome:
    to = S.DISCONTINUED if event.type == "course.discontinued" else S.COMPLETED
    waiting = pending(course)
    ended = skip_pending(course).model_copy(update={"state": to, "state_before_hold": None})
    effects: list[Effect] = []
    if waiting is not None and waiting.status == "released":
        # Chairs are booked and product prepared for a cycle that will not happen.
        for role in ("infusion_nurse", "pharmacy"):
            effects.append(
                Notification(
                    key=effect_key(course.course_id, f"cycle-{waiting.number}", "cancelled", role),
                    course_id=course.course_id,
                    role=role,
                    subject=f"Course {course.course_id}: cycle {waiting.number} cancelled",
                    body=f"The course is {to.value}; release the chairs and the product.",
                    data={"cycle": waiting.number, "state": to.value},
                    rule=f"course.{to.value}",
                    citation=rules.cite(None, "a physician ends the course"),
                )
            )
    return Outcome(ended, (Step(course.state, "by_physician", to),), tuple(effects))
