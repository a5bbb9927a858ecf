"""Adverse events: a severe one holds the course for a physician decision; milder
ones are recorded and the physician told. Events after the course ended are still
recorded (pharmacovigilance needs the batch of any suspected reaction)."""

from __future__ import annotations

from pydantic import JsonValue

from ivig_workflow.domain.course.decision import Outcome, Step
from ivig_workflow.domain.course.effects import Notification, WorkItem, effect_key
from ivig_workflow.domain.course.events import AdverseEventReported
from ivig_workflow.domain.course.model import TERMINAL_STATES, Course, CourseState
from ivig_workflow.domain.course.rules import CourseRules

S = CourseState
_POLICY = "a severe adverse event holds the course until a physician decides"


def on_adverse_event(course: Course, event: AdverseEventReported, rules: CourseRules) -> Outcome:
    severity = event.data.severity
    state = course.state
    data: dict[str, JsonValue] = {
        "severity": severity,
        "description": event.data.description,
        "event_key": event.key,
        "lots": _recent_lots(course),
    }
    citation = rules.cite(None, _POLICY)
    if severity == "severe" and state not in TERMINAL_STATES and state != S.ON_HOLD:
        held = course.model_copy(update={"state": S.ON_HOLD, "state_before_hold": state})
        decide = WorkItem(
            key=effect_key(course.course_id, "adverse_event", event.key, "physician_decision"),
            course_id=course.course_id,
            role="physician",
            kind="physician_decision",
            title=f"Severe adverse event in course {course.course_id}: decide to resume or stop",
            due_at=event.occurred_at,
            data=data,
            rule="adverse_event.severe_hold",
            citation=citation,
        )
        return Outcome(held, (Step(state, "severe", S.ON_HOLD),), (decide,))
    guard = "mild_or_moderate" if severity != "severe" else "severe"
    told = Notification(
        key=effect_key(course.course_id, "adverse_event", event.key),
        course_id=course.course_id,
        role="physician",
        subject=f"Course {course.course_id}: {severity} adverse event recorded",
        body="Recorded without a change of state; review at the next visit.",
        data=data,
        rule="adverse_event.recorded",
        citation=citation,
    )
    return Outcome(course, (Step(state, guard, state),), (told,))


def _recent_lots(course: Course) -> list[JsonValue]:
    """The batches of the last infusion day, for the adverse reaction report."""
    given = [infusion for cycle in course.cycles for infusion in cycle.infusions]
    return list(given[-1].lot_numbers) if given else []
