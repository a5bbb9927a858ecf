"""The response review and assessments during interval extension.

After the review cycle no further cycle is released until the response is assessed:
none or worse ends the course, partial continues at the initial interval, good
starts lengthening the interval. During extension a worse response returns the
course to the initial interval.
"""

from __future__ import annotations

from ivig_workflow.domain.course.cycle_schedule import due_after_last, pending, plan_next, redate
from ivig_workflow.domain.course.decision import Outcome, Step
from ivig_workflow.domain.course.effects import Notification, effect_key
from ivig_workflow.domain.course.events import ResponseAssessed
from ivig_workflow.domain.course.model import Course, CourseState
from ivig_workflow.domain.course.rules import CourseRules

S = CourseState


def on_response(course: Course, event: ResponseAssessed, rules: CourseRules) -> Outcome:
    outcome = event.data.outcome
    interval = rules.indication.interval
    today = rules.local_date(event.occurred_at)
    state = course.state
    if state == S.RESPONSE_REVIEW:
        if outcome in ("none", "worse"):
            ended = course.model_copy(update={"state": S.DISCONTINUED})
            return Outcome(
                ended,
                (Step(state, "non_response", S.DISCONTINUED),),
                (_non_response(ended, event, rules),),
            )
        if outcome == "partial":
            course = course.model_copy(
                update={"state": S.ACTIVE, "interval_weeks": interval.initial_weeks}
            )
            return Outcome(plan_next(course, rules, today), (Step(state, "partial", S.ACTIVE),))
        longer = min(course.interval_weeks + interval.step_weeks, interval.max_weeks)
        course = course.model_copy(
            update={"state": S.INTERVAL_EXTENSION, "interval_weeks": longer}
        )
        good = Step(state, "good", S.INTERVAL_EXTENSION)
        return Outcome(plan_next(course, rules, today), (good,))
    if state == S.INTERVAL_EXTENSION and outcome == "worse":
        course = course.model_copy(
            update={"state": S.ACTIVE, "interval_weeks": interval.initial_weeks}
        )
        waiting = pending(course)
        if waiting is not None:
            course = redate(course, rules, waiting, due_after_last(course, today))
        return Outcome(course, (Step(state, "worse", S.ACTIVE),))
    guard = "not_worse" if state == S.INTERVAL_EXTENSION else "any_outcome"
    return Outcome(course, (Step(state, guard, state),))


def _non_response(course: Course, event: ResponseAssessed, rules: CourseRules) -> Notification:
    return Notification(
        key=effect_key(course.course_id, f"series-{course.series}", "non_response"),
        course_id=course.course_id,
        role="physician",
        subject=f"Course {course.course_id}: discontinued for non-response",
        body=f"Response assessed as {event.data.outcome} at the review; IVIg is discontinued.",
        data={"series": course.series, "outcome": event.data.outcome},
        rule="review.non_response",
        citation=rules.cite("long_term", "discontinue without response"),
    )
