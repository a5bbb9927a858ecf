"""The course state machine: `(course, event, now) -> Decision`.

`decide` refuses what the transition table (`transition_table.TABLE`) does not
allow, hands the event to the handler of its concept (infusions, review, relapse,
physician decisions, adverse events, observations), checks every step the handler
reports against the table and names each step's rule and guideline citation.

Event time, not sweep time: before an event that happened at `occurred_at` is
decided, the course catches up on every time-driven step due by then (release,
overdue, relapse check: the sweep at `occurred_at`), in the same decision. So a
sequence of events gives the same course whether or not, and whenever, the sweep
ran in between. A refused event leaves the course as it was, catch-up included:
the next sweep or event does the same catching up.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from ivig_workflow.domain.course.chair_changes import chair_changes
from ivig_workflow.domain.course.cycle_placement import placement_work
from ivig_workflow.domain.course.cycle_schedule import next_due_at
from ivig_workflow.domain.course.decision import Decision, Outcome, Refusal, Transition
from ivig_workflow.domain.course.effects import Notification, effect_key
from ivig_workflow.domain.course.events import (
    AdverseEventReported,
    CourseCompleted,
    CourseDiscontinued,
    CourseEvent,
    CourseHeld,
    CourseResumed,
    CycleReleaseConfirmed,
    CycleRescheduled,
    DeviationAcknowledged,
    FeverPersisted,
    InfusionAdministered,
    LongTermDecided,
    ObservationRecorded,
    RelapseReported,
    ResponseAssessed,
)
from ivig_workflow.domain.course.handlers.adverse_events import on_adverse_event
from ivig_workflow.domain.course.handlers.deviation_review import on_acknowledged
from ivig_workflow.domain.course.handlers.infusions import on_infusion
from ivig_workflow.domain.course.handlers.long_term import on_long_term_decided
from ivig_workflow.domain.course.handlers.observations import on_observation
from ivig_workflow.domain.course.handlers.physician_decisions import on_ended, on_held, on_resumed
from ivig_workflow.domain.course.handlers.relapse import on_relapse
from ivig_workflow.domain.course.handlers.reschedule import on_rescheduled
from ivig_workflow.domain.course.handlers.retreatment import on_fever_persisted
from ivig_workflow.domain.course.handlers.review import on_response
from ivig_workflow.domain.course.handlers.sweep import sweep
from ivig_workflow.domain.course.model import Course
from ivig_workflow.domain.course.release_hold import on_release_confirmed
from ivig_workflow.domain.course.rules import CourseRules, require_aware
from ivig_workflow.domain.course.start import CourseStart, open_course
from ivig_workflow.domain.course.table import ROWS, TABLE, Row, allows

__all__ = ["TABLE", "Decision", "Row", "decide", "start_course", "tick"]


def start_course(start: CourseStart, now: datetime, *, rules: CourseRules) -> Decision:
    require_aware("now", now)
    opened = open_course(start, rules)
    # No ward event may predate the course (nor its start date: see `_dated_wrongly`).
    opened = replace(opened, course=opened.course.model_copy(update={"opened_at": now}))
    return _applied(opened, "start", None, now, start.actor, rules, before=None)


def tick(course: Course, now: datetime, *, rules: CourseRules) -> Decision:
    require_aware("now", now)
    return _applied(sweep(course, now, rules), "tick", None, now, None, rules, before=course)


def decide(course: Course, event: CourseEvent, now: datetime, *, rules: CourseRules) -> Decision:
    require_aware("now", now)
    if event.course_id != course.course_id:
        return _refused(course, event, f"event is for course {event.course_id}", "event.course")
    too_early = _dated_wrongly(course, event, now, rules)
    if too_early is not None:
        return _refused(course, event, *too_early)
    if not allows(course.state, event.type):
        return _refused(
            course,
            event,
            f"{event.type} is not allowed in state {course.state.value}",
            "transition_table",
        )
    caught_up = sweep(course, event.occurred_at, rules)
    result = _handle(caught_up.course, event, rules)
    if isinstance(result, Refusal):
        return _refused(course, event, result.reason, result.rule)
    return _applied(
        result,
        event.type,
        event.key,
        event.occurred_at,
        event.actor,
        rules,
        before=course,
        caught_up=caught_up,
    )


def _handle(course: Course, event: CourseEvent, rules: CourseRules) -> Outcome | Refusal:
    match event:
        case InfusionAdministered():
            return on_infusion(course, event, rules)
        case ResponseAssessed():
            return on_response(course, event, rules)
        case RelapseReported():
            return on_relapse(course, event, rules)
        case AdverseEventReported():
            return on_adverse_event(course, event, rules)
        case ObservationRecorded():
            return on_observation(course, event, rules)
        case CourseHeld():
            return on_held(course, event, rules)
        case CourseResumed():
            return on_resumed(course, event, rules)
        case CourseDiscontinued() | CourseCompleted():
            return on_ended(course, event, rules)
        case CycleReleaseConfirmed():
            return on_release_confirmed(course, event, rules)
        case LongTermDecided():
            return on_long_term_decided(course, event, rules)
        case FeverPersisted():
            return on_fever_persisted(course, event, rules)
        case DeviationAcknowledged():
            return on_acknowledged(course, event, rules)
        case CycleRescheduled():
            return on_rescheduled(course, event, rules)


def _dated_wrongly(
    course: Course, event: CourseEvent, received: datetime, rules: CourseRules
) -> tuple[str, str] | None:
    """An event dated in the future or before the course: the ward corrects it at
    the source, rather than the course moving to a wrong date."""
    skew = rules.deviations.clock_skew.minutes
    if event.occurred_at > received + timedelta(minutes=skew):
        return (
            f"occurred_at {event.occurred_at.isoformat()} is after its arrival at "
            f"{received.isoformat()} by more than the {skew} min clock-skew allowance",
            "event.in_future",
        )
    begins = [rules.midnight(course.start_date)] if course.start_date else []
    begins += [course.opened_at] if course.opened_at else []
    if begins and event.occurred_at < min(begins):
        return (
            f"occurred_at {event.occurred_at.isoformat()} is before the course started "
            f"({min(begins).isoformat()})",
            "event.before_course_start",
        )
    return None


def _applied(
    outcome: Outcome,
    trigger: str,
    event_key: str | None,
    at: datetime,
    actor: str | None,
    rules: CourseRules,
    *,
    before: Course | None,
    caught_up: Outcome | None = None,
) -> Decision:
    transitions: list[Transition] = []
    effects = outcome.effects
    if caught_up is not None and caught_up.steps:
        # The sweep's steps due by the event's instant, logged under the event's key.
        transitions += _transitions(caught_up, "tick", event_key, at, None, rules)
        effects = (*caught_up.effects, *effects)
    transitions += _transitions(outcome, trigger, event_key, at, actor, rules)
    course = outcome.course
    due = next_due_at(course, rules)
    if not _same(due, course.next_due_at):  # most steps leave it: no copy of the course
        course = course.model_copy(update={"next_due_at": due})
    # Wherever dates were planned (start, completion, review, relapse, resume, new
    # measurements), a cycle whose days could not be made consecutive is raised.
    effects = (*effects, *placement_work(before, course, rules))
    # Booked chair days the step makes stale are freed, new ones asked for.
    effects = (*effects, *chair_changes(before, course, trigger, at, rules, event_key))
    return Decision(
        course=course,
        status="applied",
        transitions=tuple(transitions),
        effects=effects,
        deviations=outcome.deviations,
    )


def _same(a: datetime | None, b: datetime | None) -> bool:
    """The same instant in the same zone (an instant read back from a row is UTC)."""
    if a is None or b is None:
        return a is b
    return a == b and a.tzinfo is b.tzinfo


def _transitions(
    outcome: Outcome,
    trigger: str,
    event_key: str | None,
    at: datetime,
    actor: str | None,
    rules: CourseRules,
) -> list[Transition]:
    transitions = []
    for step in outcome.steps:
        row = ROWS.get((step.from_state, trigger, step.guard))
        if row is None or row.to_state != step.to_state:
            # A handler stepping outside the table is a bug, never a clinical outcome.
            raise AssertionError(f"no table row for {step} on {trigger}")
        transitions.append(
            Transition(
                from_state=row.from_state,
                to_state=row.to_state,
                trigger=trigger,
                guard=row.guard,
                rule=row.rule,
                citation=rules.cite(row.source, row.rule),
                event_key=event_key,
                at=at,
                actor=actor,
                reason=outcome.reason,
            )
        )
    return transitions


def _refused(course: Course, event: CourseEvent, reason: str, rule: str) -> Decision:
    notice = Notification(
        key=effect_key(course.course_id, "refused", event.key),
        course_id=course.course_id,
        role="operator",
        subject=f"Course {course.course_id}: {event.type} refused",
        body=f"{reason} (rule {rule}); the event is kept in the inbox for review.",
        data={"event_type": event.type, "event_key": event.key, "reason": reason, "rule": rule},
        rule=rule,
        citation=f"ivig-workflow policy: refused events are raised, never dropped ({rule})",
    )
    return Decision(course=course, status="refused", effects=(notice,), reason=reason, rule=rule)
